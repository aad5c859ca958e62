"""Slot capacity: holds and bookings.

A slot row is created when first held. ``taken`` counts its live holds and bookings and only
grows through ``UPDATE ... SET taken = taken + 1 WHERE id = ? AND taken < capacity``: one
statement the database serialises (a row lock on PostgreSQL, the write lock on SQLite), so two
customers can never take the last place. Expired holds give their place back when a full slot
is asked for. Quotes only read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.errors import ConflictError, NotFound
from core.models import DeliveryOption, DeliverySlot, Order, SlotReservation

HELD, BOOKED = "held", "booked"


class SlotFull(ConflictError):
    """The slot has no place left (someone else took the last one)."""


SLOT_FULL = "This time slot has just been fully booked."


def _slot(session: Session, option: DeliveryOption, start: dt.datetime, end: dt.datetime) -> int:
    """The id of the slot row, created when missing (a concurrent creation is tolerated)."""
    query = select(DeliverySlot.id).where(
        DeliverySlot.option_code == option.code, DeliverySlot.starts_at == start
    )
    found = session.scalar(query)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            slot = DeliverySlot(
                option_code=option.code,
                starts_at=start,
                ends_at=end,
                capacity=option.slot_capacity,
                taken=0,
            )
            session.add(slot)
            session.flush()
            return slot.id
    except IntegrityError:
        slot_id = session.scalar(query)
        if slot_id is None:
            raise
        return slot_id


def _give_back(session: Session, slot_id: int, count: int) -> None:
    if count:
        session.execute(
            update(DeliverySlot)
            .where(DeliverySlot.id == slot_id)
            .values(taken=DeliverySlot.taken - count)
        )


def _purge_expired(session: Session, slot_id: int, now: dt.datetime) -> int:
    ids = list(
        session.scalars(
            select(SlotReservation.id).where(
                SlotReservation.slot_id == slot_id,
                SlotReservation.state == HELD,
                SlotReservation.expires_at < now,
            )
        )
    )
    if not ids:
        return 0
    result = session.execute(
        delete(SlotReservation).where(SlotReservation.id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    gone = int(result.rowcount or 0)  # type: ignore[attr-defined]
    _give_back(session, slot_id, gone)
    return gone


def _claim(session: Session, slot_id: int, capacity: int, now: dt.datetime) -> None:
    for attempt in range(2):
        result = session.execute(
            update(DeliverySlot)
            .where(DeliverySlot.id == slot_id, DeliverySlot.taken < capacity)
            .values(taken=DeliverySlot.taken + 1, capacity=capacity),
            execution_options={"synchronize_session": False},
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return
        if attempt == 0 and not _purge_expired(session, slot_id, now):
            break
    raise SlotFull(SLOT_FULL, field="slot", hint="Choose another time slot.")


def _drop(session: Session, reservation: SlotReservation) -> None:
    slot_id = reservation.slot_id
    session.delete(reservation)
    session.flush()
    _give_back(session, slot_id, 1)


def reservation(session: Session, order_id: int, state: str) -> SlotReservation | None:
    return session.scalar(
        select(SlotReservation).where(
            SlotReservation.order_id == order_id, SlotReservation.state == state
        )
    )


def hold(
    session: Session,
    order: Order,
    option: DeliveryOption,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    minutes: int,
) -> SlotReservation:
    """Take a place in the slot for ``minutes`` (replacing the order's earlier hold)."""
    earlier = reservation(session, order.id, HELD)
    if earlier is not None:
        _drop(session, earlier)
    slot_id = _slot(session, option, start, end)
    _claim(session, slot_id, option.slot_capacity, now)
    held = SlotReservation(
        slot_id=slot_id,
        order_id=order.id,
        state=HELD,
        expires_at=now + dt.timedelta(minutes=minutes),
    )
    session.add(held)
    session.flush()
    return held


def confirm(
    session: Session, order: Order, option: DeliveryOption, now: dt.datetime
) -> DeliverySlot:
    """Turn the order's hold into its booking (an expired hold is claimed again when the slot
    still has room); the order's earlier booking gives its place back."""
    held = reservation(session, order.id, HELD)
    if held is None:
        raise NotFound("There is no held time slot to confirm.", hint="Choose a time slot again.")
    slot = session.get(DeliverySlot, held.slot_id)
    if slot is None:
        raise NotFound("The held time slot no longer exists.", hint="Choose a time slot again.")
    if held.expires_at is not None and held.expires_at < now:
        slot_id = held.slot_id
        _drop(session, held)
        _claim(session, slot_id, option.slot_capacity, now)
        held = SlotReservation(slot_id=slot_id, order_id=order.id, state=HELD)
        session.add(held)
    earlier = reservation(session, order.id, BOOKED)
    if earlier is not None:
        _drop(session, earlier)
    held.state, held.expires_at = BOOKED, None
    session.flush()
    session.refresh(slot)
    return slot


def book(
    session: Session,
    order: Order,
    option: DeliveryOption,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
) -> DeliverySlot:
    """Hold and confirm in one step."""
    hold(session, order, option, start, end, now, minutes=1)
    return confirm(session, order, option, now)


def release(session: Session, order_id: int) -> int:
    """Give back the order's hold and booking (e.g. when it switches to pickup)."""
    count = 0
    for state in (HELD, BOOKED):
        found = reservation(session, order_id, state)
        if found is not None:
            _drop(session, found)
            count += 1
    return count


@dataclass(frozen=True)
class SlotUse:
    taken: int
    capacity: int


def usage(
    session: Session, code: str, starts: Sequence[dt.datetime], now: dt.datetime
) -> dict[dt.datetime, SlotUse]:
    """Places taken per slot start (expired holds not counted), for the given starts."""
    if not starts:
        return {}
    expired = (
        select(func.count(SlotReservation.id))
        .where(
            SlotReservation.slot_id == DeliverySlot.id,
            SlotReservation.state == HELD,
            SlotReservation.expires_at < now,
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(DeliverySlot.starts_at, DeliverySlot.taken - expired, DeliverySlot.capacity).where(
            DeliverySlot.option_code == code,
            DeliverySlot.starts_at >= min(starts),
            DeliverySlot.starts_at <= max(starts),
        )
    )
    return {start: SlotUse(int(taken), int(cap)) for start, taken, cap in rows}
