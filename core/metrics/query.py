"""The read scope of every KPI query and its SQL helpers.

A :class:`Scope` holds one connection, the store settings and the global filters; its
``order_conditions`` keep valid orders only (not cancelled: no ``cancelled_at`` and status not
``cancelled``; not a test order) in the period and filters. Dates become day numbers and
timestamps epoch seconds in SQL, so rows arrive as plain numbers (no ORM objects, no Row
objects) and numpy converts them at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Float,
    Integer,
    Table,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.sql import Executable

from core.errors import ValidationError
from core.metrics.types import Filters, Period
from core.models import Customer, Order
from core.settings import StoreSettings

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


def raw_rows(sc: Scope, stmt: Executable) -> list[tuple[Any, ...]]:
    """Plain DBAPI tuples of a numeric-only statement: no per-row Row objects or result
    processing (numpy converts tuples fast, Row objects slowly)."""
    result = sc.conn.execute(stmt)
    try:
        rows: list[tuple[Any, ...]] = list(result.cursor.fetchall())
    finally:
        result.close()
    return rows


def frame_of(sc: Scope, stmt: Executable, columns: Sequence[str]) -> pd.DataFrame:
    rows = sc.conn.execute(stmt).all()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    return pd.DataFrame.from_records(rows, columns=list(columns))


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


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def count_if(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(case((cond, 1), else_=0))


def day_counts(sc: Scope, stmt: Executable, names: Sequence[str]) -> pd.DataFrame:
    raw = np.array(raw_rows(sc, stmt), dtype="float64").reshape(-1, len(names))
    frame = pd.DataFrame(np.nan_to_num(raw[:, 1:]).astype("int64"), columns=list(names[1:]))
    frame.insert(0, "day", to_days(raw[:, 0]).to_numpy())
    return frame
