"""The panels below the canvas, as tabs; only the open tab is computed."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from dashboard.components.builder_backtest import backtest_panel
from dashboard.components.builder_history import history_panel
from dashboard.components.builder_json import json_panel
from dashboard.components.builder_simulate import simulate_panel
from dashboard.components.builder_state import Working

PANEL = "builder.panel"
TABS = ("Backtest", "Simulate on an order", "History", "JSON")


def panels(actor: Actor, work: Working, readonly: bool) -> None:
    backtest, simulate, history, as_json = st.tabs(list(TABS), key=PANEL, on_change="rerun")
    if backtest.open:
        with backtest:
            backtest_panel(actor, work)
    if simulate.open:
        with simulate:
            simulate_panel(actor, work)
    if history.open:
        with history:
            history_panel(actor, work, readonly)
    if as_json.open:
        with as_json:
            json_panel(actor, work, readonly)
