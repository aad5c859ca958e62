"""The public referral landing page (``GET /ref/{code}``) through a real Starlette app on the
test database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.auth import Actor
from core.models import ReferralCode
from core.settings import update_settings
from dashboard.routes import referral
from dashboard.routes.public_page import CSP
from tests.core.messaging.conftest import add_customer


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    return TestClient(Starlette(routes=referral.ROUTES))


def _referrer(engine: Engine, locale: str, first_name: str = "Anna") -> None:
    with Session(engine) as session:
        update_settings(session, Actor.cli(), {"name": "Alpen Outfitters"})
        anna = add_customer(session, "anna", locale, first_name=first_name)
        session.add(
            ReferralCode(
                code="ANNA-K2P9",
                customer_id=anna.id,
                reward_value=Decimal("10"),
                reward_currency="EUR",
            )
        )
        session.commit()


def test_page_shows_first_name_and_offer_but_not_the_email(
    client: TestClient, use_database: Engine
) -> None:
    _referrer(use_database, "en_IE")
    response = client.get("/ref/ANNA-K2P9")
    assert response.status_code == 200
    html = response.text
    assert "Anna invites you to Alpen Outfitters" in html
    assert "Use code <strong>ANNA-K2P9</strong> for €10.00 on your first order." in html
    assert "anna@example.org" not in html and "Schmidt" not in html
    assert response.headers["content-security-policy"] == CSP
    assert client.get("/ref/anna-k2p9").status_code == 200


def test_page_is_in_the_referrers_language(client: TestClient, use_database: Engine) -> None:
    _referrer(use_database, "de_DE")
    html = client.get("/ref/ANNA-K2P9").text
    assert '<html lang="de">' in html and "Anna lädt Sie zu Alpen Outfitters ein" in html
    assert "10,00\xa0€ auf Ihre erste Bestellung" in html


def test_first_name_is_escaped(client: TestClient, use_database: Engine) -> None:
    _referrer(use_database, "fr_FR", first_name="<script>x</script>")
    html = client.get("/ref/ANNA-K2P9").text
    assert "<script>" not in html and "&lt;script&gt;x&lt;/script&gt; vous invite" in html


def test_unknown_code_is_a_404_page(client: TestClient, use_database: Engine) -> None:
    _referrer(use_database, "en_IE")
    response = client.get("/ref/NOPE-1234")
    assert response.status_code == 404
    assert referral.TEXTS["en"]["not_found"] in response.text
    assert referral.TEXTS["pl"]["not_found"] in response.text
    assert response.headers["content-security-policy"] == CSP
