"""Orders, their lines, shipments, the normalized event log and reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Currency, Money, Str32, Str64, Str255, Timestamps, UTCTimestamp
from core.models.customers import Customer

ORDER_STATUSES = ("open", "paid", "fulfilled", "delivered", "cancelled", "refunded")
EVENT_TYPES = (
    "placed",
    "paid",
    "shipped",
    "out_for_delivery",
    "delivered",
    "ready_for_pickup",
    "picked_up",
    "cancelled",
    "refunded",
    "review_submitted",
    "delivery_failed",
    "slot_booked",
    "switched_to_pickup",
    "delivery_rescheduled",
)
DELIVERY_CHANGE_EVENTS = ("slot_booked", "switched_to_pickup", "delivery_rescheduled")
"""What a customer's delivery self-service records (repeatable: each change has its ref)."""


class Product(Timestamps, Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[Str64] = mapped_column(unique=True)
    name: Mapped[Str255]
    price: Mapped[Money | None]
    currency: Mapped[Currency | None]
    image_url: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(100), index=True)
    weight_grams: Mapped[int | None]
    tags: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class Order(Timestamps, Base):
    """One order. ``placed_date``/``placed_month`` are the local calendar date and ``YYYY-MM``
    month in the store's time zone, computed when written, so SQL can group by them."""

    __tablename__ = "orders"
    __table_args__ = (
        Index("ix_orders_placed_date", "placed_date"),
        Index("ix_orders_customer_placed", "customer_id", "placed_at"),
        Index("ix_orders_refunded_at", "refunded_at"),
        # Partial: only the few demo orders and platform ids are looked up; imported rows
        # (neither) cost these indexes nothing (migration 0017).
        Index(
            "ix_orders_is_demo",
            "is_demo",
            sqlite_where=text("is_demo = 1"),
            postgresql_where=text("is_demo"),
        ),
        Index(
            "ix_orders_platform_id",
            "platform_id",
            sqlite_where=text("platform_id IS NOT NULL"),
            postgresql_where=text("platform_id IS NOT NULL"),
        ),
        CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[Str64] = mapped_column(unique=True)
    number: Mapped[Str64 | None] = mapped_column(index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    placed_at: Mapped[UTCTimestamp]
    paid_at: Mapped[UTCTimestamp | None]
    cancelled_at: Mapped[UTCTimestamp | None]
    refunded_at: Mapped[UTCTimestamp | None]
    placed_date: Mapped[dt.date] = mapped_column(Date)
    placed_month: Mapped[str] = mapped_column(String(7), index=True)
    status: Mapped[Str32] = mapped_column(default="open")
    currency: Mapped[Currency]
    subtotal: Mapped[Money | None]
    discount_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    shipping_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    tax_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    total: Mapped[Money]
    refunded_amount: Mapped[Money] = mapped_column(default=Decimal("0"))
    discount_code: Mapped[Str64 | None]
    channel: Mapped[Str32 | None]
    delivery_option: Mapped[Str32 | None] = mapped_column(index=True)
    promised_delivery_start: Mapped[UTCTimestamp | None]
    promised_delivery_at: Mapped[UTCTimestamp | None]
    pickup_location_id: Mapped[int | None] = mapped_column(
        ForeignKey("pickup_locations.id", ondelete="SET NULL")
    )
    shipping_country: Mapped[str | None] = mapped_column(String(2))
    shipping_address: Mapped[Str255 | None]
    shipping_postcode: Mapped[Str32 | None]
    note: Mapped[str | None] = mapped_column(Text)
    platform_id: Mapped[Str64 | None]
    """The shop platform's own id (``shopify:450789469``), for events that carry only it."""
    source_updated_at: Mapped[UTCTimestamp | None]
    """The shop's ``updated_at`` of the version stored (an older update is not applied)."""
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.line_no"
    )
    shipments: Mapped[list[Shipment]] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(default=1)
    sku: Mapped[Str64 | None] = mapped_column(index=True)
    name: Mapped[Str255]
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[Money]

    order: Mapped[Order] = relationship(back_populates="lines")


class Shipment(Timestamps, Base):
    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    ref: Mapped[Str64 | None]
    """The source's own reference (a Shopify fulfillment id), to find the parcel again."""
    carrier: Mapped[Str64 | None]
    tracking_number: Mapped[Str64 | None]
    tracking_url: Mapped[str | None] = mapped_column(String(500))
    shipped_at: Mapped[UTCTimestamp | None]
    out_for_delivery_at: Mapped[UTCTimestamp | None]
    delivered_at: Mapped[UTCTimestamp | None]
    ready_for_pickup_at: Mapped[UTCTimestamp | None]
    picked_up_at: Mapped[UTCTimestamp | None]

    order: Mapped[Order] = relationship(back_populates="shipments")


class OrderEvent(Base):
    """The normalized event log, written through :func:`core.orderstate.apply_event` (or its
    bulk equivalents). One event per (order, type, ref): ``ref`` is "" for events that happen
    once (placed, paid, cancelled) and the shipment, refund or change id for repeatable ones;
    ``source`` says where it came from (import, cli, api, demo, worker)."""

    __tablename__ = "order_events"
    __table_args__ = (
        UniqueConstraint("order_id", "type", "ref"),
        Index("ix_order_events_type_at", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[Str32]
    ref: Mapped[Str64] = mapped_column(default="", server_default="")
    occurred_at: Mapped[UTCTimestamp]
    recorded_at: Mapped[UTCTimestamp]
    source: Mapped[Str32] = mapped_column(default="import")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Review(Timestamps, Base):
    """One review per order (the latest wins): rating 1-5, optional NPS 0-10."""

    __tablename__ = "reviews"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("nps IS NULL OR nps BETWEEN 0 AND 10", name="nps_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]
    nps: Mapped[int | None]
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[UTCTimestamp]
    submitted_date: Mapped[dt.date] = mapped_column(Date, index=True)
    source: Mapped[Str32] = mapped_column(default="import")
    merchant_notified_at: Mapped[UTCTimestamp | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class DeliveryOption(Timestamps, Base):
    """A way to deliver an order, offered by rules (countries, minimum basket, and an eligibility
    condition in the workflow condition schema over the basket fields of
    :mod:`core.delivery.rules`). ``prices`` and ``free_above`` map a currency to an amount
    (text); ``transit_days`` maps a country to ``[min, max]`` working days."""

    __tablename__ = "delivery_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str32] = mapped_column(unique=True)
    name: Mapped[Str255]
    kind: Mapped[Str32]  # standard | express | pickup | scheduled
    price: Mapped[Money] = mapped_column(default=Decimal("0"))
    currency: Mapped[Currency]
    lead_days_min: Mapped[int] = mapped_column(default=1)
    lead_days_max: Mapped[int] = mapped_column(default=3)
    countries: Mapped[list[str]] = mapped_column(default=list)
    min_basket: Mapped[Money | None]
    time_slots: Mapped[list[str]] = mapped_column(default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    prices: Mapped[dict[str, str]] = mapped_column(default=dict, server_default="{}")
    free_above: Mapped[dict[str, str]] = mapped_column(default=dict, server_default="{}")
    rules: Mapped[dict[str, Any] | None]
    cutoff_time: Mapped[str] = mapped_column(String(5), default="14:00", server_default="14:00")
    transit_days: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    carrier: Mapped[Str64 | None]
    slot_days: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    slot_capacity: Mapped[int] = mapped_column(default=10, server_default="10")
    slot_cutoff_hours: Mapped[int] = mapped_column(default=12, server_default="12")


class PickupLocation(Timestamps, Base):
    __tablename__ = "pickup_locations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[Str32] = mapped_column(unique=True)
    name: Mapped[Str255]
    address: Mapped[Str255]
    city: Mapped[str] = mapped_column(String(100))
    postcode: Mapped[Str32 | None]
    country: Mapped[str] = mapped_column(String(2))
    opening_hours: Mapped[str | None] = mapped_column(String(500))
    preparation_hours: Mapped[int] = mapped_column(default=2, server_default="2")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)


class DeliverySlot(Base):
    """One time slot of a scheduled option, created when first held; ``taken`` counts its
    holds and bookings and only grows with ``taken < capacity`` in the same UPDATE, so two
    customers can never take the last place."""

    __tablename__ = "delivery_slots"
    __table_args__ = (
        UniqueConstraint("option_code", "starts_at"),
        CheckConstraint("taken >= 0", name="taken_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    option_code: Mapped[Str32]
    starts_at: Mapped[UTCTimestamp]
    ends_at: Mapped[UTCTimestamp]
    capacity: Mapped[int]
    taken: Mapped[int] = mapped_column(default=0)


class SlotReservation(Timestamps, Base):
    """An order's place in a slot: ``held`` (until ``expires_at``, while the customer confirms)
    or ``booked``. At most one of each state per order."""

    __tablename__ = "slot_reservations"
    __table_args__ = (UniqueConstraint("order_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("delivery_slots.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    state: Mapped[Str32]
    expires_at: Mapped[UTCTimestamp | None]
