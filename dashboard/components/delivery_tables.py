"""Column settings of the delivery tables and the conversion of edited rows to inputs."""

from __future__ import annotations

from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from core.delivery import KINDS

T = TypeVar("T")

OPTION_COLUMNS: dict[str, Any] = {
    "code": st.column_config.TextColumn("Code", required=True, help="Lowercase, e.g. express"),
    "name": st.column_config.TextColumn("Name shown to customers", required=True),
    "kind": st.column_config.SelectboxColumn("Kind", options=list(KINDS), required=True),
    "price": st.column_config.TextColumn("Price", help="e.g. 4.90", default="0"),
    "currency": st.column_config.TextColumn("Currency", default="EUR", max_chars=3),
    "lead_days_min": st.column_config.NumberColumn(
        "Days min", min_value=0, max_value=60, default=1
    ),
    "lead_days_max": st.column_config.NumberColumn(
        "Days max", min_value=0, max_value=60, default=3
    ),
    "countries": st.column_config.TextColumn("Countries", help="Empty = all; e.g. DE, AT"),
    "min_basket": st.column_config.TextColumn("Min. basket", help="Empty = none"),
    "time_slots": st.column_config.TextColumn("Time slots", help="e.g. 08:00-12:00, 14:00-18:00"),
    "active": st.column_config.CheckboxColumn("Active", default=True),
}

LOCATION_COLUMNS: dict[str, Any] = {
    "code": st.column_config.TextColumn("Code", required=True),
    "name": st.column_config.TextColumn("Store", required=True),
    "address": st.column_config.TextColumn("Address", required=True),
    "postcode": st.column_config.TextColumn("Postcode"),
    "city": st.column_config.TextColumn("City", required=True),
    "country": st.column_config.TextColumn("Country", max_chars=2),
    "opening_hours": st.column_config.TextColumn(
        "Opening hours", help="e.g. Mon-Fri 9-19, Sat 9-14"
    ),
}


def rows_from(frame: pd.DataFrame, kind: type[T]) -> list[T]:
    """Edited table rows as input objects (empty cells become empty strings or defaults)."""
    rows: list[T] = []
    for record in frame.to_dict("records"):
        clean = {
            k: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
            for k, v in record.items()
        }
        for key in ("lead_days_min", "lead_days_max"):
            if key in clean:
                clean[key] = int(clean[key] or 0)
        if "active" in clean:
            clean["active"] = bool(clean["active"]) if clean["active"] != "" else True
        rows.append(
            kind(**{k: (str(v) if not isinstance(v, bool | int) else v) for k, v in clean.items()})
        )
    return rows
