"""The Overview: KPI values for a period and the previous period of equal length, and daily
series for sparklines. Reads only the needed columns (orders) and SQL day aggregates (reviews,
deliveries) once for both periods; nothing goes through ORM objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from core.metrics import delivery, experience, frames, sales, satisfaction
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


Reads = tuple[str, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]


def _sales_part(sc: frames.Scope, window: Period) -> tuple[pd.DataFrame, ...]:
    """Orders (with their delivery state: the on-time counts come from the same pass over the
    orders), refunds and coupons."""
    orders = frames.orders_frame(sc, window, deliveries=True)
    return (
        orders,
        frames.refunds_frame(sc, window),
        frames.coupon_frame(sc, window),
        experience.on_time_counts_of(orders),
    )


def _read(engine: Engine, window: Period, filters: Filters, as_of: dt.date) -> Reads:
    """The two independent reads (orders, reviews) run on their own connections in parallel
    (the database does the work, the GIL is released); with a segment filter they share one
    connection, whose temporary table holds the segment's customers."""
    if filters.segments:
        with frames.scope(engine, filters, as_of=as_of) as sc:
            o, r, c, on_time = _sales_part(sc, window)
            return sc.settings.currency, o, r, c, experience.review_counts(sc, window), on_time

    def run(fn: Callable[[frames.Scope, Period], Any]) -> Any:
        with frames.scope(engine, filters, as_of=as_of) as sc:
            return sc.settings.currency, fn(sc, window)

    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(run, [_sales_part, experience.review_counts]))
    (currency, (o, r, c, on_time)), (_, reviews) = parts
    return currency, o, r, c, reviews, on_time


def overview(engine: Engine, period: Period, filters: Filters) -> OverviewResult:
    """KPIs of ``period`` and of the previous period of equal length, plus daily series of the
    period: orders, customers, gross and net revenue, gross AOV, repeat purchase rate (of the
    period so far), average rating, CSAT, NPS and on-time rate."""
    previous = period.previous()
    window = Period(previous.start, period.end)
    currency, orders, refunds, coupons, reviews, on_time = _read(
        engine, window, filters, period.end
    )
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
