"""Column settings of the pickup stores table and the conversion of edited rows to inputs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

T = TypeVar("T")

LOCATION_COLUMNS: dict[str, Any] = {  # no required=True: an empty cell is named, not dropped
    "code": st.column_config.TextColumn("Code"),
    "name": st.column_config.TextColumn("Store"),
    "address": st.column_config.TextColumn("Address"),
    "postcode": st.column_config.TextColumn("Postcode"),
    "city": st.column_config.TextColumn("City"),
    "country": st.column_config.TextColumn("Country", max_chars=2),
    "opening_hours": st.column_config.TextColumn(
        "Opening hours", help="e.g. Mon-Fri 9-19, Sat 9-14"
    ),
    "preparation_hours": st.column_config.NumberColumn(
        "Preparation (hours)",
        min_value=0,
        max_value=336,
        default=2,
        help="Opening hours needed before an order is ready for pickup",
    ),
}


def price_difference(amount: Decimal | None, currency: str) -> str:
    """``+5.00 EUR``, ``-4.90 EUR``, ``0.00 EUR``; ``–`` when none was recorded."""
    if amount is None:
        return "–"
    return f"{'+' if amount > 0 else ''}{amount} {currency}".strip()


def rows_from(frame: pd.DataFrame, kind: type[T]) -> list[T]:
    """Edited table rows as input objects (empty cells become empty strings or defaults)."""
    rows: list[T] = []
    for record in frame.to_dict("records"):
        clean = {
            str(k): ("" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
            for k, v in record.items()
        }
        for key in ("lead_days_min", "lead_days_max", "preparation_hours"):
            if key in clean:
                clean[key] = int(clean[key] or 0)
        if "active" in clean:
            clean["active"] = bool(clean["active"]) if clean["active"] != "" else True
        rows.append(
            kind(**{k: (str(v) if not isinstance(v, bool | int) else v) for k, v in clean.items()})
        )
    return rows
