"""Quotes: eligibility rules, price per currency, free-above, promised dates around German
public holidays, pickup preparation time, slot capacity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.delivery import slots
from core.delivery.quote import quote
from core.errors import ValidationError
from core.models import DeliverySlot, SlotReservation
from tests.core.delivery.conftest import basket, customer_order, option, product, store

BERLIN = ZoneInfo("Europe/Berlin")
# Friday 22 May 2026, 18:30 in Berlin: after the 14:00 cut-off; Monday 25 May is Whit Monday.
FRIDAY_EVENING = dt.datetime(2026, 5, 22, 18, 30, tzinfo=BERLIN)
MONDAY_MORNING = dt.datetime(2026, 5, 18, 9, 0, tzinfo=BERLIN)


def codes(result: dict[str, object]) -> list[str]:
    return [o["code"] for o in result["options"]]  # type: ignore[attr-defined,index]


def by_code(result: dict[str, object], code: str) -> dict[str, object]:
    return next(o for o in result["options"] if o["code"] == code)  # type: ignore[attr-defined,index]


def test_eligibility_rules_over_basket_fields(session: Session) -> None:
    product(session, "SOFA", grams=40_000, tags=("bulky",))
    product(session, "MUG", grams=350, tags=("fragile",))
    option(session, code="standard")
    option(
        session,
        code="express",
        kind="express",
        price="9.90",
        rules={
            "type": "group",
            "mode": "all",
            "items": [
                {"field": "basket.postcode", "op": "in", "value": ["10", "20"]},
                {"field": "basket.weight_grams", "op": "le", "value": 30_000},
                {"field": "basket.product_tags", "op": "not_in", "value": ["bulky"]},
                {"field": "basket.item_count", "op": "le", "value": 5},
            ],
        },
    )
    option(
        session,
        code="vip",
        kind="express",
        price="0",
        rules={"field": "customer.tags", "op": "contains", "value": "vip"},
    )
    option(
        session,
        code="big",
        price="1",
        rules={"field": "basket.total", "op": "ge", "value": "100"},
    )
    session.commit()
    at = MONDAY_MORNING
    assert codes(quote(session, basket(("MUG", 2, "10")), at)) == ["standard", "express"]
    # Postcode outside the prefixes, too heavy, a bulky item, too many items: no express.
    assert codes(quote(session, basket(("MUG", 2, "10"), postcode="80331"), at)) == ["standard"]
    assert codes(quote(session, basket(("MUG", 6, "10")), at)) == ["standard"]
    assert codes(quote(session, basket(("SOFA", 1, "10")), at)) == ["standard"]
    # Basket total in the store currency: 12 x 10 EUR passes "at least 100".
    assert "big" in codes(quote(session, basket(("MUG", 12, "10")), at))
    # Customer tags come from the known customer of the basket's email.
    order = customer_order(session)
    order.customer.tags = ["vip"]
    session.commit()
    vip = quote(session, basket(("MUG", 1, "10"), email="C1@example.com"), at)
    assert codes(vip)[0] == "vip"


def test_bad_rule_is_named_when_saving(session: Session) -> None:
    with pytest.raises(ValidationError) as info:
        option(session, rules={"field": "basket.weight_grams", "op": "contains", "value": "x"})
    assert info.value.field == "rules" and "Total weight" in str(info.value)
    with pytest.raises(ValidationError) as info:
        option(session, rules={"field": "order.total", "op": "gt", "value": 1})
    assert "The rule: 'order.total' is not a basket field" in str(info.value)


def test_price_per_currency_and_free_above(session: Session) -> None:
    store_settings.set_meta(session, "exchange_rates", {"SEK": "0.0870"})
    option(session, prices="PLN 19.99", free_above="EUR 60, PLN 250")
    session.commit()
    at = MONDAY_MORNING
    assert by_code(quote(session, basket(("MUG", 1, "20")), at), "standard")["price"] == "4.90"
    pln = by_code(quote(session, basket(("MUG", 1, "20"), currency="PLN"), at), "standard")
    assert (pln["price"], pln["currency"]) == ("19.99", "PLN")
    # No SEK price: the EUR price converted with the store's rate (4.90 / 0.087).
    sek = by_code(quote(session, basket(("MUG", 1, "20"), currency="SEK"), at), "standard")
    assert sek["price"] == str((Decimal("4.90") / Decimal("0.0870")).quantize(Decimal("0.01")))
    # No price and no rate: not offered in that currency.
    assert codes(quote(session, basket(("MUG", 1, "20"), currency="CHF"), at)) == []
    # Free above the threshold of the basket's currency (60 EUR; 250 PLN).
    assert by_code(quote(session, basket(("MUG", 3, "20")), at), "standard")["price"] == "0.00"
    assert by_code(quote(session, basket(("MUG", 2, "29.99")), at), "standard")["price"] == "4.90"
    pln_free = quote(session, basket(("MUG", 5, "50"), currency="PLN"), at)
    assert by_code(pln_free, "standard")["price"] == "0.00"


def test_friday_evening_order_before_a_german_public_holiday(session: Session) -> None:
    option(session, code="standard", lead_days_min=1, lead_days_max=2)
    option(session, code="express", kind="express", price="9.90", lead_days_min=1, lead_days_max=1)
    option(session, code="nextday_at", price="5", transit_days="AT 2-3")
    session.commit()
    result = quote(session, basket(("MUG", 1, "20")), FRIDAY_EVENING)
    # After the cut-off on Friday; Saturday, Sunday and Whit Monday are no working days:
    # dispatched Tuesday 26 May, delivered Wednesday 27 (express) or 27-28 (standard).
    assert by_code(result, "express")["promise"] == {
        "earliest": "2026-05-27",
        "latest": "2026-05-27",
    }
    assert by_code(result, "standard")["promise"] == {
        "earliest": "2026-05-27",
        "latest": "2026-05-28",
    }
    # The same order before the cut-off on Thursday ships that day.
    thursday = dt.datetime(2026, 5, 21, 11, 0, tzinfo=BERLIN)
    early = quote(session, basket(("MUG", 1, "20")), thursday)
    assert by_code(early, "express")["promise"]["earliest"] == "2026-05-22"
    # Carrier transit per country: 2-3 working days to Austria from Tuesday.
    austria = quote(
        session, basket(("MUG", 1, "20"), country="AT", postcode="1010"), FRIDAY_EVENING
    )
    assert by_code(austria, "nextday_at")["promise"] == {
        "earliest": "2026-05-28",
        "latest": "2026-05-29",
    }


def test_pickup_preparation_time(session: Session) -> None:
    option(session, code="collect", kind="pickup", price="0")
    store(session, code="ber", postcode="10119", preparation_hours=2)
    store(session, code="ham", postcode="20099", preparation_hours=24, name="Hamburg")
    session.commit()
    result = quote(session, basket(("MUG", 1, "20"), postcode="10115"), FRIDAY_EVENING)
    collect = by_code(result, "collect")
    stores = collect["pickup"]["locations"]  # type: ignore[index]
    assert [s["code"] for s in stores] == ["ber", "ham"]  # nearer postcode first
    # 30 minutes on Friday before 19:00, 90 minutes from Saturday's 10:00 opening.
    assert stores[0]["ready_at"] == "2026-05-23T11:30:00+02:00"
    # 24 opening hours: Fri 0.5 + Sat 4 (10-14) + Tue 9 + Wed 9 = 22.5, then 1.5 on Thursday
    # (Whit Monday closed, Sunday closed).
    assert stores[1]["ready_at"] == "2026-05-28T11:30:00+02:00"
    assert collect["promise"] == {"earliest": "2026-05-23", "latest": "2026-05-23"}
    # No store in the destination country: pickup is not offered.
    assert codes(quote(session, basket(("MUG", 1, "20"), country="FR"), FRIDAY_EVENING)) == []


def test_slot_capacity_reached_and_quotes_never_hold(session: Session) -> None:
    slotted = option(
        session,
        code="scheduled",
        kind="scheduled",
        price="6.90",
        time_slots="08:00-12:00",
        slot_days="mon-fri",
        slot_capacity=2,
        slot_cutoff_hours=12,
    )
    session.commit()
    at = MONDAY_MORNING
    first = by_code(quote(session, basket(("MUG", 1, "20")), at), "scheduled")
    slot = first["slots"][0]  # type: ignore[index]
    # Dispatch Monday, one day in transit: the first slot is Tuesday morning.
    assert (slot["start"], slot["remaining"]) == ("2026-05-19T08:00:00+02:00", 2)
    assert session.scalar(select(func.count()).select_from(SlotReservation)) == 0
    assert session.scalar(select(func.count()).select_from(DeliverySlot)) == 0
    start = dt.datetime.fromisoformat(slot["start"]).astimezone(dt.UTC)
    end = dt.datetime.fromisoformat(slot["end"]).astimezone(dt.UTC)
    now = at.astimezone(dt.UTC)
    for n in (1, 2):
        slots.book(session, customer_order(session, n), slotted, start, end, now)
    session.commit()
    again = by_code(quote(session, basket(("MUG", 1, "20")), at), "scheduled")
    assert again["slots"][0]["start"] == "2026-05-20T08:00:00+02:00"  # type: ignore[index]
    with pytest.raises(slots.SlotFull):
        slots.book(session, customer_order(session, 3), slotted, start, end, now)
    session.rollback()
    assert session.scalar(select(DeliverySlot.taken)) == 2


def test_expired_hold_gives_its_place_back(session: Session) -> None:
    slotted = option(
        session, code="scheduled", kind="scheduled", time_slots="08:00-12:00", slot_capacity=1
    )
    start = dt.datetime(2026, 5, 20, 6, 0, tzinfo=dt.UTC)
    end = start + dt.timedelta(hours=4)
    now = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)
    slots.hold(session, customer_order(session, 1), slotted, start, end, now, minutes=10)
    with pytest.raises(slots.SlotFull):
        slots.hold(session, customer_order(session, 2), slotted, start, end, now, minutes=10)
    later = now + dt.timedelta(minutes=11)
    slots.book(session, customer_order(session, 3), slotted, start, end, later)
    session.commit()
    assert session.scalar(select(DeliverySlot.taken)) == 1
    states = session.execute(select(SlotReservation.order_id, SlotReservation.state)).all()
    assert [tuple(r) for r in states] == [(3, "booked")]
