"""A CSV download with the analyst's delimiter and decimal separator."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core import exporting
from core.auth import Action, Actor
from core.csvout import PRECISION_NOTE, CsvFormat, to_csv_bytes
from dashboard import resources, state
from dashboard.components.readable import display_frame

FORMATS: dict[str, CsvFormat] = {
    "Excel, Europe (; and 1234,56)": CsvFormat.european(),
    "International (, and 1234.56)": CsvFormat(),
    "International with BOM (Excel, UTF-8)": CsvFormat(bom=True),
}


def csv_format() -> CsvFormat:
    """The format chosen in the sidebar (default: European Excel)."""
    label = st.session_state.get(state.CSV_FORMAT, next(iter(FORMATS)))
    return FORMATS.get(label, CsvFormat.european())


def format_picker() -> None:
    st.selectbox(
        "CSV format", list(FORMATS), key=state.CSV_FORMAT, help="Used by every CSV download."
    )


def _audit_download(actor: Actor, file_name: str, rows: int) -> None:
    with resources.session() as s, s.begin():
        exporting.record_download(s, actor, file_name, rows)


def csv_download(
    frame: pd.DataFrame,
    file_name: str,
    key: str,
    label: str = "Download CSV",
    actor: Actor | None = None,
) -> None:
    """A CSV download; with ``actor``, only for roles that may export, and audited."""
    name = file_name if file_name.endswith(".csv") else f"{file_name}.csv"
    if actor is not None and not actor.can(Action.EXPORT_DATA):
        return
    st.download_button(
        label,
        data=to_csv_bytes(frame, csv_format()),
        file_name=name,
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click=(lambda: _audit_download(actor, name, len(frame))) if actor else "ignore",
        help=PRECISION_NOTE,
    )


def table_with_download(
    frame: pd.DataFrame, file_name: str, key: str, actor: Actor | None = None
) -> None:
    """A data table for reading (times in the store's time zone) and its CSV download (see
    :func:`csv_download`)."""
    settings = resources.settings()
    shown = display_frame(frame, settings.currency, settings.tz)
    st.dataframe(shown, hide_index=True, width="stretch", key=f"{key}_table")
    csv_download(frame, file_name, key=f"{key}_csv", actor=actor)
