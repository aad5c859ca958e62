"""Reads for satisfaction and delivery KPIs: reviews and delivered orders, as frames or SQL day
aggregates, through the same scope (valid orders, filters) as the order frames."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    select,
)

from core.metrics.query import Scope, count_if, day_counts, day_number, frame_of, to_days
from core.metrics.types import Period
from core.models import Order, Review, Shipment


def delivered_subquery(*where: ColumnElement[bool]) -> Any:
    """Per order with shipments: when it reached the customer (delivered, or ready for
    pickup for click-and-collect), NULL unless every shipment did. ``where`` restricts the
    orders (conditions on ``Order``) before grouping."""
    done = func.coalesce(Shipment.delivered_at, Shipment.ready_for_pickup_at)
    stmt = select(
        Shipment.order_id.label("order_id"),
        func.max(done).label("done_at"),
        func.max(Shipment.ready_for_pickup_at).label("ready_at"),
        func.max(Shipment.picked_up_at).label("picked_up_at"),
    )
    if where:
        stmt = stmt.join(Order, Order.id == Shipment.order_id).where(*where)
    return (
        stmt.group_by(Shipment.order_id)
        .having(func.count() == func.count(done))
        .subquery("delivered")
    )


def deliveries_frame(sc: Scope, period: Period | None) -> pd.DataFrame:
    """Delivered valid orders placed in the period: ``order_id, day, delivery_option,
    placed_at, promised_at, done_at, ready_at, picked_up_at, on_time`` (NaN without a promise;
    on time = reached the customer at or before the promised time)."""
    d = delivered_subquery(*sc.order_conditions(period))
    stmt = (
        select(
            Order.id,
            day_number(Order.placed_date, sc.dialect),
            func.coalesce(Order.delivery_option, "(none)"),
            Order.placed_at,
            Order.promised_delivery_at,
            d.c.done_at,
            d.c.ready_at,
            d.c.picked_up_at,
        )
        .join(d, d.c.order_id == Order.id)
        .where(*sc.order_conditions(period))
    )
    names = ["order_id", "day", "delivery_option", "placed_at", "promised_at", "done_at"]
    frame = frame_of(sc, stmt, [*names, "ready_at", "picked_up_at"])
    frame["day"] = to_days(frame["day"].fillna(0)).to_numpy()
    for col in ("placed_at", "promised_at", "done_at", "ready_at", "picked_up_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True)
    on_time = (frame["done_at"] <= frame["promised_at"]).astype("float64")
    frame["on_time"] = on_time.where(frame["promised_at"].notna())
    return frame


def reviews_frame(sc: Scope, period: Period | None, comments: bool = False) -> pd.DataFrame:
    """Reviews submitted in the period (local ``submitted_date``) of valid orders that pass the
    filters: ``order_id, day, rating, nps, delivery_option, on_time`` (+ ``comment``)."""
    conds = sc.order_conditions(None)
    d = delivered_subquery()
    if period is not None:
        in_period = Review.submitted_date.between(period.start, period.end)
        conds.append(in_period)
        d = delivered_subquery(Order.id.in_(select(Review.order_id).where(in_period)))
    on_time = case(
        (
            and_(Order.promised_delivery_at.is_not(None), d.c.done_at.is_not(None)),
            case((d.c.done_at <= Order.promised_delivery_at, 1.0), else_=0.0),
        ),
        else_=None,
    )
    cols: list[Any] = [
        Review.order_id,
        day_number(Review.submitted_date, sc.dialect),
        Review.rating,
        Review.nps,
        func.coalesce(Order.delivery_option, "(none)"),
        on_time,
    ]
    names = ["order_id", "day", "rating", "nps", "delivery_option", "on_time"]
    if comments:
        cols += [Review.comment, Review.submitted_at]
        names += ["comment", "submitted_at"]
    stmt = (
        select(*cols)
        .join(Order, Order.id == Review.order_id)
        .outerjoin(d, d.c.order_id == Order.id)
        .where(*conds)
    )
    frame = frame_of(sc, stmt, names)
    frame["day"] = to_days(frame["day"].fillna(0)).to_numpy()
    frame["rating"] = frame["rating"].astype("int64")
    frame["nps"] = pd.to_numeric(frame["nps"]).astype("float64")
    frame["on_time"] = pd.to_numeric(frame["on_time"]).astype("float64")
    return frame


def review_counts(sc: Scope, period: Period | None) -> pd.DataFrame:
    """Per local submission day (SQL aggregate): ``day, reviews, rating_sum, satisfied,
    nps_answers, promoters, detractors`` of valid orders that pass the filters."""
    day = day_number(Review.submitted_date, sc.dialect)
    conds = sc.order_conditions(None)
    if period is not None:
        conds.append(Review.submitted_date.between(period.start, period.end))
    stmt = (
        select(
            day,
            func.count(),
            func.sum(Review.rating),
            count_if(Review.rating >= 4),
            func.count(Review.nps),
            count_if(Review.nps >= 9),
            count_if(Review.nps <= 6),
        )
        .join(Order, Order.id == Review.order_id)
        .where(*conds)
        .group_by(day)
    )
    names = ["day", "reviews", "rating_sum", "satisfied", "nps_answers", "promoters", "detractors"]
    return day_counts(sc, stmt, names)


DELIVERED_LATE, DELIVERED_ON_TIME = 1, 2


def delivery_state() -> ColumnElement[int]:
    """Per order, correlated on ``Order``: 0 unless it has a promise and every shipment was
    delivered or is ready for pickup, else :data:`DELIVERED_ON_TIME` when the last of those
    moments is at or before the promise, else :data:`DELIVERED_LATE`: what
    :func:`on_time_counts` counts, in one shipments lookup per order of an orders read."""
    done = func.coalesce(Shipment.delivered_at, Shipment.ready_for_pickup_at)
    delivered = and_(func.count() > 0, func.count() == func.count(done))
    on_time = case(
        (func.max(done) <= Order.promised_delivery_at, DELIVERED_ON_TIME), else_=DELIVERED_LATE
    )
    state = (
        select(case((delivered, on_time), else_=0))
        .where(Shipment.order_id == Order.id)
        .scalar_subquery()
    )
    return case((Order.promised_delivery_at.is_not(None), state), else_=0)


def on_time_counts_of(orders: pd.DataFrame) -> pd.DataFrame:
    """:func:`on_time_counts` from an orders frame read with ``deliveries`` (its ``delivery``
    column), sorted by day."""
    state = orders.loc[orders["delivery"] > 0, ["day", "delivery"]]
    counts = (
        state.assign(delivered=1, on_time=(state["delivery"] == DELIVERED_ON_TIME).astype("int64"))
        .groupby("day", as_index=False)[["delivered", "on_time"]]
        .sum()
    )
    return counts.astype({"delivered": "int64", "on_time": "int64"})


def on_time_counts(sc: Scope, period: Period | None) -> pd.DataFrame:
    """Per local order day (SQL aggregate): ``day, delivered, on_time`` over delivered valid
    orders with a promise (every shipment delivered or ready for pickup)."""
    done = func.coalesce(Shipment.delivered_at, Shipment.ready_for_pickup_at)
    per_order = (
        select(
            day_number(Order.placed_date, sc.dialect).label("day"),
            case((func.max(done) <= Order.promised_delivery_at, 1), else_=0).label("ok"),
        )
        .join(Shipment, Shipment.order_id == Order.id)
        .where(*sc.order_conditions(period), Order.promised_delivery_at.is_not(None))
        .group_by(Order.id, Order.placed_date, Order.promised_delivery_at)
        .having(func.count() == func.count(done))
        .subquery("per_order")
    )
    stmt = select(per_order.c.day, func.count(), func.sum(per_order.c.ok)).group_by(per_order.c.day)
    return day_counts(sc, stmt, ["day", "delivered", "on_time"])
