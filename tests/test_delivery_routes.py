"""The public delivery self-service pages through a real Starlette app on the test database:
slot change and pickup switch (event recorded, capacity updated, report queued), a full slot,
and expired or tampered links refused with a clear page and nothing changed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import escape
from zoneinfo import ZoneInfo

import pytest
from babel.numbers import format_currency
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.delivery import config as delivery_config
from core.delivery import links, selfservice
from core.models import DeliverySlot, Order, OrderEvent, SlotReservation, WebhookCall
from core.settings import StoreSettings
from dashboard.routes import delivery
from dashboard.routes.delivery_texts import TEXTS
from tests.core.delivery.conftest import MERCHANT, option, store
from tests.core.messaging.conftest import add_customer, add_order

REPORT_URL = "https://merchant.example.com/delivery-hook"


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    return TestClient(Starlette(routes=delivery.ROUTES))


def _shop(engine: Engine, dearer: str = delivery_config.SHOP_CHARGES) -> tuple[int, int]:
    with Session(engine, expire_on_commit=False) as s:
        option(s, code="standard")
        option(
            s,
            code="scheduled",
            kind="scheduled",
            name="Time slot",
            price="6.90",
            time_slots="08:00-12:00, 14:00-18:00",
            slot_days="mon-sun",
            slot_capacity=1,
            slot_cutoff_hours=0,
            lead_days_min=0,
        )
        option(s, code="collect", kind="pickup", name="Click & collect", price="0")
        store(s, code="ber", name="Store Berlin", opening_hours="Mon-Sun 00:00-24:00")
        delivery_config.save(
            s,
            MERCHANT,
            # changes allowed until the slot starts: with the default 12 h, tomorrow's 08:00
            # slot could no longer be changed after 20:00 and the tests depended on the hour
            delivery_config.DeliveryConfig(
                origin_country="DE",
                report_url=REPORT_URL,
                dearer_changes=dearer,
                change_until_hours=0,
            ),
        )
        ids = []
        for key in ("anna", "ben"):
            customer = add_customer(s, key, "de_DE")
            order = add_order(s, customer, f"N-{key}", delivery_option="standard")
            order.shipping_country = "DE"
            ids.append(order.id)
        s.commit()
    return ids[0], ids[1]


def _link(engine: Engine, order_id: int) -> str:
    with Session(engine) as s:
        order = s.get_one(Order, order_id)
        return f"/delivery/{selfservice.link_token(order.id, order.customer_id)}"


def _slots(html: str) -> list[str]:
    return re.findall(r'name="slot" required value="([^"]+)"', html)


def _state(engine: Engine) -> tuple[list[tuple[str, int]], list[tuple[int, str]], int, int]:
    with Session(engine) as s:
        taken = [(r.starts_at.isoformat(), r.taken) for r in s.scalars(select(DeliverySlot))]
        events = [
            (e.order_id, e.type) for e in s.scalars(select(OrderEvent).order_by(OrderEvent.id))
        ]
        held = s.scalar(select(func.count()).select_from(SlotReservation)) or 0
        reports = s.scalar(select(func.count()).select_from(WebhookCall)) or 0
        return sorted(taken), events, held, reports


def test_customer_picks_changes_and_switches_to_pickup(
    client: TestClient, use_database: Engine
) -> None:
    anna, _ = _shop(use_database)
    link = _link(use_database, anna)
    page = client.get(link)
    assert page.status_code == 200 and TEXTS["de"]["slot_heading"] in page.text
    choices = _slots(page.text)
    assert len(choices) >= 2 and _state(use_database) == ([], [], 0, 0)  # opening changes nothing

    held = client.post(f"{link}/hold", data={"slot": choices[0]})
    assert held.status_code == 200 and "10 Minuten" in held.text
    assert [t for _, t in _state(use_database)[0]] == [1]
    booked = client.post(f"{link}/confirm")
    assert booked.status_code == 200 and "Gebucht" in booked.text
    with Session(use_database) as s:
        order = s.get_one(Order, anna)
        assert order.delivery_option == "scheduled"
        start = dt.datetime.fromisoformat(choices[0].split("|")[1])
        assert order.promised_delivery_start == start

    # Change to the second slot: the first gives its place back; a second slot_booked event.
    client.post(f"{link}/hold", data={"slot": choices[1]})
    assert client.post(f"{link}/confirm").status_code == 200
    taken, events, reservations, reports = _state(use_database)
    assert [t for _, t in taken] == [0, 1] and reservations == 1
    assert events == [(anna, "slot_booked"), (anna, "slot_booked")]
    assert reports == 2

    # Switch to click-and-collect: the slot is released, the store is the promise.
    switched = client.post(f"{link}/pickup", data={"option": "collect", "store": "ber"})
    assert switched.status_code == 200 and "Store Berlin" in switched.text
    taken, events, reservations, reports = _state(use_database)
    assert [t for _, t in taken] == [0, 0] and reservations == 0
    assert events[-1] == (anna, "switched_to_pickup") and reports == 3
    with Session(use_database) as s:
        order = s.get_one(Order, anna)
        assert (order.delivery_option, order.pickup_location_id) == ("collect", 1)
        refs = s.scalars(select(OrderEvent.ref).where(OrderEvent.order_id == anna)).all()
        assert len(set(refs)) == 3  # each change has its own reference
        call = s.scalars(select(WebhookCall).order_by(WebhookCall.id)).all()[-1]
        assert (call.url, call.step_id) == (REPORT_URL, "delivery_report")
        assert '"event": "switched_to_pickup"' in call.body and '"store": "ber"' in call.body


def test_second_customer_cannot_take_a_full_slot(client: TestClient, use_database: Engine) -> None:
    anna, ben = _shop(use_database)
    first = _slots(client.get(_link(use_database, anna)).text)[0]
    client.post(f"{_link(use_database, anna)}/hold", data={"slot": first})
    client.post(f"{_link(use_database, anna)}/confirm")
    page = client.get(_link(use_database, ben))
    assert first not in _slots(page.text)  # a full slot is not offered
    before = _state(use_database)
    refused = client.post(f"{_link(use_database, ben)}/hold", data={"slot": first})
    assert refused.status_code == 409 and TEXTS["de"]["full"] in refused.text
    assert _state(use_database) == before


@pytest.mark.parametrize("kind", ["tampered", "expired"])
def test_bad_links_change_nothing(
    client: TestClient, use_database: Engine, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    anna, _ = _shop(use_database)
    link = _link(use_database, anna)
    choice = _slots(client.get(link).text)[0]
    if kind == "tampered":
        link = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    else:
        monkeypatch.setattr(links, "LINK_MAX_AGE", -1)
    for answer in (
        client.get(link),
        client.post(f"{link}/hold", data={"slot": choice}),
        client.post(f"{link}/confirm"),
        client.post(f"{link}/pickup", data={"option": "collect", "store": "ber"}),
    ):
        assert answer.status_code == 400
        assert TEXTS["en"]["invalid"] in answer.text and TEXTS["de"]["invalid"] in answer.text
    assert _state(use_database) == ([], [], 0, 0)


def test_blocked_orders_show_why(client: TestClient, use_database: Engine) -> None:
    anna, _ = _shop(use_database)
    with Session(use_database) as s:
        s.get_one(Order, anna).status = "cancelled"
        s.commit()
    page = client.get(_link(use_database, anna))
    assert TEXTS["de"]["blocked_cancelled"] in page.text and 'name="slot"' not in page.text
    choice = "scheduled|2030-01-01T08:00:00+01:00"
    refused = client.post(f"{_link(use_database, anna)}/hold", data={"slot": choice})
    assert refused.status_code == 400 and _state(use_database) == ([], [], 0, 0)


def test_times_are_the_destination_local_time(client: TestClient, use_database: Engine) -> None:
    anna, _ = _shop(use_database)
    with Session(use_database) as s:
        s.get_one(Order, anna).shipping_country = "IE"
        s.commit()
    page = client.get(_link(use_database, anna))
    assert TEXTS["de"]["times_in"].format(zone="Dublin") in page.text
    dublin = ZoneInfo("Europe/Dublin")
    starts = [dt.datetime.fromisoformat(c.split("|")[1]) for c in _slots(page.text)]
    assert starts and all(s.utcoffset() == s.astimezone(dublin).utcoffset() for s in starts)
    assert {s.astimezone(dublin).hour for s in starts} == {8, 14}
    assert "08:00–12:00" in page.text and "14:00–18:00" in page.text


def _said(key: str, amount: str) -> str:
    """A price sentence as the German page writes it."""
    money = format_currency(Decimal(amount), "EUR", locale="de")
    store = StoreSettings().name
    return escape(TEXTS["de"][key]).format(amount=escape(money), store=escape(store))


def test_a_dearer_slot_is_shown_with_its_difference_but_refused(
    client: TestClient, use_database: Engine
) -> None:
    anna, _ = _shop(use_database, dearer=delivery_config.REFUSE)
    link = _link(use_database, anna)
    page = client.get(link)
    # Paid 4.90 for standard: the 6.90 slot is 2.00 more, free pickup 4.90 less.
    assert _said("not_online", "2") in page.text and _said("costs_less", "4.90") in page.text
    assert _slots(page.text) == []  # every slot is shown disabled
    shown = re.findall(r'name="slot" required disabled value="([^"]+)"', page.text)
    refused = client.post(f"{link}/hold", data={"slot": shown[0]})
    assert refused.status_code == 409 and TEXTS["de"]["dearer_refused"] in refused.text
    assert _state(use_database) == ([], [], 0, 0)


def test_the_difference_is_shown_before_confirming_and_recorded(
    client: TestClient, use_database: Engine
) -> None:
    anna, _ = _shop(use_database)
    link = _link(use_database, anna)
    choice = _slots(client.get(link).text)[0]
    held = client.post(f"{link}/hold", data={"slot": choice})
    more = _said("costs_more", "2")
    assert held.status_code == 200 and more in held.text
    booked = client.post(f"{link}/confirm")
    assert booked.status_code == 200 and more in booked.text
    with Session(use_database) as s:
        event = s.scalars(select(OrderEvent).where(OrderEvent.type == "slot_booked")).one()
        assert (event.payload["price_difference"], event.payload["currency"]) == ("2.00", "EUR")
        body = s.scalars(select(WebhookCall.body)).one()
        assert '"price_difference": "2.00"' in body and '"currency": "EUR"' in body


def test_stores_without_a_postcode_say_they_are_not_sorted_by_distance(
    client: TestClient, use_database: Engine
) -> None:
    anna, ben = _shop(use_database)
    with Session(use_database) as s:
        s.get_one(Order, ben).shipping_postcode = "10115"
        s.commit()
    note = escape(TEXTS["de"]["stores_by_name"])
    assert note in client.get(_link(use_database, anna)).text
    assert note not in client.get(_link(use_database, ben)).text
