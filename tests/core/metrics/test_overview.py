"""The Overview against the hand-computed shop (see conftest)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from core.errors import ValidationError
from core.metrics import KPI_LABELS, Filters, Period
from core.metrics.overview import overview
from tests.core.metrics.conftest import Shop

FEB = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_period_and_previous_period(shop: Shop) -> None:
    result = overview(shop.engine, FEB, Filters())
    assert result.previous_period == Period(dt.date(2024, 1, 3), dt.date(2024, 1, 31))
    assert result.currency == "EUR"
    now, before = result.current, result.previous
    assert set(now) == set(KPI_LABELS)
    assert (now["orders"], now["customers"]) == (4, 3)
    assert now["gross_revenue"] == pytest.approx(150.0)
    assert now["net_revenue"] == pytest.approx(100.0)
    assert now["aov"] == pytest.approx(37.5)
    assert now["repeat_rate"] == pytest.approx(1 / 3)
    assert (now["avg_rating"], now["csat"], now["nps"]) == (2.5, 0.0, -100.0)
    assert now["on_time_rate"] == 0.0
    assert (before["orders"], before["gross_revenue"]) == (2, pytest.approx(200.0))
    assert before["on_time_rate"] == 1.0 and before["avg_rating"] == pytest.approx(4.5)
    assert result.delta("orders") == 2
    assert result.delta("gross_revenue") == pytest.approx(-50.0)


def test_daily_series(shop: Shop) -> None:
    daily = overview(shop.engine, FEB, Filters()).daily
    assert len(daily) == 29 and set(KPI_LABELS) <= set(daily.columns)
    assert daily["orders"].sum() == 4
    assert daily["gross_revenue"].sum() == pytest.approx(150.0)
    assert daily["net_revenue"].sum() == pytest.approx(100.0)
    assert daily.loc[pd.Timestamp("2024-02-10"), "avg_rating"] == 2.0
    assert daily["repeat_rate"].iloc[-1] == pytest.approx(1 / 3)


def test_empty_period_and_filters(shop: Shop) -> None:
    empty = overview(shop.engine, Period(dt.date(2023, 6, 1), dt.date(2023, 6, 30)), Filters())
    assert empty.current["orders"] == 0 and empty.current["aov"] is None
    assert empty.delta("aov") is None
    pl = overview(shop.engine, FEB, Filters(countries=("PL",)))
    assert pl.current["orders"] == 0 and pl.current["net_revenue"] == pytest.approx(-50.0)


def test_bad_period_and_segment() -> None:
    with pytest.raises(ValidationError):
        Period(dt.date(2024, 2, 2), dt.date(2024, 2, 1))
    with pytest.raises(ValidationError):
        Filters(segments=("Whales",))
