"""Quotes at the checkout through a real Starlette app: Shopify's CarrierService callback
against a fixture written from Shopify's documented request format (good and bad signatures,
wrong shop), and the quote API with a bearer token."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import security
from core import settings as store_settings
from core.auth import Actor
from core.ingest import sources
from core.models import DeliveryOption
from dashboard.routes import carrier
from tests.core.delivery.conftest import option, store

FIXTURE = Path(__file__).parent / "fixtures" / "carrier" / "shopify_rate_request.json"
SECRET = "shpss_carrier_secret_0123456789"
DOMAIN = "nordlicht-test.myshopify.com"
RATE_KEYS = {
    "service_name",
    "service_code",
    "total_price",
    "currency",
    "description",
    "min_delivery_date",
    "max_delivery_date",
}


@pytest.fixture
def shop(use_database: Engine) -> str:
    with Session(use_database) as s, s.begin():
        sources.add(s, Actor.cli(), "shopify", "nordlicht", shop_domain=DOMAIN, secret=SECRET)
        _, token = sources.add(s, Actor.cli(), "api", "pos")
        option(s, code="standard", price="4.90", free_above="EUR 60")
        option(s, code="express", kind="express", name="Express", price="9.90")
        option(s, code="collect", kind="pickup", name="Click & collect", price="0")
        store(s)
    assert token
    return token


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    return TestClient(Starlette(routes=carrier.ROUTES))


def _post(client: TestClient, body: bytes, secret: str = SECRET, domain: str = DOMAIN) -> object:
    return client.post(
        "/carrier/shopify/nordlicht",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Hmac-Sha256": security.hmac_base64(secret, body),
            "X-Shopify-Shop-Domain": domain,
        },
    )


def test_carrier_service_rates_from_the_documented_request(shop: str, client: TestClient) -> None:
    body = FIXTURE.read_bytes()
    answer = _post(client, body)
    assert answer.status_code == 200  # type: ignore[attr-defined]
    rates = answer.json()["rates"]  # type: ignore[attr-defined]
    assert [r["service_code"] for r in rates] == ["collect", "standard", "express"]
    for rate in rates:
        assert set(rate) == RATE_KEYS and rate["currency"] == "EUR"
        assert isinstance(rate["total_price"], str) and rate["total_price"].isdigit()
        assert rate["min_delivery_date"] <= rate["max_delivery_date"]
    # Two mugs at 12.50 (the gift card needs no shipping): standard is 4.90, not free.
    assert [r["total_price"] for r in rates] == ["0", "490", "990"]
    assert rates[0]["description"].startswith("Collect at Store Berlin")


def test_free_above_follows_the_basket_in_minor_units(shop: str, client: TestClient) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["rate"]["items"][0]["quantity"] = 5  # 5 x 12.50 = 62.50 EUR
    rates = _post(client, json.dumps(data).encode()).json()["rates"]  # type: ignore[attr-defined]
    assert {r["service_code"]: r["total_price"] for r in rates}["standard"] == "0"


@pytest.mark.parametrize(
    ("secret", "domain"),
    [("wrong-secret", DOMAIN), (SECRET, "someone-else.myshopify.com")],
)
def test_bad_signature_or_shop_is_401(
    shop: str, client: TestClient, secret: str, domain: str
) -> None:
    answer = _post(client, FIXTURE.read_bytes(), secret=secret, domain=domain)
    assert answer.status_code == 401  # type: ignore[attr-defined]
    assert answer.json() == {"error": "The signature does not match."}  # type: ignore[attr-defined]
    unsigned = client.post("/carrier/shopify/nordlicht", content=FIXTURE.read_bytes())
    assert unsigned.status_code == 401
    unknown = client.post("/carrier/shopify/nobody", content=FIXTURE.read_bytes())
    assert unknown.status_code == 401


def test_malformed_request_names_the_field(shop: str, client: TestClient) -> None:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["rate"]["items"][0]["price"] = "twelve"
    answer = _post(client, json.dumps(data).encode())
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert answer.json()["field"] == "rate.items[0].price"  # type: ignore[attr-defined]
    assert _post(client, b"{not json").status_code == 400  # type: ignore[attr-defined]


def test_quote_api_with_a_bearer_token(shop: str, client: TestClient) -> None:
    basket = {
        "country": "DE",
        "postcode": "10115",
        "currency": "EUR",
        "lines": [{"sku": "MUG", "quantity": 2, "price": "12.50", "grams": 350}],
    }
    good = client.post(
        "/api/v1/delivery/quote", json=basket, headers={"Authorization": f"Bearer {shop}"}
    )
    assert good.status_code == 200
    assert [o["code"] for o in good.json()["options"]] == ["collect", "standard", "express"]
    bad = client.post("/api/v1/delivery/quote", json=basket, headers={"Authorization": "Bearer x"})
    assert bad.status_code == 401
    wrong = client.post(
        "/api/v1/delivery/quote",
        json={**basket, "country": "Germany"},
        headers={"Authorization": f"Bearer {shop}"},
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "country"


def _in(currency: str, quantity: int = 2) -> bytes:
    """The documented request in another currency: item prices stay ``1250`` minor units."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["rate"]["currency"] = currency
    data["rate"]["items"][0]["quantity"] = quantity
    return json.dumps(data).encode()


@pytest.fixture
def currencies(shop: str, use_database: Engine) -> None:
    """Standard has its own JPY and KWD prices (free from 10,000 JPY); express is priced in
    EUR only and converted with the store's rates."""
    with Session(use_database) as s, s.begin():
        store_settings.set_meta(s, "exchange_rates", {"JPY": "0.0062", "KWD": "2.75"})
        standard = s.scalar(select(DeliveryOption).where(DeliveryOption.code == "standard"))
        assert standard is not None
        standard.prices = {"JPY": "800", "KWD": "1.650"}
        standard.free_above = {"EUR": "60", "JPY": "10000"}


def test_zero_decimal_currency_in_whole_yen_both_ways(currencies: None, client: TestClient) -> None:
    rates = _post(client, _in("JPY")).json()["rates"]  # type: ignore[attr-defined]
    # 2 x 1250 JPY (not 2 x 12.50): under the 10,000 JPY threshold, standard costs 800 JPY.
    prices = {r["service_code"]: r["total_price"] for r in rates}
    assert prices == {"collect": "0", "standard": "800", "express": "1597"}  # 9.90 / 0.0062
    assert {r["currency"] for r in rates} == {"JPY"}
    free = _post(client, _in("JPY", quantity=8)).json()["rates"]  # type: ignore[attr-defined]
    assert {r["service_code"]: r["total_price"] for r in free}["standard"] == "0"


def test_three_decimal_currency_in_fils(shop: str, currencies: None, client: TestClient) -> None:
    rates = _post(client, _in("KWD")).json()["rates"]  # type: ignore[attr-defined]
    # 1250 fils = 1.250 KWD a mug; 1.650 KWD is 1650 fils; 9.90 EUR / 2.75 = 3.600 KWD.
    prices = {r["service_code"]: r["total_price"] for r in rates}
    assert prices == {"collect": "0", "standard": "1650", "express": "3600"}
    # The quote API answers in major units with the currency's own decimals.
    basket = {"country": "DE", "postcode": "10115", "currency": "KWD",
              "lines": [{"sku": "MUG-SAND", "quantity": 2, "price": "1.250"}]}  # fmt: skip
    api = client.post(
        "/api/v1/delivery/quote", json=basket, headers={"Authorization": f"Bearer {shop}"}
    ).json()
    assert {o["code"]: o["price"] for o in api["options"]} == {
        "collect": "0.000", "standard": "1.650", "express": "3.600",
    }  # fmt: skip
    yen = {**basket, "currency": "JPY", "lines": [{"sku": "MUG", "quantity": 2, "price": "1250"}]}
    api = client.post(
        "/api/v1/delivery/quote", json=yen, headers={"Authorization": f"Bearer {shop}"}
    ).json()
    assert {o["code"]: o["price"] for o in api["options"]} == {
        "collect": "0", "standard": "800", "express": "1597",
    }  # fmt: skip
