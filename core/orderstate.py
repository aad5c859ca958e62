"""Order state from order events: the one place that applies an event to an order.

The shared contract, for every source of events (imports, ``python -m core event``, the demo,
and the live ingest, delivery self-service and coupon code to come)::

    applied = apply_event(session, order, "refunded", occurred_at, source="api",
                          ref="refund-123", amount=Decimal("5.00"))

- runs in the caller's transaction (it flushes, never commits) and writes the ``order_events``
  row together with the order's fields and its shipment rows, so both land or neither does;
- the event key is (order, type, ref) (:data:`core.events.KEY`): events that happen once per
  order take ``ref=""``; repeatable ones (a shipment's steps, a refund) take their shipment or
  refund id. A key already logged changes nothing, and ``applied.created`` is False with
  ``applied.event`` the row recorded first (its ``recorded_at`` says when);
- ``paid`` sets ``paid_at``; ``cancelled`` sets ``cancelled_at``; ``shipped``,
  ``out_for_delivery``, ``delivered``, ``ready_for_pickup`` and ``picked_up`` set that moment on
  the shipment whose tracking number (or source reference) is ``ref`` (without a ref: the
  order's first shipment),
  creating the shipment row when there is none, so on-time KPIs see every delivery;
- ``refunded`` adds ``amount`` to ``refunded_amount`` (without an amount: a full refund of what
  remains) and sets ``refunded_at`` to the latest refund;
- the status follows :func:`order_status`: cancelled > fully refunded > delivered > shipped
  (``fulfilled``) > paid > open. A status a source gave without a moment (a shop export saying
  "paid" with no payment time) is kept as a floor for the open..delivered levels.

Bulk paths (imports, the demo) compute the same state with :func:`statuses` on whole columns;
tests check that both paths agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import events
from core.errors import ValidationError
from core.models import Order, OrderEvent, Shipment

LEVELS = ("open", "paid", "fulfilled", "delivered")
"""Statuses in order of progress; ``cancelled`` and ``refunded`` come before all of them."""
FLOOR = {"paid": 1, "fulfilled": 2, "delivered": 3, "refunded": 1}
"""The progress level a stored status implies by itself (a refunded order was paid)."""
SHIPMENT_COLUMNS = {
    "shipped": "shipped_at",
    "out_for_delivery": "out_for_delivery_at",
    "delivered": "delivered_at",
    "ready_for_pickup": "ready_for_pickup_at",
    "picked_up": "picked_up_at",
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Applied:
    """What :func:`apply_event` did: ``created`` False means the key was already logged and
    ``event`` is that earlier row (``event.recorded_at`` says when it was recorded)."""

    event: OrderEvent
    created: bool

    @property
    def recorded_at(self) -> dt.datetime:
        return self.event.recorded_at


def order_status(
    *,
    cancelled: bool,
    fully_refunded: bool,
    delivered: bool,
    shipped: bool,
    paid: bool,
    floor: str | None = None,
) -> str:
    """The status by precedence: cancelled > fully refunded > delivered > shipped > paid > open;
    ``floor`` (a status stored without its moment) keeps at least its progress level."""
    if cancelled:
        return "cancelled"
    if fully_refunded:
        return "refunded"
    level = 3 if delivered else 2 if shipped else 1 if paid else 0
    return LEVELS[max(level, FLOOR.get(floor or "", 0))]


def statuses(
    *,
    cancelled: np.ndarray,
    fully_refunded: np.ndarray,
    delivered: np.ndarray,
    shipped: np.ndarray,
    paid: np.ndarray,
    floor: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`order_status` on whole columns (boolean arrays; ``floor`` an object array of
    stored statuses or None), for the bulk paths."""
    level = np.select([delivered, shipped, paid], [3, 2, 1], 0)
    if floor is not None and len(floor):
        floors = pd.Series(floor, dtype=object).map(FLOOR).fillna(0).to_numpy(dtype=np.int64)
        level = np.maximum(level, floors)
    progress = np.asarray(LEVELS, dtype=object)[level]
    return np.select(
        [cancelled, fully_refunded], ["cancelled", "refunded"], progress.astype(object)
    ).astype(object)


def is_fully_refunded(order: Order) -> bool:
    return order.refunded_at is not None and (order.refunded_amount or 0) >= order.total


def _done(shipment: Shipment) -> bool:
    return shipment.delivered_at is not None or shipment.picked_up_at is not None


def _shipment_flags(shipments: list[Shipment]) -> tuple[bool, bool]:
    """(delivered, shipped): delivered when every shipment arrived or was picked up, shipped
    when any left the warehouse (or waits at a pickup point)."""
    done = [_done(s) for s in shipments]
    moments = (
        (s.shipped_at, s.out_for_delivery_at, s.ready_for_pickup_at, s.delivered_at, s.picked_up_at)
        for s in shipments
    )
    sent = any(m is not None for row in moments for m in row)
    return bool(done) and all(done), sent


def _facts_status(order: Order, floor: str | None) -> str:
    delivered, shipped = _shipment_flags(list(order.shipments))
    return order_status(
        cancelled=order.cancelled_at is not None,
        fully_refunded=is_fully_refunded(order),
        delivered=delivered,
        shipped=shipped,
        paid=order.paid_at is not None,
        floor=floor,
    )


def _floor(order: Order) -> str | None:
    """The stored status when it says more than the stored moments do (a status a source gave
    without its moment); None when the moments explain it."""
    facts = _facts_status(order, None)
    if facts not in LEVELS or FLOOR.get(order.status, 0) <= LEVELS.index(facts):
        return None
    return order.status


def refresh_status(order: Order, floor: str | None = None) -> str:
    """Set ``order.status`` from its stored moments and shipments; ``floor`` is a status to
    keep at least the progress of (see :func:`order_status`), by default the stored status."""
    order.status = _facts_status(order, order.status if floor is None else floor)
    return order.status


def _shipment(session: Session, order: Order, ref: str, payload: dict[str, Any]) -> Shipment:
    shipments = sorted(order.shipments, key=lambda s: s.id or 0)
    chosen = next((s for s in shipments if ref and ref in (s.tracking_number, s.ref)), None)
    if chosen is None and not ref and shipments:
        chosen = shipments[0]
    if chosen is None and ref:  # a parcel known without its number (an import) takes it
        chosen = next((s for s in shipments if s.tracking_number is None and not _done(s)), None)
    if chosen is None:
        chosen = Shipment(order=order)
        session.add(chosen)
    if ref and chosen.tracking_number is None and chosen.ref != ref:  # not the source's parcel id
        chosen.tracking_number = ref
    for key in ("carrier", "tracking_url"):
        if payload.get(key) and getattr(chosen, key) is None:
            setattr(chosen, key, str(payload[key]))
    return chosen


def _refund(order: Order, amount: Decimal | None, at: dt.datetime) -> Decimal:
    """Add a refund to the order; returns its amount (the remainder when ``amount`` is None)."""
    already = order.refunded_amount or Decimal("0")
    remaining = max(order.total - already, Decimal("0"))
    if amount is None:
        amount = remaining
    amount = Decimal(amount).quantize(CENT)
    if amount <= 0 and remaining > 0:
        raise ValidationError("A refund amount must be more than 0.", field="amount")
    if amount > remaining:
        raise ValidationError(
            f"A refund of {amount} is more than the {remaining} left to refund on order "
            f"{order.external_id} (total {order.total}, refunded so far {already}).",
            field="amount",
            hint="Give the amount refunded this time, at most what is left.",
        )
    order.refunded_amount = already + amount
    order.refunded_at = at if order.refunded_at is None else max(order.refunded_at, at)
    return amount


def _existing(session: Session, order: Order, event_type: str, ref: str) -> OrderEvent:
    return session.scalars(
        select(OrderEvent).where(
            OrderEvent.order_id == order.id, OrderEvent.type == event_type, OrderEvent.ref == ref
        )
    ).one()


def apply_event(
    session: Session,
    order: Order,
    event_type: str,
    occurred_at: dt.datetime,
    *,
    source: str,
    ref: str = "",
    payload: dict[str, Any] | None = None,
    amount: Decimal | None = None,
    recorded_at: dt.datetime | None = None,
) -> Applied:
    """Apply one event to ``order`` and its shipments and log it (see the module docstring for
    the contract). ``amount`` is a refund's amount (None: a full refund); ``payload`` is kept
    on the event row (``carrier`` and ``tracking_url`` also fill an empty shipment's fields).
    Raises :class:`~core.errors.ValidationError` for an unknown type, a reference on an event
    that happens once, or a refund above what is left; nothing is written then."""
    events.check_type(event_type)
    ref = events.check_ref(event_type, ref)
    if occurred_at.tzinfo is None:
        raise ValidationError("An event time needs a time zone.", field="occurred_at")
    if amount is not None and event_type != "refunded":
        raise ValidationError("Only a refund takes an amount.", field="amount")
    body = dict(payload or {})
    session.flush()
    floor = _floor(order) or "open"
    if event_type == "refunded":
        already = session.scalar(
            select(OrderEvent.id).where(
                OrderEvent.order_id == order.id,
                OrderEvent.type == "refunded",
                OrderEvent.ref == ref,
            )
        )
        if already is not None:
            return Applied(session.get_one(OrderEvent, already), created=False)
        with session.no_autoflush:
            refunded = _refund(order, amount, occurred_at)
        body.update(amount=f"{refunded}", full=is_fully_refunded(order))
    row = events.event_row(
        order.id, order.customer_id, event_type, occurred_at, source, body, recorded_at, ref
    )
    new_id = session.execute(
        events.insert_ignoring_duplicates(session).returning(OrderEvent.id), row
    ).scalar()
    if new_id is None:
        if event_type == "refunded":  # pragma: no cover - a concurrent writer won the key
            session.expire(order)
        return Applied(_existing(session, order, event_type, ref), created=False)
    if event_type == "paid" and order.paid_at is None:
        order.paid_at = occurred_at
    elif event_type == "cancelled" and order.cancelled_at is None:
        order.cancelled_at = occurred_at
    elif event_type in SHIPMENT_COLUMNS:
        shipment = _shipment(session, order, ref, body)
        column = SHIPMENT_COLUMNS[event_type]
        if getattr(shipment, column) is None:
            setattr(shipment, column, occurred_at)
    refresh_status(order, floor)
    session.flush()
    return Applied(session.get_one(OrderEvent, new_id), created=True)
