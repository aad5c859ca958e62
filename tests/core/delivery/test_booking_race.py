"""Two customers booking the last place of a slot at the same moment, each on its own database
connection in its own thread: exactly one gets it, the slot is never over-booked."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.delivery import slots
from core.models import DeliveryOption, DeliverySlot, Order, SlotReservation
from tests.core.delivery.conftest import customer_order, option

START = dt.datetime(2026, 5, 20, 6, 0, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=4)
NOW = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)


def test_two_bookings_race_for_the_last_place(engine: Engine) -> None:
    with Session(engine) as s:
        option(s, code="scheduled", kind="scheduled", time_slots="08:00-12:00", slot_capacity=2)
        first, a, b = (customer_order(s, n).id for n in (1, 2, 3))
        s.commit()
    with Session(engine) as s:  # one place taken: the race is for the last one
        opt = s.scalar(select(DeliveryOption))
        assert opt is not None
        slots.book(s, s.get_one(Order, first), opt, START, END, NOW)
        s.commit()
    barrier = threading.Barrier(2, timeout=30)
    outcome: dict[int, str] = {}

    def attempt(order_id: int) -> None:
        with Session(engine) as s:
            opt = s.scalar(select(DeliveryOption))
            order = s.get_one(Order, order_id)
            assert opt is not None
            barrier.wait()
            try:
                slots.book(s, order, opt, START, END, NOW)
                s.commit()
                outcome[order_id] = "booked"
            except slots.SlotFull:
                s.rollback()
                outcome[order_id] = "full"

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcome.values()) == ["booked", "full"]
    with Session(engine) as s:
        assert s.scalar(select(DeliverySlot.taken)) == 2
        booked = s.scalar(select(func.count()).select_from(SlotReservation))
        assert booked == 2
