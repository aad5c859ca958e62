"""Order and revenue KPIs against the hand-computed shop (see conftest)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from core.errors import ValidationError
from core.metrics import frames, sales
from core.metrics.types import Filters, Period
from core.models import Coupon, Customer, Order, Workflow
from tests.core.metrics.conftest import Shop, add_order, utc

JAN = Period(dt.date(2024, 1, 1), dt.date(2024, 1, 31))
FEB = Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))


def _summary(
    shop: Shop, period: Period | None, filters: Filters | None = None
) -> sales.SalesSummary:
    with frames.scope(shop.engine, filters or Filters()) as sc:
        return sales.summary(
            frames.orders_frame(sc, period),
            frames.refunds_frame(sc, period),
            frames.coupon_frame(sc, period),
        )


def test_all_data(shop: Shop) -> None:
    s = _summary(shop, None)
    assert (s.orders, s.customers, s.repeat_customers) == (7, 4, 2)
    assert s.gross_revenue == pytest.approx(400.0)
    assert s.discounts == pytest.approx(10.0)
    assert s.refunds == pytest.approx(50.0)
    assert s.net_revenue == pytest.approx(350.0)  # gross - refunds: the discount is inside
    assert s.aov == pytest.approx(400 / 7)
    assert s.purchase_frequency == pytest.approx(1.75)
    assert s.repeat_purchase_rate == pytest.approx(0.5)


def test_month_boundary_and_refund_date_in_store_time_zone(shop: Shop) -> None:
    jan, feb = _summary(shop, JAN), _summary(shop, FEB)
    # Order 2 (2024-01-31 23:30 UTC) is 1 February in Berlin; so is order 3's refund.
    assert (jan.orders, jan.gross_revenue, jan.refunds) == (2, pytest.approx(200.0), 0.0)
    assert jan.net_revenue == pytest.approx(200.0)
    assert (feb.orders, feb.customers, feb.repeat_customers) == (4, 3, 1)
    assert feb.gross_revenue == pytest.approx(150.0)
    assert feb.refunds == pytest.approx(50.0)
    assert feb.net_revenue == pytest.approx(100.0)


def test_empty_period(shop: Shop) -> None:
    s = _summary(shop, Period(dt.date(2023, 1, 1), dt.date(2023, 1, 31)))
    assert (s.orders, s.customers, s.gross_revenue, s.net_revenue) == (0, 0, 0.0, 0.0)
    assert s.aov is None and s.repeat_purchase_rate is None and s.purchase_frequency is None


def test_filters(shop: Shop) -> None:
    assert _summary(shop, None, Filters(countries=("PL",))).gross_revenue == pytest.approx(150.0)
    express = _summary(shop, None, Filters(delivery_options=("express",)))
    assert (express.orders, express.gross_revenue) == (2, pytest.approx(70.0))
    mobile = _summary(shop, None, Filters(channels=("mobile",)))
    assert (mobile.orders, mobile.customers) == (1, 1)


def test_revenue_by_currency_and_dimensions(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        orders = frames.orders_frame(sc, None, dims=True)
    by_currency = sales.revenue_by_currency(orders).set_index("currency")
    assert by_currency.loc["EUR", "orders"] == 4
    assert by_currency.loc["PLN", "amount"] == pytest.approx(600.0)
    assert by_currency.loc["PLN", "gross_revenue"] == pytest.approx(150.0)
    assert by_currency.loc["SEK", "gross_revenue"] == pytest.approx(50.0)
    by_country = sales.revenue_by(orders, "country").set_index("country")
    assert by_country["gross_revenue"].to_dict() == pytest.approx(
        {"DE": 200.0, "PL": 150.0, "SE": 50.0}
    )
    assert by_country["share"].sum() == pytest.approx(1.0)
    by_channel = sales.revenue_by(orders, "channel").set_index("channel")
    assert by_channel.loc["mobile", "orders"] == 1


def test_daily_and_monthly(shop: Shop) -> None:
    with frames.scope(shop.engine, Filters()) as sc:
        o, r, c = (
            frames.orders_frame(sc, None),
            frames.refunds_frame(sc, None),
            frames.coupon_frame(sc, None),
        )
    day = sales.daily(o, r, c, FEB)
    assert len(day) == 29
    first = day.loc[pd.Timestamp("2024-02-01")]
    assert (first["orders"], first["customers"]) == (2, 1)
    assert first["net_revenue"] == pytest.approx(70.0 - 50.0)
    assert pd.isna(day.loc[pd.Timestamp("2024-02-02"), "aov"])
    month = sales.monthly(o, r, c).set_index("month")
    assert list(month.index) == ["2024-01", "2024-02", "2024-03"]
    assert month.loc["2024-02", "net_revenue"] == pytest.approx(100.0)
    assert month["gross_revenue"].sum() == pytest.approx(400.0)
    rate = sales.cumulative_repeat_rate(o, FEB)
    assert pd.isna(rate.iloc[0]) is False and rate.iloc[0] == pytest.approx(1.0)  # A twice on 02-01
    assert rate.iloc[-1] == pytest.approx(1 / 3)


def test_discounts_and_coupon_cost_are_their_own_figures(shop: Shop) -> None:
    """Order 8's 5 EUR discount came from a workflow coupon: the 30 EUR total is what the
    customer paid, so net revenue does not move; discounts and coupon cost both show it."""
    with Session(shop.engine) as s:
        wf = Workflow(name="Thanks", draft={})
        s.add(wf)
        order = s.get(Order, shop.ids["o8"])
        assert order is not None
        order.discount_amount = Decimal("5")
        s.flush()
        s.add(
            Coupon(
                code="THX-1",
                customer_id=shop.ids["D"],
                workflow_id=wf.id,
                value=Decimal("5"),
                kind="fixed",
                currency="EUR",
                issued_at=utc(2024, 2, 1),
                cost=Decimal("5"),
                redeemed_order_id=order.id,
                redeemed_at=utc(2024, 2, 20, 12),
            )
        )
        s.commit()
    feb = _summary(shop, FEB)
    assert (feb.coupon_cost, feb.discounts) == (pytest.approx(5.0), pytest.approx(5.0))
    assert feb.net_revenue == pytest.approx(150.0 - 50.0)
    with frames.scope(shop.engine, Filters()) as sc:
        o, r, c = (
            frames.orders_frame(sc, None),
            frames.refunds_frame(sc, None),
            frames.coupon_frame(sc, None),
        )
    month = sales.monthly(o, r, c).set_index("month")
    assert month.loc["2024-02", "net_revenue"] == pytest.approx(100.0)
    assert month.loc["2024-02", "coupon_cost"] == pytest.approx(5.0)
    day = sales.daily(o, r, c, FEB).loc[pd.Timestamp("2024-02-20")]
    assert (day["net_revenue"], day["discounts"]) == (pytest.approx(30.0), pytest.approx(5.0))


def test_missing_exchange_rate_is_an_error_not_a_sum(shop: Shop) -> None:
    with Session(shop.engine) as s:
        customer = s.get(Customer, shop.ids["A"])
        assert customer is not None
        add_order(s, "usd", customer, utc(2024, 2, 5, 12), "10", "USD")
        s.commit()
    with pytest.raises(ValidationError, match="USD"):
        _summary(shop, FEB)
