"""A chart with its data a click away: a "Chart" tab and a "Data" tab holding the table and
its CSV download (the analyst's delimiter and decimal separator; roles that may export)."""

from __future__ import annotations

from typing import Any, cast

import altair as alt
import pandas as pd
import streamlit as st

from core.auth import Action
from dashboard import auth_ui, resources
from dashboard.components.download import csv_download
from dashboard.components.readable import display_frame, readable_figure


def data_table(frame: pd.DataFrame, name: str, key: str) -> None:
    """The table for reading (words, separators, currency, no "None"), and a CSV download of
    the raw values for roles that may export data."""
    settings = resources.settings()
    shown = display_frame(frame, settings.currency, settings.tz)
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_table")
    if auth_ui.current_actor().can(Action.EXPORT_DATA):
        csv_download(frame, name, key=f"{key}_csv")
    else:
        st.caption("CSV downloads are for the analyst, merchant and owner roles.")


def chart_with_data(chart: Any, frame: pd.DataFrame, name: str, key: str, title: str = "") -> None:
    """Draw a plotly figure or an altair chart, with its data table and CSV in a second tab."""
    if title:
        st.subheader(title)
    chart_tab, data_tab = st.tabs(["Chart", "Data"])
    with chart_tab:
        if isinstance(chart, alt.TopLevelMixin):
            st.altair_chart(cast(alt.Chart, chart), key=f"{key}_chart")
        else:
            st.plotly_chart(readable_figure(chart), key=f"{key}_chart")
    with data_tab:
        data_table(frame, name, key)


def empty_note(frame: pd.DataFrame, what: str) -> bool:
    """Show a note and return True when there is nothing to draw."""
    if frame.empty:
        st.info(f"No {what} in this period with these filters.", icon=":material/info:")
        return True
    return False
