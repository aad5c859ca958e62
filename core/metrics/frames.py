"""One query per need: the columns a KPI needs, read into pandas, never through ORM objects.

Every order read here is valid: not cancelled (no ``cancelled_at``, status not ``cancelled``) and
not a test order; one row per order. Periods filter the local ``placed_date`` (store time zone).
Amounts are converted to the store currency with the settings' exchange rates: the currency is
mapped to an index in SQL, the rate applied vectorised; an order in a currency without a rate
raises a ValidationError instead of being added unconverted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    cast,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.metrics import experience, retention
from core.metrics.query import (
    EPOCH,
    Scope,
    as_date,
    day_number,
    epoch_seconds,
    frame_of,
    local_days,
    money,
    raw_rows,
    to_days,
)
from core.metrics.types import Filters, Period
from core.models import Coupon, Customer, Order
from core.timeutil import day_bounds

__all__ = ["EPOCH", "Scope", "money", "scope"]


def latest_date(sc: Scope) -> dt.date:
    """The local date of the latest valid order (today when there is none)."""
    found = sc.conn.scalar(
        select(Order.placed_date)
        .where(*sc.order_conditions(None))
        .order_by(Order.placed_date.desc())
        .limit(1)
    )
    if found is None:
        return dt.datetime.now(sc.settings.tz).date()
    return as_date(found)


def data_bounds(sc: Scope) -> tuple[dt.date, dt.date] | None:
    """First and last local order dates of valid orders, or None without orders (each read
    by walking the date index from one end)."""
    conds = sc.order_conditions(None)
    first = sc.conn.scalar(
        select(Order.placed_date).where(*conds).order_by(Order.placed_date).limit(1)
    )
    if first is None:
        return None
    last = sc.conn.scalar(
        select(Order.placed_date).where(*conds).order_by(Order.placed_date.desc()).limit(1)
    )
    return as_date(first), as_date(last)


DIMENSIONS = ("country", "channel", "delivery_option")


def orders_frame(
    sc: Scope, period: Period | None, dims: bool = False, deliveries: bool = False
) -> pd.DataFrame:
    """One row per valid order: ``order_id, customer_id, day, currency, total`` (original
    currency), ``gross`` and ``discount`` (store currency); with ``dims`` also ``country``,
    ``channel``, ``delivery_option`` (missing values as "(none)"); with ``deliveries`` also
    ``delivery`` (:func:`core.metrics.experience.delivery_state`), read in the same pass."""
    cols: list[Any] = [
        Order.id,
        Order.customer_id,
        day_number(Order.placed_date, sc.dialect),
        sc.currency_index(Order.currency),
        money(Order.total),
        money(Order.discount_amount),
    ]
    if deliveries:
        cols.append(experience.delivery_state())
    width = len(cols)
    names = ["order_id", "customer_id", "day", "cur", "total", "discount_raw", "delivery"][:width]
    if dims:
        country = select(Customer.country).where(Customer.id == Order.customer_id).scalar_subquery()
        cols += [
            func.coalesce(Order.shipping_country, country),
            Order.channel,
            Order.delivery_option,
        ]
        names += list(DIMENSIONS)
    stmt = select(*cols).where(*sc.order_conditions(period))
    rows = sc.conn.execute(stmt).all() if dims else raw_rows(sc, stmt)
    if dims:
        frame = pd.DataFrame.from_records(rows, columns=names)
        numeric = (
            frame[names[:width]].to_numpy(dtype="float64") if len(frame) else np.empty((0, width))
        )
    else:
        numeric = np.array(rows, dtype="float64").reshape(-1, width)
        frame = pd.DataFrame(index=range(len(numeric)))
    cur = numeric[:, 3].astype("int64")
    sc.check_currencies(cur, Order.currency)
    rates = sc.rates()
    known = np.array(sc.currencies(), dtype=object)
    frame["order_id"] = numeric[:, 0].astype("int64")
    frame["customer_id"] = numeric[:, 1].astype("int64")
    frame["day"] = to_days(numeric[:, 2]).to_numpy()
    frame["currency"] = pd.Categorical(known[cur] if len(cur) else [], categories=list(known))
    frame["total"] = numeric[:, 4]
    frame["gross"] = numeric[:, 4] * rates[cur] if len(cur) else numeric[:, 4]
    frame["discount"] = numeric[:, 5] * rates[cur] if len(cur) else numeric[:, 5]
    keep = ["order_id", "customer_id", "day", "currency", "total", "gross", "discount"]
    if deliveries:
        frame["delivery"] = numeric[:, 6].astype("int64")
        keep.append("delivery")
    if dims:
        for name in DIMENSIONS:
            frame[name] = frame[name].fillna("(none)").astype(str)
    return frame[keep + (list(DIMENSIONS) if dims else [])]


def refunds_frame(sc: Scope, period: Period | None) -> pd.DataFrame:
    """Refunds on their refund date (local): ``order_id, day, currency, refund`` (store
    currency), for valid orders that pass the filters, whenever they were placed."""
    conds = [*sc.order_conditions(None), Order.refunded_amount > 0, Order.refunded_at.is_not(None)]
    if period is not None:
        lo, hi = day_bounds(period.start, period.end, sc.settings.tz)
        conds += [Order.refunded_at >= lo, Order.refunded_at < hi]
    stmt = select(
        Order.id,
        epoch_seconds(Order.refunded_at, sc.dialect),
        sc.currency_index(Order.currency),
        money(Order.refunded_amount),
    ).where(*conds)
    raw = np.array(raw_rows(sc, stmt), dtype="float64").reshape(-1, 4)
    cur = raw[:, 2].astype("int64")
    sc.check_currencies(cur, Order.currency)
    known = np.array(sc.currencies(), dtype=object)
    return pd.DataFrame(
        {
            "order_id": raw[:, 0].astype("int64"),
            "day": local_days(raw[:, 1], sc),
            "currency": known[cur] if len(cur) else np.array([], dtype=object),
            "refund": raw[:, 3] * sc.rates()[cur] if len(cur) else raw[:, 3],
        }
    )


def coupon_frame(sc: Scope, period: Period | None) -> pd.DataFrame:
    """Costs of coupons issued by a workflow and redeemed (on the redemption date):
    ``order_id, day, cost`` and ``order_discount``, the redeemed order's discount, which net
    revenue counts once, as coupon cost, not again as an order discount."""
    conds = [
        Coupon.workflow_id.is_not(None),
        Coupon.redeemed_at.is_not(None),
        Coupon.redeemed_order_id.is_not(None),
        *sc.order_conditions(None),
    ]
    if period is not None:
        lo, hi = day_bounds(period.start, period.end, sc.settings.tz)
        conds += [Coupon.redeemed_at >= lo, Coupon.redeemed_at < hi]
    stmt = (
        select(
            Coupon.redeemed_order_id,
            Coupon.redeemed_at,
            func.coalesce(Coupon.currency, Order.currency),
            money(Coupon.cost),
            Order.currency,
            money(Order.discount_amount),
        )
        .join(Order, Order.id == Coupon.redeemed_order_id)
        .where(*conds)
    )
    frame = frame_of(sc, stmt, ["order_id", "at", "currency", "amount", "order_currency", "disc"])
    out = _localize(sc, frame, "cost")
    rates = {c: float(sc.settings.rate(c)) for c in frame["order_currency"].dropna().unique()}
    out["order_discount"] = (
        (frame["disc"].astype(float) * frame["order_currency"].map(rates).astype(float)).to_numpy()
        if len(frame)
        else np.empty(0)
    )
    return out


def _localize(sc: Scope, frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """``at`` (UTC) -> local ``day``; ``amount`` in ``currency`` -> ``value`` in store currency."""
    if frame.empty:
        return pd.DataFrame(
            {
                "order_id": pd.Series(dtype="int64"),
                "day": pd.Series(dtype="datetime64[ns]"),
                "currency": pd.Series(dtype="object"),
                value: pd.Series(dtype="float64"),
            }
        )
    rates = {c: float(sc.settings.rate(c)) for c in frame["currency"].unique()}
    at = pd.to_datetime(frame["at"], utc=True).dt.tz_convert(sc.settings.tz)
    return pd.DataFrame(
        {
            "order_id": frame["order_id"].astype("int64"),
            "day": at.dt.tz_localize(None).dt.normalize().astype("datetime64[ns]"),
            "currency": frame["currency"].astype(str),
            value: frame["amount"].astype(float) * frame["currency"].map(rates).astype(float),
        }
    )


def customer_totals(sc: Scope, as_of: dt.date | None) -> pd.DataFrame:
    """Per customer, over valid orders placed on or before ``as_of``: ``customer_id, orders,
    last_day, monetary`` (gross, store currency). Used by RFM."""
    conds = sc.order_conditions(None)
    if as_of is not None:
        conds.append(Order.placed_date <= as_of)
    stmt = (
        select(
            Order.customer_id,
            sc.currency_index(Order.currency),
            func.count(),
            func.max(day_number(Order.placed_date, sc.dialect)),
            func.sum(money(Order.total)),
        )
        .where(*conds)
        .group_by(Order.customer_id, Order.currency)
    )
    return customer_totals_from(sc, stmt, Order.currency)


def customer_totals_from(sc: Scope, stmt: Any, currency: Any) -> pd.DataFrame:
    """:func:`customer_totals` from a statement giving ``customer_id, currency index, orders,
    last day number, gross`` per customer and currency (``currency``: the column, for
    :meth:`Scope.check_currencies`)."""
    raw = np.array(raw_rows(sc, stmt), dtype="float64").reshape(-1, 5)
    cur = raw[:, 1].astype("int64")
    sc.check_currencies(cur, currency)
    frame = pd.DataFrame(
        {
            "customer_id": raw[:, 0].astype("int64"),
            "orders": raw[:, 2].astype("int64"),
            "last_day": raw[:, 3].astype("int64"),
            "monetary": raw[:, 4] * sc.rates()[cur] if len(cur) else raw[:, 4],
        }
    )
    grouped = frame.groupby("customer_id", as_index=False).agg(
        orders=("orders", "sum"), last_day=("last_day", "max"), monetary=("monetary", "sum")
    )
    grouped["last_day"] = to_days(grouped["last_day"]).to_numpy()
    return grouped


OPTION_SAMPLE = 50_000
"""Channels and shipping countries are offered from the latest orders written (the end of the
table by id: contiguous pages; the latest by date are scattered over the table and cost ten
times more at a million orders); customers' countries and delivery options come from all
rows."""

DISTINCT_OPTIONS = text(
    "WITH RECURSIVE d(v) AS ("
    "SELECT MIN(delivery_option) FROM orders UNION ALL "
    "SELECT (SELECT MIN(delivery_option) FROM orders WHERE delivery_option > d.v) "
    "FROM d WHERE d.v IS NOT NULL) "
    "SELECT v FROM d WHERE v IS NOT NULL"
)
"""Every delivery option on an order, one index lookup each (``ix_orders_delivery_option``)
instead of a walk through the whole index: a handful of values over a million orders."""


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """Values the global filters offer: countries, delivery options, channels."""
    latest = (
        select(Order.shipping_country, Order.channel)
        .order_by(Order.id.desc())
        .limit(OPTION_SAMPLE)
        .subquery()
    )
    with engine.connect() as conn:
        combos = conn.execute(select(latest.c.shipping_country, latest.c.channel).distinct()).all()
        countries = set(conn.scalars(select(Customer.country).distinct()).all())
        options = conn.scalars(DISTINCT_OPTIONS).all()
    countries |= {c for c, _ in combos}
    return {
        "countries": sorted(c for c in countries if c),
        "delivery_options": sorted(o for o in options if o),
        "channels": sorted({c for _, c in combos if c}),
    }


def date_range(engine: Engine) -> tuple[dt.date, dt.date] | None:
    """First and last local dates of valid orders (None without orders)."""
    with scope(engine, Filters()) as sc:
        return data_bounds(sc)


def customer_months(sc: Scope, until: dt.date | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Customer id and local order month (months since 1970-01) of every valid order placed
    on or before ``until``: the two integer columns a cohort matrix needs."""
    month = (
        (cast(func.substr(Order.placed_month, 1, 4), Integer) - 1970) * 12
        + cast(func.substr(Order.placed_month, 6, 2), Integer)
        - 1
    )
    conds = sc.order_conditions(None)
    if until is not None:
        conds.append(Order.placed_date <= until)
    raw = np.array(raw_rows(sc, select(Order.customer_id, month).where(*conds)), dtype="int64")
    raw = raw.reshape(-1, 2)
    return raw[:, 0], raw[:, 1]


@contextmanager
def scope(engine: Engine, filters: Filters, as_of: dt.date | None = None) -> Iterator[Scope]:
    """A read scope. A segment filter is resolved once (RFM as of ``as_of``, default: the
    latest order) into a temporary table of customer ids that every query joins."""
    with engine.connect() as conn:
        with Session(bind=conn) as session:
            settings = store_settings.load(session)
        current = Scope(conn, settings, filters)
        if filters.segments:
            current.segment_table = _segment_table(current, filters.segments, as_of)
        try:
            yield current
        finally:
            conn.rollback()


def _segment_table(sc: Scope, segments: Sequence[str], as_of: dt.date | None) -> Table:
    unfiltered = Scope(sc.conn, sc.settings, Filters())
    members = retention.rfm(customer_totals(unfiltered, as_of), as_of or latest_date(sc))
    ids = members.loc[members["segment"].isin(segments), "customer_id"].astype(int).tolist()
    table = Table(
        "kpi_segment_customers",
        MetaData(),
        Column("customer_id", Integer, primary_key=True),
        prefixes=["TEMPORARY"],
    )
    table.create(sc.conn, checkfirst=True)
    sc.conn.execute(table.delete())
    if ids:
        sc.conn.execute(insert(table), [{"customer_id": i} for i in ids])
    return table
