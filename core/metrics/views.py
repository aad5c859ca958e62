"""What each KPI page shows, computed in one call per page (the pages only draw)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from core.metrics import (
    delivery,
    experience,
    frames,
    kept_retention,
    partial,
    retention,
    sales,
    satisfaction,
)
from core.metrics.partial import store_today
from core.metrics.types import Filters, Period, RatingSummary, RetentionView, SalesSummary


@dataclass(frozen=True)
class RevenueView:
    currency: str
    summary: SalesSummary
    daily: pd.DataFrame
    monthly: pd.DataFrame
    by_country: pd.DataFrame
    by_channel: pd.DataFrame
    by_delivery_option: pd.DataFrame
    by_currency: pd.DataFrame


def revenue_view(
    engine: Engine, period: Period, filters: Filters, now: dt.datetime | None = None
) -> RevenueView:
    """Monthly rows carry ``partial`` (the month is not over); daily rows too (today)."""
    with frames.scope(engine, filters, as_of=period.end) as sc:
        currency = sc.settings.currency
        today = store_today(sc.settings.tz, now)
        orders = frames.orders_frame(sc, period, dims=True)
        refunds = frames.refunds_frame(sc, period)
        coupons = frames.coupon_frame(sc, period)
    return RevenueView(
        currency=currency,
        summary=sales.summary(orders, refunds, coupons),
        daily=partial.mark_days(sales.daily(orders, refunds, coupons, period).reset_index(), today),
        monthly=partial.mark_months(
            sales.monthly(orders, refunds, coupons), today, period.end, rates=("aov",)
        ),
        by_country=sales.revenue_by(orders, "country"),
        by_channel=sales.revenue_by(orders, "channel"),
        by_delivery_option=sales.revenue_by(orders, "delivery_option"),
        by_currency=sales.revenue_by_currency(orders),
    )


def retention_view(
    engine: Engine, period: Period, filters: Filters, now: dt.datetime | None = None
) -> RetentionView:
    """Cohorts, monthly retention and time between orders over the history up to the end of
    the period (retention needs the months before it); repeat rate of the period itself. A month
    not over yet is marked ``partial`` with its rates left out, and the cohort triangle stops at
    the last complete month. Without filters it is read from the kept facts
    (:mod:`core.metrics.kept_retention`), else computed from the orders."""
    if not filters.active:
        kept = kept_retention.retention_view(engine, period, now)
        if kept is not None:
            return kept
    return retention_view_from_orders(engine, period, filters, now)


def retention_view_from_orders(
    engine: Engine, period: Period, filters: Filters, now: dt.datetime | None = None
) -> RetentionView:
    """:func:`retention_view` from every order of the history (the reference)."""
    history = Period(frames.EPOCH, period.end)
    with frames.scope(engine, filters, as_of=period.end) as sc:
        today = store_today(sc.settings.tz, now)
        orders = frames.orders_frame(sc, history)
        totals = frames.customer_totals(sc, period.end)
    in_period = orders[orders["day"] >= pd.Timestamp(period.start)]
    gaps = retention.gap_counts(retention.days_between_orders(orders))
    rfm = retention.rfm(totals, period.end)
    return RetentionView(
        cohorts=retention.cohort_matrix(
            orders, last_month=partial.last_complete_month(today, period.end)
        ),
        repeat_by_month=partial.mark_months(
            retention.repeat_rate_by_month(orders), today, period.end
        ),
        monthly_retention=partial.mark_months(
            retention.period_retention(orders), today, period.end, rates=("retention", "churn")
        ),
        gaps=gaps,
        median_gap=retention.median_of_counts(gaps),
        repeat_rate=retention.repeat_purchase_rate(in_period),
        segments=retention.segment_sizes(rfm) if len(rfm) else pd.DataFrame(),
    )


@dataclass(frozen=True)
class SatisfactionView:
    summary: RatingSummary
    review_rate: float | None
    distribution: pd.DataFrame
    daily: pd.DataFrame
    by_delivery_option: pd.DataFrame
    by_punctuality: pd.DataFrame
    comments: pd.DataFrame


def satisfaction_view(engine: Engine, period: Period, filters: Filters) -> SatisfactionView:
    with frames.scope(engine, filters, as_of=period.end) as sc:
        reviews = experience.reviews_frame(sc, period, comments=True)
        counts = experience.review_counts(sc, period)
        orders = frames.orders_frame(sc, period)
        reviewed = experience.reviews_frame(sc, None)["order_id"]
    return SatisfactionView(
        summary=satisfaction.rating_summary(reviews),
        review_rate=satisfaction.review_rate(orders, reviewed),
        distribution=satisfaction.distribution(reviews),
        daily=satisfaction.daily(counts, period).reset_index(),
        by_delivery_option=satisfaction.by_delivery_option(reviews),
        by_punctuality=satisfaction.by_punctuality(reviews),
        comments=satisfaction.latest_comments(reviews),
    )


@dataclass(frozen=True)
class DeliveryView:
    on_time_rate: float | None
    delivered_with_promise: int
    weekly: pd.DataFrame
    by_option: pd.DataFrame
    mix: pd.DataFrame
    pickup: pd.DataFrame


def delivery_view(
    engine: Engine, period: Period, filters: Filters, now: dt.datetime | None = None
) -> DeliveryView:
    """The weekly on-time rate leaves out a week not over yet (marked ``partial``)."""
    with frames.scope(engine, filters, as_of=period.end) as sc:
        today = store_today(sc.settings.tz, now)
        deliveries = experience.deliveries_frame(sc, period)
        orders = frames.orders_frame(sc, period, dims=True)
    return DeliveryView(
        on_time_rate=delivery.on_time_rate(deliveries),
        delivered_with_promise=int(deliveries["on_time"].notna().sum()),
        weekly=partial.mark_weeks(
            delivery.weekly_on_time(deliveries), today, period.end, rates=("on_time_rate",)
        ),
        by_option=delivery.by_option(deliveries),
        mix=delivery.option_mix(orders),
        pickup=delivery.pickup_lead_time(deliveries),
    )


def cohorts(engine: Engine, filters: Filters, until: dt.date | None = None) -> pd.DataFrame:
    """The cohort retention matrix straight from the database (two integer columns read)."""
    with frames.scope(engine, filters, as_of=until) as sc:
        customers, months = frames.customer_months(sc, until)
    last = until.strftime("%Y-%m") if until else None
    return retention.cohort_matrix_from_months(customers, months, last)
