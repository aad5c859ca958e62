"""What the merchant sees of delivery: slot capacity and bookings per day, the bookings
themselves, pickup lead times per store, and the promise-kept rate per option and carrier."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.delivery.calendar import WEEKDAYS
from core.delivery.promise import windows
from core.models import (
    Customer,
    DeliveryOption,
    DeliverySlot,
    Order,
    OrderEvent,
    PickupLocation,
    Shipment,
    SlotReservation,
)


@dataclass(frozen=True)
class SlotRow:
    option: str
    day: dt.date
    window: str
    capacity: int
    booked: int
    held: int

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.booked - self.held, 0)


def slot_board(session: Session, now: dt.datetime, days: int = 14) -> list[SlotRow]:
    """Every slot of the active scheduled options for ``days`` from today (store time), with
    its capacity, bookings and live holds. Slots written in a destination's own zone (e.g.
    08:00-12:00 Dublin time) are listed too, their window in store time and marked so."""
    tz = store_settings.load(session).tz
    options = session.scalars(
        select(DeliveryOption).where(DeliveryOption.active, DeliveryOption.kind == "scheduled")
    ).all()
    counts: dict[tuple[str, dt.datetime], tuple[int, int]] = {}
    ends: dict[tuple[str, dt.datetime], dt.datetime] = {}
    rows = session.execute(
        select(
            DeliverySlot.option_code,
            DeliverySlot.starts_at,
            DeliverySlot.ends_at,
            SlotReservation.state,
        )
        .join(SlotReservation, SlotReservation.slot_id == DeliverySlot.id)
        .where(DeliverySlot.starts_at >= now - dt.timedelta(days=1))
        .where((SlotReservation.state == "booked") | (SlotReservation.expires_at >= now))
    )
    for code, start, end, state in rows:
        booked, held = counts.get((code, start), (0, 0))
        counts[(code, start)] = (booked + (state == "booked"), held + (state == "held"))
        ends[(code, start)] = end
    today = now.astimezone(tz).date()
    out = []
    for option in options:
        allowed = set(option.slot_days or WEEKDAYS[:6])
        for offset in range(days):
            day = today + dt.timedelta(days=offset)
            if WEEKDAYS[day.weekday()] not in allowed:
                continue
            for opens, closes in windows(option):
                start = dt.datetime.combine(day, opens, tzinfo=tz).astimezone(dt.UTC)
                booked, held = counts.pop((option.code, start), (0, 0))
                out.append(
                    SlotRow(
                        option.code,
                        day,
                        f"{opens:%H:%M}-{closes:%H:%M}",
                        option.slot_capacity,
                        booked,
                        held,
                    )
                )
    capacity = {o.code: o.slot_capacity for o in options}
    for (code, start), (booked, held) in counts.items():
        if code not in capacity:
            continue
        first, last = start.astimezone(tz), ends[(code, start)].astimezone(tz)
        if not today <= first.date() < today + dt.timedelta(days=days):
            continue
        window = f"{first:%H:%M}-{last:%H:%M} (store time, a destination's own zone)"
        out.append(SlotRow(code, first.date(), window, capacity[code], booked, held))
    return sorted(out, key=lambda r: (r.option, r.day, r.window))


@dataclass(frozen=True)
class Booking:
    order: str
    customer: str
    option: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    booked_at: dt.datetime
    price_difference: Decimal | None = None
    """What the booking changed the delivery's price by (the shop charges or refunds it)."""
    currency: str = ""


def _differences(session: Session, refs: list[str]) -> dict[str, tuple[Decimal, str]]:
    """The price difference each booking's event recorded, by its ref."""
    rows = session.execute(
        select(OrderEvent.ref, OrderEvent.payload).where(
            OrderEvent.type.in_(("slot_booked", "delivery_rescheduled")), OrderEvent.ref.in_(refs)
        )
    )
    out = {}
    for ref, payload in rows:
        if isinstance(payload, dict) and "price_difference" in payload:
            out[ref] = (Decimal(str(payload["price_difference"])), str(payload.get("currency", "")))
    return out


def bookings(session: Session, since: dt.datetime) -> list[Booking]:
    """Booked slots starting from ``since``, earliest first, with the price difference each
    booking made."""
    rows = session.execute(
        select(
            SlotReservation.id,
            Order.number,
            Order.external_id,
            Customer.email,
            DeliverySlot.option_code,
            DeliverySlot.starts_at,
            DeliverySlot.ends_at,
            SlotReservation.updated_at,
        )
        .join(SlotReservation, SlotReservation.order_id == Order.id)
        .join(DeliverySlot, DeliverySlot.id == SlotReservation.slot_id)
        .join(Customer, Customer.id == Order.customer_id)
        .where(SlotReservation.state == "booked", DeliverySlot.starts_at >= since)
        .order_by(DeliverySlot.starts_at, Order.id)
    ).all()
    found = _differences(session, [f"booking-{row[0]}" for row in rows])
    return [
        Booking(
            number or ext,
            email or "",
            code,
            start,
            end,
            at,
            *found.get(f"booking-{rid}", (None, "")),
        )
        for rid, number, ext, email, code, start, end, at in rows
    ]


@dataclass(frozen=True)
class LeadTime:
    store: str
    preparation_hours: int
    orders: int
    median_hours: float | None


def pickup_lead_times(session: Session) -> list[LeadTime]:
    """Per store: its preparation time and the median hours from order to ready for pickup."""
    hours: dict[int, list[float]] = {}
    rows = session.execute(
        select(Order.pickup_location_id, Order.placed_at, Shipment.ready_for_pickup_at)
        .join(Shipment, Shipment.order_id == Order.id)
        .where(Order.pickup_location_id.is_not(None), Shipment.ready_for_pickup_at.is_not(None))
    )
    for store_id, placed, ready in rows:
        if store_id is not None and ready is not None:
            hours.setdefault(store_id, []).append((ready - placed).total_seconds() / 3600)
    out = []
    for loc in session.scalars(select(PickupLocation).order_by(PickupLocation.code)):
        values = hours.get(loc.id, [])
        median = round(statistics.median(values), 1) if values else None
        out.append(LeadTime(loc.code, loc.preparation_hours, len(values), median))
    return out


@dataclass(frozen=True)
class PromiseKept:
    option: str
    carrier: str
    delivered: int
    kept: int

    @property
    def rate(self) -> float | None:
        return self.kept / self.delivered if self.delivered else None


def promise_kept(
    session: Session, start: dt.date | None = None, end: dt.date | None = None
) -> list[PromiseKept]:
    """Per option and carrier: valid orders (not cancelled, not test) placed from ``start`` to
    ``end`` (local dates) that were delivered with a promise, and how many by the promised time.
    As for the on-time KPI, an order is delivered when every shipment was delivered (or ready for
    pickup), at the latest of those moments; its carrier is its last shipment's."""
    query = (
        select(
            Order.id,
            Order.delivery_option,
            Order.promised_delivery_at,
            Shipment.carrier,
            Shipment.delivered_at,
            Shipment.ready_for_pickup_at,
        )
        .join(Shipment, Shipment.order_id == Order.id)
        .where(
            Order.promised_delivery_at.is_not(None),
            Order.cancelled_at.is_(None),
            Order.status != "cancelled",
            Order.is_test.is_(False),
        )
        .order_by(Order.id, Shipment.id)
    )
    if start is not None:
        query = query.where(Order.placed_date >= start)
    if end is not None:
        query = query.where(Order.placed_date <= end)
    orders: dict[int, tuple[str, str, dt.datetime | None, list[dt.datetime | None]]] = {}
    for order_id, option, promised, carrier, delivered, ready in session.execute(query):
        _, _, _, moments = orders.setdefault(order_id, (option or "–", "", promised, []))
        moments.append(delivered or ready)
        orders[order_id] = (option or "–", carrier or "–", promised, moments)
    tally: dict[tuple[str, str], list[int]] = {}
    for option, carrier, promised, moments in orders.values():
        if promised is None or any(m is None for m in moments):
            continue
        done = max(m for m in moments if m is not None)
        counts = tally.setdefault((option, carrier), [0, 0])
        counts[0] += 1
        counts[1] += done <= promised
    return [
        PromiseKept(option, carrier, n, kept)
        for (option, carrier), (n, kept) in sorted(tally.items())
    ]
