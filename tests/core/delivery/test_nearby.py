"""Pickup stores nearest first: by postcode, then by city when the basket names one; a
self-service order uses its shipping postcode."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from core.delivery import carrier, selfservice
from core.delivery.quote import quote
from tests.core.delivery.conftest import basket, customer_order, option, store

AT = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)
FIXTURE = Path(__file__).parents[2] / "fixtures" / "carrier" / "shopify_rate_request.json"


def _stores(session: Session) -> None:
    option(session, code="collect", kind="pickup", price="0")
    store(session, code="a_ham", name="Hamburg", city="Hamburg", postcode="20095")
    store(session, code="b_pot", name="Potsdam", city="Potsdam", postcode="14467")
    store(session, code="c_ber", name="Berlin", city="Berlin", postcode="10119")
    session.commit()


def _order(session: Session, **kw: str) -> list[str]:
    found = quote(session, basket(("MUG", 1, "20"), **kw), AT)["options"][0]
    return [s["code"] for s in found["pickup"]["locations"]]


def test_postcode_first_then_city_then_code(session: Session) -> None:
    _stores(session)
    assert _order(session, postcode="") == ["a_ham", "b_pot", "c_ber"]
    assert _order(session, postcode="14482") == ["b_pot", "c_ber", "a_ham"]  # 1.. shared
    berlin = quote(session, replace(basket(("MUG", 1, "20"), postcode=""), city=" berlin "), AT)
    assert next(s["code"] for s in berlin["options"][0]["pickup"]["locations"]) == "c_ber"


def test_self_service_order_uses_its_postcode(session: Session) -> None:
    _stores(session)
    order = customer_order(session, option_code="standard")
    assert next(s["code"] for s in selfservice.choices(session, order, AT).stores) == "a_ham"
    order.shipping_postcode = "14 469"
    assert selfservice.order_basket(order).postcode == "14 469"
    assert next(s["code"] for s in selfservice.choices(session, order, AT).stores) == "b_pot"


def test_carrier_service_passes_the_destination_city() -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert carrier.basket_from_shopify(data).city == "Berlin"
