"""The panels below the canvas; only the chosen one is computed (a horizontal radio rather than
tabs, so a button inside a panel always belongs to a rendered panel)."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from dashboard.builder.backtest import backtest_panel
from dashboard.builder.history import history_panel
from dashboard.builder.json_panel import json_panel
from dashboard.builder.simulate import simulate_panel
from dashboard.builder.state import Working

PANEL = "builder.panel"
PANELS = ("Backtest", "Simulate on an order", "History", "JSON")


def panels(actor: Actor, work: Working, readonly: bool) -> None:
    st.divider()
    chosen = st.radio("Panel", PANELS, horizontal=True, key=PANEL, label_visibility="collapsed")
    with st.container(border=True):
        if chosen == "Backtest":
            backtest_panel(actor, work)
        elif chosen == "Simulate on an order":
            simulate_panel(actor, work)
        elif chosen == "History":
            history_panel(actor, work, readonly)
        else:
            json_panel(actor, work, readonly)
