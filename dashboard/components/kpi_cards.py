"""KPI cards: value, change against the previous period, and a sparkline."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from babel.numbers import format_currency, format_decimal, format_percent

MONEY = {"gross_revenue", "net_revenue", "aov"}
SHARES = {"repeat_rate", "on_time_rate"}
HIGHER_IS_WORSE: set[str] = set()


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_kpi(kpi: str, value: float | None, currency: str, locale: str) -> str:
    if _missing(value):
        return "–"
    assert value is not None
    if kpi in MONEY:
        return format_currency(value, currency, locale=locale)
    if kpi in SHARES:
        return format_percent(value, "#,##0.0%", locale=locale)
    if kpi in {"orders", "customers"}:
        return format_decimal(value, "#,##0", locale=locale)
    return format_decimal(value, "#,##0.0#", locale=locale)


def format_delta(kpi: str, delta: float | None, currency: str, locale: str) -> str | None:
    if _missing(delta):
        return None
    assert delta is not None
    sign = "+" if delta >= 0 else "−"
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
) -> None:
    chart = None
    if series is not None:
        clean = series.dropna()
        chart = clean.tolist() if len(clean) > 1 else None
    st.metric(
        label,
        format_kpi(kpi, value, currency, locale),
        delta=format_delta(kpi, delta, currency, locale),
        delta_color="inverse" if kpi in HIGHER_IS_WORSE else "normal",
        chart_data=chart,
        chart_type="area",
        border=True,
    )
