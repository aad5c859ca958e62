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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    and_,
    case,
    cast,
    func,
    insert,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from core import settings as store_settings
from core.errors import ValidationError
from core.metrics.types import Filters, Period
from core.models import Coupon, Customer, Order, Review, Shipment
from core.settings import StoreSettings
from core.timeutil import day_bounds

_EPOCH_JULIAN = 2440587.5
EPOCH = dt.date(1970, 1, 1)


def day_number(column: Any, dialect: str) -> ColumnElement[int]:
    """Days since 1970-01-01 of a DATE column, as an integer, on SQLite and PostgreSQL."""
    if dialect == "sqlite":
        return cast(func.julianday(column) - _EPOCH_JULIAN, Integer)
    return type_coerce(column - literal_column("DATE '1970-01-01'"), Integer)


def to_days(values: Any) -> pd.Series:
    """Day numbers (days since 1970-01-01) as a datetime64 series."""
    return pd.Series(pd.to_datetime(np.asarray(values, dtype="int64"), unit="D"))


def money(column: Any) -> ColumnElement[float]:
    """An amount read as a float (no Decimal objects per row); 0 when NULL."""
    return cast(func.coalesce(column, 0), Float)


@dataclass
class Scope:
    """A connection, the settings and the filters one KPI computation reads through."""

    conn: Connection
    settings: StoreSettings
    filters: Filters
    segment_table: Table | None = None

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def currencies(self) -> list[str]:
        """Store currency first, then every currency with an exchange rate."""
        return [
            self.settings.currency,
            *sorted(set(self.settings.exchange_rates) - {self.settings.currency}),
        ]

    def currency_index(self, column: Any) -> ColumnElement[int]:
        known = self.currencies()
        return case({c: i for i, c in enumerate(known)}, value=column, else_=-1)

    def rates(self) -> np.ndarray:
        return np.array([float(self.settings.rate(c)) for c in self.currencies()])

    def check_currencies(self, index: np.ndarray, table_currency: Any) -> None:
        """Raise a ValidationError naming a currency without an exchange rate."""
        if len(index) and index.min() < 0:
            known = self.currencies()
            found = self.conn.scalars(select(table_currency).distinct()).all()
            missing = sorted(str(c) for c in found if c not in known)
            raise ValidationError(
                f"No exchange rate from {', '.join(missing)} to {self.settings.currency}.",
                field="exchange_rates",
                hint="Add it on the Settings page or with `settings set rate.XXX VALUE`.",
            )

    def order_conditions(
        self, period: Period | None, order: Any = Order
    ) -> list[ColumnElement[bool]]:
        """Valid orders of the period that pass the filters."""
        conds: list[ColumnElement[bool]] = [
            order.cancelled_at.is_(None),
            order.status != "cancelled",
            order.is_test.is_(False),
        ]
        if period is not None:
            conds.append(order.placed_date.between(period.start, period.end))
        f = self.filters
        if f.countries:
            by_customer = select(Customer.id).where(Customer.country.in_(f.countries))
            conds.append(
                or_(
                    order.shipping_country.in_(f.countries),
                    and_(order.shipping_country.is_(None), order.customer_id.in_(by_customer)),
                )
            )
        if f.delivery_options:
            conds.append(order.delivery_option.in_(f.delivery_options))
        if f.channels:
            conds.append(order.channel.in_(f.channels))
        if self.segment_table is not None:
            conds.append(order.customer_id.in_(select(self.segment_table.c.customer_id)))
        return conds


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
    from core.metrics import retention

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


def raw_rows(sc: Scope, stmt: Executable) -> list[tuple[Any, ...]]:
    """Plain DBAPI tuples of a numeric-only statement: no per-row Row objects or result
    processing (numpy converts tuples fast, Row objects slowly)."""
    result = sc.conn.execute(stmt)
    try:
        rows: list[tuple[Any, ...]] = list(result.cursor.fetchall())
    finally:
        result.close()
    return rows


def _frame(sc: Scope, stmt: Executable, columns: Sequence[str]) -> pd.DataFrame:
    rows = sc.conn.execute(stmt).all()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    return pd.DataFrame.from_records(rows, columns=list(columns))


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
    return _as_date(found)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


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
    return _as_date(first), _as_date(last)


DIMENSIONS = ("country", "channel", "delivery_option")


def orders_frame(sc: Scope, period: Period | None, dims: bool = False) -> pd.DataFrame:
    """One row per valid order: ``order_id, customer_id, day, currency, total`` (original
    currency), ``gross`` and ``discount`` (store currency); with ``dims`` also ``country``,
    ``channel``, ``delivery_option`` (missing values as "(none)")."""
    cols: list[Any] = [
        Order.id,
        Order.customer_id,
        day_number(Order.placed_date, sc.dialect),
        sc.currency_index(Order.currency),
        money(Order.total),
        money(Order.discount_amount),
    ]
    names = ["order_id", "customer_id", "day", "cur", "total", "discount_raw"]
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
        numeric = frame[names[:6]].to_numpy(dtype="float64") if len(frame) else np.empty((0, 6))
    else:
        numeric = np.array(rows, dtype="float64").reshape(-1, 6)
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
    if dims:
        for name in DIMENSIONS:
            frame[name] = frame[name].fillna("(none)").astype(str)
    keep = ["order_id", "customer_id", "day", "currency", "total", "gross", "discount"]
    return frame[keep + (list(DIMENSIONS) if dims else [])]


def epoch_seconds(column: Any, dialect: str) -> ColumnElement[float]:
    """Seconds since 1970-01-01 UTC of a UTC timestamp column, as a float."""
    if dialect == "sqlite":
        return cast((func.julianday(column) - _EPOCH_JULIAN) * 86400.0, Float)
    return cast(func.extract("epoch", column), Float)


def local_days(seconds: np.ndarray, sc: Scope) -> np.ndarray:
    """Local calendar days (datetime64) of UTC epoch seconds, in the store's time zone."""
    at = pd.to_datetime(np.round(seconds, 3), unit="s", utc=True)
    local = pd.DatetimeIndex(at).tz_convert(sc.settings.tz).tz_localize(None).normalize()
    return local.to_numpy().astype("datetime64[ns]")


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
    frame = _frame(sc, stmt, ["order_id", "at", "currency", "amount", "order_currency", "disc"])
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
    raw = np.array(raw_rows(sc, stmt), dtype="float64").reshape(-1, 5)
    cur = raw[:, 1].astype("int64")
    sc.check_currencies(cur, Order.currency)
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
    frame = _frame(sc, stmt, [*names, "ready_at", "picked_up_at"])
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
    frame = _frame(sc, stmt, names)
    frame["day"] = to_days(frame["day"].fillna(0)).to_numpy()
    frame["rating"] = frame["rating"].astype("int64")
    frame["nps"] = pd.to_numeric(frame["nps"]).astype("float64")
    frame["on_time"] = pd.to_numeric(frame["on_time"]).astype("float64")
    return frame


OPTION_SAMPLE = 50_000
"""Channels and shipping countries are offered from the latest orders (an index range, not a
scan of the whole table); customers' countries and delivery options come from all rows."""


def filter_options(engine: Engine) -> dict[str, list[str]]:
    """Values the global filters offer: countries, delivery options, channels."""
    latest = (
        select(Order.shipping_country, Order.channel)
        .order_by(Order.placed_date.desc())
        .limit(OPTION_SAMPLE)
        .subquery()
    )
    with engine.connect() as conn:
        combos = conn.execute(select(latest.c.shipping_country, latest.c.channel).distinct()).all()
        countries = set(conn.scalars(select(Customer.country).distinct()).all())
        options = conn.scalars(select(Order.delivery_option).distinct()).all()
    countries |= {c for c, _ in combos}
    return {
        "countries": sorted(c for c in countries if c),
        "delivery_options": sorted(o for o in options if o),
        "channels": sorted({c for _, c in combos if c}),
    }


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
            _count_if(Review.rating >= 4),
            func.count(Review.nps),
            _count_if(Review.nps >= 9),
            _count_if(Review.nps <= 6),
        )
        .join(Order, Order.id == Review.order_id)
        .where(*conds)
        .group_by(day)
    )
    names = ["day", "reviews", "rating_sum", "satisfied", "nps_answers", "promoters", "detractors"]
    return _counts(sc, stmt, names)


def _count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((cond, 1), else_=0))


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
    return _counts(sc, stmt, ["day", "delivered", "on_time"])


def _counts(sc: Scope, stmt: Executable, names: Sequence[str]) -> pd.DataFrame:
    raw = np.array(raw_rows(sc, stmt), dtype="float64").reshape(-1, len(names))
    frame = pd.DataFrame(np.nan_to_num(raw[:, 1:]).astype("int64"), columns=list(names[1:]))
    frame.insert(0, "day", to_days(raw[:, 0]).to_numpy())
    return frame


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
