"""Satisfaction and delivery KPIs against the hand-computed shop (see conftest)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.metrics import delivery, experience, frames, satisfaction
from core.metrics.types import Filters, Period, RatingSummary
from tests.core.metrics.conftest import Shop

FEB = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def test_rating_summary_all_data(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        reviews = experience.reviews_frame(sc, None)
        counts = experience.review_counts(sc, None)
    s = satisfaction.rating_summary(reviews)
    assert s == satisfaction.summary_from_counts(counts)  # the pandas and SQL paths agree
    assert s.reviews == 4  # the test order's review is excluded
    assert s.avg_rating == pytest.approx(3.5)
    assert s.csat == pytest.approx(50.0)
    assert (s.nps_answers, s.promoters, s.detractors) == (3, 1, 1)
    assert s.nps == pytest.approx(0.0)  # the passive (8) stays in the denominator
    dist = satisfaction.distribution(reviews)
    assert dist["reviews"].tolist() == [0, 1, 1, 1, 1]
    assert dist["share"].sum() == pytest.approx(1.0)


def test_period_uses_local_submission_date(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        s = satisfaction.rating_summary(experience.reviews_frame(sc, FEB))
    assert (s.reviews, s.avg_rating, s.csat, s.nps) == (2, 2.5, 0.0, -100.0)


def test_empty_summary() -> None:
    s = RatingSummary()
    assert s.avg_rating is None and s.csat is None and s.nps is None


def test_review_rate(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        orders = frames.orders_frame(sc, None)
        reviewed = experience.reviews_frame(sc, None)["order_id"]
    assert satisfaction.review_rate(orders, reviewed) == pytest.approx(4 / 7)
    assert satisfaction.review_rate(orders.iloc[0:0], reviewed) is None


def test_by_delivery_option_and_punctuality(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        reviews = experience.reviews_frame(sc, None, comments=True)
    by_option = satisfaction.by_delivery_option(reviews).set_index("delivery_option")
    assert by_option["avg_rating"].to_dict() == {
        "(none)": 3.0,
        "express": 2.0,
        "pickup": 4.0,
        "standard": 5.0,
    }
    punct = satisfaction.by_punctuality(reviews).set_index("punctuality")
    assert punct.loc["on time", "reviews"] == 2 and punct.loc["on time", "avg_rating"] == 4.5
    assert punct.loc["late", "avg_rating"] == 2.0 and punct.loc["late", "csat"] == 0.0
    comments = satisfaction.latest_comments(reviews)
    assert comments["comment"].tolist() == ["Late again", "Great, on time"]


def test_on_time_rate_all_data(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        deliveries = experience.deliveries_frame(sc, None)
        counts = experience.on_time_counts(sc, None)
    # Delivered with a promise: 1 (exactly at the promise: on time), 3 (pickup ready in time),
    # 2 (late) and 9 (second shipment late). 4 has no promise; 8 was never delivered.
    assert set(deliveries.loc[deliveries["on_time"].notna(), "order_id"]) == {
        shop.ids[k] for k in ("o1", "o2", "o3", "o9")
    }
    assert delivery.on_time_rate(deliveries) == pytest.approx(0.5)
    assert delivery.rate_from_counts(counts) == pytest.approx(0.5)
    by_option = delivery.by_option(deliveries).set_index("delivery_option")
    assert by_option["on_time_rate"].to_dict() == {"express": 0.0, "pickup": 1.0, "standard": 1.0}
    daily = delivery.daily(counts, FEB)
    assert daily.loc[pd.Timestamp("2024-02-01")] == 0.0 and np.isnan(daily.iloc[1])


def test_option_mix_and_pickup_lead_time(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        orders = frames.orders_frame(sc, None, dims=True)
        deliveries = experience.deliveries_frame(sc, None)
    mix = delivery.option_mix(orders).set_index("delivery_option")
    assert mix["orders"].to_dict() == {"standard": 3, "express": 2, "pickup": 1, "(none)": 1}
    lead = delivery.pickup_lead_time(deliveries).set_index("stage")
    assert lead.loc["placed to ready", "median_hours"] == pytest.approx(24.0)
    assert lead.loc["ready to picked up", "orders"] == 1
    assert delivery.on_time_rate(deliveries.iloc[0:0]) is None


@pytest.mark.parametrize(
    "period", [None, FEB, Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))], ids=str
)
@pytest.mark.parametrize(
    "filters", [Filters(), Filters(delivery_options=("express", "pickup"))], ids=str
)
def test_on_time_counts_from_the_orders_read(
    shop: Shop, period: Period | None, filters: Filters
) -> None:
    """The Overview reads the delivery state with the orders (one pass): same day counts."""
    with frames.scope(shop.engine, filters) as sc:
        want = experience.on_time_counts(sc, period)
        orders = frames.orders_frame(sc, period, deliveries=True)
        with_dims = frames.orders_frame(sc, period, dims=True, deliveries=True)
    got = experience.on_time_counts_of(orders)
    pd.testing.assert_frame_equal(
        got.sort_values("day").reset_index(drop=True),
        want.sort_values("day").reset_index(drop=True),
    )
    assert with_dims["delivery"].tolist() == orders["delivery"].tolist()
    assert "channel" in with_dims
    if period is None and not filters.active:
        assert got["delivered"].sum() == 4 and got["on_time"].sum() == 2
