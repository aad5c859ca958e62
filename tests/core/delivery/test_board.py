"""The merchant's figures: promise kept per option and carrier, pickup lead times."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.delivery import board, slots
from core.models import Shipment
from tests.core.delivery.conftest import customer_order, option, store

T0 = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)


def test_promise_kept_per_option_and_carrier(session: Session) -> None:
    late, early, dpd, open_ = (customer_order(session, n, "standard") for n in (1, 2, 3, 4))
    for order, carrier, delivered in (
        (late, "DHL", T0 + dt.timedelta(days=3)),
        (early, "DHL", T0 + dt.timedelta(days=1)),
        (dpd, "DPD", T0 + dt.timedelta(days=2)),
        (open_, "DHL", None),
    ):
        order.promised_delivery_at = T0 + dt.timedelta(days=2)
        order.shipments.append(Shipment(carrier=carrier, delivered_at=delivered))
    session.flush()
    rows = {
        (r.option, r.carrier): (r.delivered, r.kept, r.rate) for r in board.promise_kept(session)
    }
    assert rows == {("standard", "DHL"): (2, 1, 0.5), ("standard", "DPD"): (1, 1, 1.0)}
    assert board.promise_kept(session, dt.date(2026, 6, 1)) == []


def test_pickup_lead_times(session: Session) -> None:
    berlin = store(session, preparation_hours=3)
    store(session, code="ham", name="Hamburg")
    for n, hours in ((1, 2), (2, 4), (3, 9)):
        order = customer_order(session, n, "collect")
        order.pickup_location_id = berlin.id
        order.shipments.append(
            Shipment(ready_for_pickup_at=order.placed_at + dt.timedelta(hours=hours))
        )
    session.flush()
    rows = [
        (r.store, r.preparation_hours, r.orders, r.median_hours)
        for r in board.pickup_lead_times(session)
    ]
    assert rows == [("ber", 3, 3, 4.0), ("ham", 2, 0, None)]


def test_slots_in_a_destination_zone_are_on_the_board(session: Session) -> None:
    now = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)
    slotted = option(session, code="scheduled", kind="scheduled", time_slots="08:00-12:00",
                     slot_days="mon-sun", slot_capacity=4)  # fmt: skip
    dublin = dt.datetime(2026, 5, 20, 8, 0, tzinfo=ZoneInfo("Europe/Dublin"))
    start, end = dublin.astimezone(dt.UTC), (dublin + dt.timedelta(hours=4)).astimezone(dt.UTC)
    slots.book(session, customer_order(session, 1), slotted, start, end, now)
    session.commit()
    day = [r for r in board.slot_board(session, now) if r.day == dt.date(2026, 5, 20)]
    assert [(r.window, r.booked, r.remaining) for r in day] == [
        ("08:00-12:00", 0, 4),
        ("09:00-13:00 (store time, a destination's own zone)", 1, 3),
    ]
