"""Price differences of self-service changes: refused when dearer unless the merchant lets the
shop charge them; recorded on the event, in the merchant's report and on the bookings; each
change measured against what the delivery costs after the previous one."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.delivery import board, pricing, selfservice
from core.delivery import config as delivery_config
from core.errors import ValidationError
from core.models import Order, SlotReservation, WebhookCall
from tests.core.delivery.conftest import MERCHANT, customer_order, option, store

NOW = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)


def _shop(session: Session, dearer: str) -> None:
    option(session, code="standard", price="4.90")
    option(session, code="scheduled", kind="scheduled", name="Express slot", price="9.90",
           time_slots="08:00-12:00", slot_days="mon-sat", slot_capacity=3)  # fmt: skip
    option(session, code="collect", kind="pickup", price="0")
    store(session, opening_hours="Mon-Sun 00:00-24:00")
    config = delivery_config.DeliveryConfig(
        report_url="https://merchant.example.com/hook", dearer_changes=dearer
    )
    delivery_config.save(session, MERCHANT, config)


def _order(session: Session) -> Order:
    order = customer_order(session, option_code="standard")
    order.shipping_amount = Decimal("4.90")
    session.flush()
    return order


def test_a_dearer_slot_is_refused_by_default(session: Session) -> None:
    _shop(session, delivery_config.REFUSE)
    order = _order(session)
    offered = selfservice.choices(session, order, NOW)
    assert offered.refused == {"scheduled"}
    assert offered.prices["scheduled"] == pricing.PriceChange(
        Decimal("9.90"), Decimal("5.00"), "EUR"
    )
    assert offered.prices["collect"].difference == Decimal("-4.90")  # cheaper: allowed
    start = offered.slotted[0]["slots"][0]["start"]
    with pytest.raises(pricing.DearerRefused):
        selfservice.hold_slot(session, order, "scheduled", start, NOW)
    assert session.scalar(select(func.count()).select_from(SlotReservation)) == 0


def test_allowed_changes_record_the_difference_against_the_last_change(session: Session) -> None:
    _shop(session, delivery_config.SHOP_CHARGES)
    order = _order(session)
    offered = selfservice.choices(session, order, NOW)
    assert offered.refused == frozenset()
    start = offered.slotted[0]["slots"][0]["start"]
    selfservice.hold_slot(session, order, "scheduled", start, NOW)
    booked = selfservice.confirm_slot(session, order, NOW)
    assert {k: booked.event.payload[k] for k in ("price", "price_difference", "currency")} == {
        "price": "9.90", "price_difference": "5.00", "currency": "EUR",
    }  # fmt: skip
    [row] = board.bookings(session, NOW - dt.timedelta(days=1))
    assert (row.price_difference, row.currency) == (Decimal("5.00"), "EUR")
    # From the express slot (9.90 now) to free pickup: 9.90 less, not 4.90.
    later = NOW + dt.timedelta(minutes=5)
    switched = selfservice.switch_to_pickup(session, order, "collect", "ber", later)
    assert switched.event.payload["price_difference"] == "-9.90"
    reports = session.scalars(select(WebhookCall.body).order_by(WebhookCall.id)).all()
    sent = [json.loads(body) for body in reports]
    assert [(r["event"], r["price_difference"], r["currency"]) for r in sent] == [
        ("slot_booked", "5.00", "EUR"), ("switched_to_pickup", "-9.90", "EUR"),
    ]  # fmt: skip


def test_the_setting_is_checked() -> None:
    with pytest.raises(ValidationError) as info:
        delivery_config.clean(delivery_config.DeliveryConfig(dearer_changes="sometimes"))
    assert info.value.field == "dearer_changes"
