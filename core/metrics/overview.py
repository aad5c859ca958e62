"""The Overview: KPI values for a period and the previous period of equal length, and daily
series for sparklines. Reads only the needed columns (orders) and SQL day aggregates (reviews,
deliveries) once for both periods; nothing goes through ORM objects."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from core.metrics import delivery, frames, sales, satisfaction
from core.metrics.types import Filters, OverviewResult, Period


def _kpis(
    orders: pd.DataFrame,
    refunds: pd.DataFrame,
    coupons: pd.DataFrame,
    reviews: pd.DataFrame,
    on_time: pd.DataFrame,
    period: Period,
) -> dict[str, float | None]:
    s = sales.summary(orders, refunds, coupons, period)
    lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
    r = satisfaction.summary_from_counts(reviews[(reviews["day"] >= lo) & (reviews["day"] <= hi)])
    d = on_time[(on_time["day"] >= lo) & (on_time["day"] <= hi)]
    return {
        "orders": float(s.orders),
        "customers": float(s.customers),
        "gross_revenue": s.gross_revenue,
        "net_revenue": s.net_revenue,
        "aov": s.aov,
        "repeat_rate": s.repeat_purchase_rate,
        "avg_rating": r.avg_rating,
        "csat": r.csat,
        "nps": r.nps,
        "on_time_rate": delivery.rate_from_counts(d),
    }


def overview(engine: Engine, period: Period, filters: Filters) -> OverviewResult:
    """KPIs of ``period`` and of the previous period of equal length, plus daily series of the
    period: orders, customers, gross and net revenue, gross AOV, repeat purchase rate (of the
    period so far), average rating, CSAT, NPS and on-time rate."""
    previous = period.previous()
    window = Period(previous.start, period.end)
    with frames.scope(engine, filters, as_of=period.end) as sc:
        currency = sc.settings.currency
        orders = frames.orders_frame(sc, window)
        refunds = frames.refunds_frame(sc, window)
        coupons = frames.coupon_frame(sc, window)
        reviews = frames.review_counts(sc, window)
        on_time = frames.on_time_counts(sc, window)
    daily = sales.daily(orders, refunds, coupons, period)
    daily["repeat_rate"] = sales.cumulative_repeat_rate(orders, period)
    daily = daily.join(satisfaction.daily(reviews, period).drop(columns="reviews"))
    daily["on_time_rate"] = delivery.daily(on_time, period)
    return OverviewResult(
        period=period,
        previous_period=previous,
        currency=currency,
        current=_kpis(orders, refunds, coupons, reviews, on_time, period),
        previous=_kpis(orders, refunds, coupons, reviews, on_time, previous),
        daily=daily,
    )
