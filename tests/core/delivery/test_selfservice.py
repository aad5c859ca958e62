"""Self-service rules: rescheduling a failed delivery, the change deadline, shipped orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.delivery import selfservice
from core.errors import ValidationError
from core.models import OrderEvent, Shipment
from core.orderstate import apply_event
from tests.core.delivery.conftest import customer_order, option

NOW = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)


def _slotted(session: Session) -> None:
    option(
        session,
        code="scheduled",
        kind="scheduled",
        time_slots="08:00-12:00",
        slot_days="mon-sat",
        slot_capacity=3,
    )


def test_failed_delivery_is_rescheduled_into_a_slot(session: Session) -> None:
    _slotted(session)
    order = customer_order(session, option_code="standard")
    order.shipping_amount = Decimal("4.90")  # paid what the slot costs: no difference
    order.shipments.append(Shipment(carrier="DHL", tracking_number="T1", shipped_at=NOW))
    session.flush()
    assert selfservice.blocked(session, order, NOW) == "shipped"
    apply_event(session, order, "delivery_failed", NOW, source="api", ref="T1")
    assert selfservice.blocked(session, order, NOW) is None
    slot = selfservice.choices(session, order, NOW).slotted[0]["slots"][0]
    selfservice.hold_slot(session, order, "scheduled", slot["start"], NOW)
    applied = selfservice.confirm_slot(session, order, NOW)
    session.commit()
    assert applied.created and applied.event.type == "delivery_rescheduled"
    assert (
        applied.event.payload["slot_start"]
        == dt.datetime.fromisoformat(slot["start"]).astimezone(dt.UTC).isoformat()
    )
    assert order.delivery_option == "scheduled"
    types = session.scalars(select(OrderEvent.type).order_by(OrderEvent.id)).all()
    assert types == ["delivery_failed", "delivery_rescheduled"]


def test_changes_stop_before_the_promise_and_after_delivery(session: Session) -> None:
    _slotted(session)
    order = customer_order(session)
    order.promised_delivery_start = NOW + dt.timedelta(hours=11)
    assert selfservice.blocked(session, order, NOW) == "too_late"  # default: 12 hours before
    order.promised_delivery_start = NOW + dt.timedelta(hours=13)
    assert selfservice.blocked(session, order, NOW) is None
    order.shipments.append(Shipment(delivered_at=NOW))
    session.flush()
    assert selfservice.blocked(session, order, NOW) == "done"
    with pytest.raises(ValidationError):
        selfservice.hold_slot(session, order, "scheduled", "2026-05-19T08:00:00+02:00", NOW)
