"""Per-customer facts kept up to date on every write (see :mod:`core.facts`).

They hold only what can be recomputed from orders, shipments and reviews: ``core.facts.check``
compares them with a full recomputation. ``customer_id`` has no foreign key on purpose: a
cascade would delete rows behind the back of the currency totals; a refresh removes the rows of
deleted customers instead (whoever deletes customers with bulk SQL calls ``core.facts.touch``). Valid orders only (not cancelled, not test). Days are
local order dates as days since 1970-01-01, months as months since 1970-01.
"""

from __future__ import annotations

from sqlalchemy import Float, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base


class CustomerFact(Base):
    """One row per customer and order currency (nearly always one currency per customer):
    order count, amounts in that currency, first and last order day, and the counts behind the
    on-time rate and the review KPIs of those orders."""

    __tablename__ = "customer_facts"

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    gross: Mapped[float] = mapped_column(Float)
    discount: Mapped[float] = mapped_column(Float)
    refunds: Mapped[float] = mapped_column(Float)
    """Refunded amounts of orders with a refund date (on any date)."""
    first_day: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[int] = mapped_column(Integer)
    last_day: Mapped[int] = mapped_column(Integer)
    delivered: Mapped[int] = mapped_column(Integer)
    """Orders with a promised date whose every shipment was delivered or is ready for pickup."""
    on_time: Mapped[int] = mapped_column(Integer)
    reviews: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    nps_answers: Mapped[int] = mapped_column(Integer)
    promoters: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)


class CustomerDay(Base):
    """Customer activity: one row per customer and local day with a valid order. ``gap`` is the
    number of days since the customer's previous order day (NULL on the first), ``first_month``
    the customer's first order month and ``new_month`` 1 on the customer's first day of a month,
    so cohorts, monthly retention, repeat rate by month and the time between orders are
    aggregates over this table."""

    __tablename__ = "customer_days"

    customer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[int] = mapped_column(Integer)
    new_month: Mapped[int] = mapped_column(Integer)
    gap: Mapped[int | None] = mapped_column(Integer)
    orders: Mapped[int] = mapped_column(Integer)
    retained: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    """1 on the customer's first day of a month when they also ordered in the month before."""
    second_order: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    """1 on the day of the customer's second order (their first day when it had two)."""


class CurrencyTotal(Base):
    """The sums of :class:`CustomerFact` per currency, kept with them (a refresh adds the new
    rows' sums and subtracts the old ones'), so the all-time totals are a read of a few rows."""

    __tablename__ = "currency_totals"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer)
    gross: Mapped[float] = mapped_column(Float)
    discount: Mapped[float] = mapped_column(Float)
    refunds: Mapped[float] = mapped_column(Float)
    delivered: Mapped[int] = mapped_column(Integer)
    on_time: Mapped[int] = mapped_column(Integer)
    reviews: Mapped[int] = mapped_column(Integer)
    rating_sum: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    nps_answers: Mapped[int] = mapped_column(Integer)
    promoters: Mapped[int] = mapped_column(Integer)
    detractors: Mapped[int] = mapped_column(Integer)


class FactCount(Base):
    """Counts kept with the facts like :class:`CurrencyTotal`: ``customers`` and ``repeat``
    (bucket 0), ``cohort`` (bucket = first month x 8192 + month: customers of the cohort active
    that month), ``gap`` (bucket = days between two order days: how many such gaps),
    ``retained`` (bucket = month: customers active that month and the month before) and
    ``second`` (bucket = month: customers whose second order fell in that month)."""

    __tablename__ = "fact_counts"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class RfmCell(Base):
    """Customers grouped by what their RFM segment depends on, kept with the facts like
    :class:`FactCount`: ``last_day`` (the customer's last order day) and ``orders`` (all their
    valid orders). The row with ``currency`` ``''`` counts the cell's customers (``gross`` 0);
    a row per order currency sums the gross of the cell's customers in that currency
    (``customers``: how many of them ordered in it). RFM segment sizes and their average spend
    are a read of these few thousand rows instead of one row per customer."""

    __tablename__ = "rfm_cells"

    last_day: Mapped[int] = mapped_column(Integer, primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    customers: Mapped[int] = mapped_column(Integer)
    gross: Mapped[float] = mapped_column(Float)
