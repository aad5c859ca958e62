"""The merchant's figures: promise kept per option and carrier, pickup lead times."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from core.delivery import board
from core.models import Shipment
from tests.core.delivery.conftest import customer_order, store

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
