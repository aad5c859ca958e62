"""Tables and charts read as words and formatted numbers (the CSV keeps the raw values)."""

from __future__ import annotations

import math
from decimal import Decimal

import pandas as pd
import plotly.express as px

from dashboard.components.readable import display_frame, month_label, readable_figure, words


def test_table_cells_have_words_separators_currency_and_no_none() -> None:
    frame = pd.DataFrame(
        {
            "month": ["2026-11", "2026-12"],
            "partial": [False, True],
            "gross_revenue": [12345.678, math.nan],
            "orders": [1200, 3],
            "churn": [0.1234, None],
            "median_hours": [26.456, 3.0],
        }
    )
    shown = display_frame(frame, "EUR")
    assert list(shown.columns) == ["Month", "Gross revenue", "Orders", "Churn", "Median (hours)"]
    assert shown.iloc[0].tolist() == ["Nov 2026", "12,345.68 EUR", "1,200", "12.3%", "26.5"]
    assert shown.iloc[1].tolist() == ["Dec 2026 (partial)", "–", "3", "–", "3.0"]
    assert "None" not in shown.to_string()


def test_counts_named_like_rates_stay_counts_and_decimals_are_money() -> None:
    """``conversions`` counts conversions (it is not ``conversion``, a rate); amounts stored as
    Decimal get separators and the currency; code values read as words."""
    frame = pd.DataFrame(
        {
            "conversions": [12],
            "shared_customers": [1500],
            "conversion_rate": [0.25],
            "revenue_from_referred": [Decimal("4315.39")],
            "status": ["not_rewarded"],
        }
    )
    shown = display_frame(frame, "EUR")
    assert shown.iloc[0].tolist() == ["12", "1,500", "25.0%", "4,315.39 EUR", "not rewarded"]


def test_figures_name_series_in_words() -> None:
    data = pd.DataFrame({"day": [1, 2], "gross_revenue": [1.0, 2.0], "net_revenue": [1.0, 1.5]})
    fig = readable_figure(px.line(data, x="day", y=["gross_revenue", "net_revenue"]))
    assert [t.name for t in fig.data] == ["Gross revenue", "Net revenue"]
    assert "gross_revenue" not in str(fig.data[0].hovertemplate)
    bars = readable_figure(
        px.bar(pd.DataFrame({"o": ["a"], "avg_rating": [4.2]}), x="o", y="avg_rating")
    )
    assert bars.layout.yaxis.title.text == "Average rating"
    assert words("punctuality") == "Delivery" and month_label("2026-01") == "Jan 2026"


def test_times_in_the_store_time_zone() -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    from dashboard.components.readable import local_time

    berlin = ZoneInfo("Europe/Berlin")
    frame = pd.DataFrame({"sent_at": [dt.datetime(2026, 12, 1, 12, 30)]})  # naive = UTC
    shown = display_frame(frame, "EUR", berlin)
    assert shown.columns.tolist() == ["Sent at (Europe/Berlin)"]
    assert shown.iloc[0, 0] == "2026-12-01 13:30"
    assert local_time(dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC), berlin) == (
        "2026-07-01 14:00 (Europe/Berlin)"
    )
