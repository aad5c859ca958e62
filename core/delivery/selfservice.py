"""Customer self-service after the order, through a signed, expiring link (no login):
pick or change a time slot, switch to click-and-collect, reschedule a failed delivery.

- The link ``/delivery/{token}`` signs ``{"o": order_id, "c": customer_id}`` with purpose
  ``delivery``; it expires after :data:`LINK_MAX_AGE`. A tampered or expired token is an
  AuthError and changes nothing.
- A change is allowed until ``change_until_hours`` before the promised start, never once the
  order is cancelled, delivered or collected, or shipped (unless its delivery failed).
- Choosing a slot holds it for ``hold_minutes`` (:func:`hold_slot`); confirming books it
  atomically (:func:`confirm_slot`). Each change goes through
  :func:`core.orderstate.apply_event` as a repeatable event (``slot_booked``,
  ``delivery_rescheduled``, ``switched_to_pickup``; ``ref`` names the booking or store) and is
  queued for the merchant's report URL (:mod:`core.delivery.report`).
- Each choice carries its price difference against the current delivery
  (:mod:`core.delivery.pricing`); a dearer one is refused unless the merchant allows it, and
  the change's event and report record the new price and the difference.

The link is the authority (it can only come from an email we sent), so these functions take no
dashboard actor, like :mod:`core.reviews`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.delivery import config as delivery_config
from core.delivery import pricing, report, slots
from core.delivery.basket import Basket, Line
from core.delivery.links import allowed, blocked, delivery_failed, delivery_url, link_token, target
from core.delivery.quote import price_of, quote
from core.errors import NotFound, ValidationError
from core.models import DeliveryOption, Order, PickupLocation
from core.orderstate import Applied, apply_event

__all__ = [
    "Choices",
    "allowed",
    "blocked",
    "choices",
    "confirm_slot",
    "delivery_failed",
    "delivery_url",
    "hold_slot",
    "link_token",
    "switch_to_pickup",
    "target",
]


def order_basket(order: Order) -> Basket:
    """The order as a basket: its lines, destination country and postcode. Orders keep no
    city, so without a postcode pickup stores are sorted by code (the page says so)."""
    lines = tuple(
        Line(line.sku or f"line-{line.line_no}", line.quantity, Decimal(line.unit_price))
        for line in order.lines
    ) or (Line("order", 1, Decimal(order.total)),)
    return Basket(
        country=(order.shipping_country or order.customer.country or "").upper(),
        postcode=(order.shipping_postcode or "").strip().upper(),
        currency=order.currency,
        lines=lines,
        customer_email=order.customer.email,
    )


@dataclass(frozen=True)
class Choices:
    """What the page offers: the scheduled options with their free slots, pickup stores."""

    slotted: list[dict[str, Any]]
    stores: list[dict[str, Any]]
    pickup_code: str | None
    prices: dict[str, pricing.PriceChange] = field(default_factory=dict)
    """Per offered option code: its price for this order and the difference."""
    refused: frozenset[str] = frozenset()
    """Option codes that cost more and that the merchant does not let customers choose."""


def choices(session: Session, order: Order, now: dt.datetime) -> Choices:
    offered = quote(session, order_basket(order), now)["options"]
    slotted = [o for o in offered if o["kind"] == "scheduled"]
    pickup = next((o for o in offered if o["kind"] == "pickup"), None)
    stores = pickup["pickup"]["locations"] if pickup else []
    config = delivery_config.load(session)
    prices = {
        o["code"]: pricing.price_change(session, order, o["price"])
        for o in [*slotted, *([pickup] if pickup else [])]
    }
    refused = frozenset(c for c, change in prices.items() if not pricing.allowed(change, config))
    return Choices(slotted, stores, pickup["code"] if pickup else None, prices, refused)


def change_for(session: Session, order: Order, option: DeliveryOption) -> pricing.PriceChange:
    """The price difference of moving ``order`` to ``option``."""
    price = price_of(option, order_basket(order), store_settings.load(session))
    if price is None:
        raise ValidationError("That delivery option is no longer offered.", field="slot")
    return pricing.price_change(session, order, price)


def _option(session: Session, code: str) -> DeliveryOption:
    option = session.scalar(select(DeliveryOption).where(DeliveryOption.code == code))
    if option is None or not option.active:
        raise ValidationError("That delivery option is no longer offered.", field="slot")
    return option


def hold_slot(session: Session, order: Order, code: str, start: str, now: dt.datetime) -> Any:
    """Hold the slot starting at ``start`` (ISO, as the page listed it) of option ``code``."""
    allowed(session, order, now)
    found = choices(session, order, now)
    offered = next((o for o in found.slotted if o["code"] == code), None)
    slot = next((s for s in (offered or {}).get("slots", []) if s["start"] == start), None)
    if offered is None or slot is None:
        raise slots.SlotFull(slots.SLOT_FULL, field="slot", hint="Choose another time slot.")
    if code in found.refused:
        pricing.check(found.prices[code], delivery_config.load(session))
    option = _option(session, code)
    begin = dt.datetime.fromisoformat(slot["start"]).astimezone(dt.UTC)
    end = dt.datetime.fromisoformat(slot["end"]).astimezone(dt.UTC)
    minutes = delivery_config.load(session).hold_minutes
    return slots.hold(session, order, option, begin, end, now, minutes)


def held(session: Session, order: Order) -> tuple[DeliveryOption, Any] | None:
    """The order's held slot (option and slot row), if any."""
    from core.models import DeliverySlot

    reservation = slots.reservation(session, order.id, slots.HELD)
    if reservation is None:
        return None
    slot = session.get_one(DeliverySlot, reservation.slot_id)
    return _option(session, slot.option_code), slot


def confirm_slot(session: Session, order: Order, now: dt.datetime, source: str = "link") -> Applied:
    """Book the held slot: the order takes the option and the slot as its promise; the event
    is ``delivery_rescheduled`` after a failed delivery, else ``slot_booked``."""
    allowed(session, order, now)
    found = held(session, order)
    if found is None:
        raise NotFound("There is no held time slot to confirm.", hint="Choose a time slot again.")
    option, _ = found
    change = change_for(session, order, option)
    pricing.check(change, delivery_config.load(session))
    event = "delivery_rescheduled" if delivery_failed(session, order) else "slot_booked"
    slot = slots.confirm(session, order, option, now)
    booking = slots.reservation(session, order.id, slots.BOOKED)
    order.delivery_option = option.code
    order.pickup_location_id = None
    order.promised_delivery_start, order.promised_delivery_at = slot.starts_at, slot.ends_at
    payload = {
        "option": option.code,
        "slot_start": slot.starts_at.isoformat(),
        "slot_end": slot.ends_at.isoformat(),
        **change.payload(),
    }
    ref = f"booking-{booking.id if booking else slot.id}"
    applied = apply_event(session, order, event, now, source=source, ref=ref, payload=payload)
    report.queue(session, order, event, ref, payload, now)
    return applied


def switch_to_pickup(
    session: Session, order: Order, code: str, store: str, now: dt.datetime, source: str = "link"
) -> Applied:
    """Collect at ``store`` with pickup option ``code``: slots are given back; the promise is
    the store's ready time."""
    allowed(session, order, now)
    offered = choices(session, order, now)
    info = next((s for s in offered.stores if s["code"] == store), None)
    if offered.pickup_code != code or info is None:
        raise ValidationError("That store is not offered for this order.", field="store")
    change = offered.prices[code]
    pricing.check(change, delivery_config.load(session))
    location = session.scalar(select(PickupLocation).where(PickupLocation.code == store))
    if location is None:
        raise ValidationError("That store is not offered for this order.", field="store")
    slots.release(session, order.id)
    ready = dt.datetime.fromisoformat(info["ready_at"]).astimezone(dt.UTC)
    order.delivery_option = code
    order.pickup_location_id = location.id
    order.promised_delivery_start = order.promised_delivery_at = ready
    payload = {"option": code, "store": store, "ready_at": ready.isoformat(), **change.payload()}
    ref = f"{store}-{now:%Y%m%d%H%M%S}"
    event = "switched_to_pickup"
    applied = apply_event(session, order, event, now, source=source, ref=ref, payload=payload)
    report.queue(session, order, event, ref, payload, now)
    return applied
