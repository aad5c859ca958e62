"""KPI cards: value, change against the previous period, and a sparkline."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
)

MONEY = {"gross_revenue", "net_revenue", "aov"}
SHARES = {"repeat_rate", "on_time_rate"}
HIGHER_IS_WORSE: set[str] = set()


def format_kpi(kpi: str, value: float | None, currency: str, locale: str) -> str:
    if value is None or math.isnan(value):
        return "–"
    if kpi in MONEY:
        if abs(value) >= 10_000:  # cards are narrow: €122K, €29.2K
            digits = 0 if abs(value) >= 100_000 else 1
            return format_compact_currency(value, currency, locale=locale, fraction_digits=digits)
        return format_currency(value, currency, locale=locale)
    if kpi in SHARES:
        return format_percent(value, "#,##0.0%", locale=locale)
    if kpi in {"orders", "customers"}:
        if abs(value) >= 1_000_000:
            return format_compact_decimal(value, locale=locale, fraction_digits=1)
        return format_decimal(value, "#,##0", locale=locale)
    if kpi == "avg_rating":
        return format_decimal(value, "0.00", locale=locale)
    return format_decimal(value, "#,##0.0", locale=locale)


def format_delta(kpi: str, delta: float | None, currency: str, locale: str) -> str | None:
    if delta is None or math.isnan(delta):
        return None
    sign = "+" if delta >= 0 else "-"  # ASCII minus: Streamlit colours the delta by it
    magnitude = abs(delta)
    if kpi in SHARES:
        return f"{sign}{format_decimal(magnitude * 100, '#,##0.0', locale=locale)} pp"
    return sign + format_kpi(kpi, magnitude, currency, locale)


def kpi_card(
    label: str,
    kpi: str,
    value: float | None,
    delta: float | None,
    series: pd.Series | None,
    currency: str,
    locale: str,
    help_text: str | None = None,
) -> None:
    chart = None
    if series is not None:
        clean = series.dropna()
        chart = clean.tolist() if len(clean) > 1 else None
    st.metric(
        label,
        format_kpi(kpi, value, currency, locale),
        help=help_text,
        delta=format_delta(kpi, delta, currency, locale),
        delta_color="inverse" if kpi in HIGHER_IS_WORSE else "normal",
        chart_data=chart,
        chart_type="area",
        border=True,
    )
