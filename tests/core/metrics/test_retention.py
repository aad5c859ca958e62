"""Retention KPIs against the hand-computed shop (see conftest)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.metrics import frames, retention
from core.metrics.types import Filters, Period
from tests.core.metrics.conftest import Shop


@pytest.fixture
def orders(shop: Shop) -> pd.DataFrame:
    with frames.scope(shop.engine, Filters()) as sc:
        return frames.orders_frame(sc, None)


def test_repeat_purchase_rate(orders: pd.DataFrame) -> None:
    assert retention.repeat_purchase_rate(orders) == pytest.approx(0.5)
    assert retention.repeat_purchase_rate(orders.iloc[0:0]) is None


def test_cohort_matrix_classic_form_with_empty_future(orders: pd.DataFrame) -> None:
    m = retention.cohort_matrix(orders)
    assert list(m.index) == ["2024-01", "2024-02"]
    assert m["customers"].tolist() == [2, 2]
    assert m.loc["2024-01", [0, 1, 2]].tolist() == [1.0, 0.5, 0.5]
    assert m.loc["2024-02", 0] == 1.0 and m.loc["2024-02", 1] == 0.0
    assert np.isnan(m.loc["2024-02", 2])  # April 2024 is after the data: empty, not 0
    assert retention.cohort_dict(m) == {"2024-01": [1.0, 0.5, 0.5], "2024-02": [1.0, 0.0]}


def test_cohort_matrix_with_later_last_month(orders: pd.DataFrame) -> None:
    m = retention.cohort_matrix(orders, last_month="2024-04")
    assert m.loc["2024-02", 2] == 0.0 and np.isnan(m.loc["2024-02", 3])


def test_cohort_matrix_empty() -> None:
    empty = pd.DataFrame(
        {"customer_id": pd.Series(dtype="int64"), "day": pd.Series(dtype="datetime64[ns]")}
    )
    assert retention.cohort_matrix(empty).empty


def test_period_retention_and_churn(orders: pd.DataFrame) -> None:
    p = retention.period_retention(orders).set_index("month")
    assert p["active"].tolist() == [2, 3, 1]
    assert np.isnan(p.loc["2024-01", "retention"])
    assert p.loc["2024-02", "retention"] == pytest.approx(0.5)
    assert p.loc["2024-03", "retention"] == pytest.approx(0.0)
    assert p.loc["2024-03", "churn"] == pytest.approx(1.0)


def test_days_between_orders_merges_same_day(orders: pd.DataFrame) -> None:
    gaps = sorted(retention.days_between_orders(orders).tolist())
    assert gaps == [22, 47]  # A: 01-10 -> 02-01 (two orders that day); B: 01-15 -> 03-02
    assert retention.median_days_between_orders(orders) == pytest.approx(34.5)
    one_order = orders[orders["customer_id"] == orders["customer_id"].iloc[-1]].head(1)
    assert retention.median_days_between_orders(one_order) is None


def test_clv(shop: Shop, orders: pd.DataFrame) -> None:
    assert retention.historical_clv(350.0, 4) == pytest.approx(87.5)
    assert retention.historical_clv(0.0, 0) is None
    with frames.scope(shop.engine, Filters()) as sc:
        refunds = frames.refunds_frame(sc, None)
    table = retention.clv_by_cohort(orders, refunds)
    # Cohort 2024-01 (A, B): month 0 = 100 + 100 - 50 (refund of order 3) = 150 / 2 = 75; order
    # 1's 10 EUR discount is already inside its total (net = gross - refunds).
    assert table.loc["2024-01", 0] == pytest.approx(75.0)
    assert table.loc["2024-01", 2] == pytest.approx((150 + 70 + 50) / 2)
    assert np.isnan(table.loc["2024-02", 2])


def test_rfm_scores_and_fixed_bins_on_ties(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        totals = frames.customer_totals(sc, None)
    table = retention.rfm(totals, dt.date(2024, 3, 31)).set_index("customer_id")
    a, b, c, d = (shop.ids[k] for k in "ABCD")
    assert table.loc[a, "frequency"] == 3 and table.loc[b, "recency_days"] == 29
    assert table.loc[a, "monetary"] == pytest.approx(170.0)
    # Frequencies 3, 2, 1, 1 tie at the quintile edges: fixed bins 1, 2, 3, 4-5, 6+.
    assert table["f"].to_dict() == {a: 3, b: 2, c: 1, d: 1}
    assert table.loc[b, "r"] == 5 and table.loc[c, "r"] < table.loc[d, "r"]
    assert set(table["segment"]) <= set(retention.segment(np.arange(1, 6), np.arange(1, 6))) | {
        "At risk",
        "Hibernating",
        "Need attention",
        "New",
        "Potential loyalists",
        "Loyal",
        "Champions",
    }
    assert table.loc[b, "segment"] == "Potential loyalists"


def test_frequency_quintiles_when_no_ties() -> None:
    scores = retention.frequency_scores(pd.Series(range(1, 11)))
    assert scores.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert retention.frequency_scores(pd.Series([1, 1, 1, 2, 7])).tolist() == [1, 1, 1, 2, 5]


def test_segment_filter(shop: Shop) -> None:
    with frames.scope(
        shop.engine, Filters(segments=("Potential loyalists",)), dt.date(2024, 3, 31)
    ) as sc:
        orders = frames.orders_frame(sc, Period(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    assert set(orders["customer_id"]) == {shop.ids["B"]}


def test_cohorts_straight_from_the_database(shop: Shop, orders: pd.DataFrame) -> None:
    from core.metrics import views

    direct = views.cohorts(shop.engine, Filters())
    pd.testing.assert_frame_equal(direct, retention.cohort_matrix(orders))
    until_feb = views.cohorts(shop.engine, Filters(), dt.date(2024, 2, 29))
    assert until_feb.loc["2024-01", 1] == 0.5 and np.isnan(until_feb.loc["2024-02", 1])


def test_cohort_matrix_leaves_months_after_the_last_one_out() -> None:
    """A first-cohort customer active in the last complete month and in the month in progress
    counts once in the last complete month's cell (not once per month)."""
    orders = pd.DataFrame(
        {
            "customer_id": [1, 1, 1, 2],
            "day": pd.to_datetime(["2024-01-05", "2024-02-05", "2024-03-05", "2024-01-09"]),
        }
    )
    m = retention.cohort_matrix(orders, last_month="2024-02")
    assert m.loc["2024-01", [0, 1]].tolist() == [1.0, 0.5]
    assert list(m.columns) == ["customers", 0, 1]
