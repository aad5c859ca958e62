"""Signed unsubscribe links: the core withdrawal and the public Starlette routes."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import security
from core.errors import AuthError
from core.messaging.unsubscribe import make_token, read_token, unsubscribe, unsubscribe_url
from core.models import ConsentEvent, Customer
from core.settings import StoreSettings
from dashboard.routes import unsubscribe as routes
from tests.core.messaging.conftest import add_customer
from tests.tokens import tampered


def _customer(session: Session, locale: str = "de_DE") -> Customer:
    customer = add_customer(session, "sub", locale)
    session.commit()
    return customer


def _events(session: Session, customer_id: int) -> list[ConsentEvent]:
    return list(
        session.scalars(select(ConsentEvent).where(ConsentEvent.customer_id == customer_id))
    )


def test_url_carries_a_signed_token_for_message_and_recipient() -> None:
    url = unsubscribe_url(StoreSettings(public_base_url="https://shop.example"), 5, 9)
    assert url.startswith("https://shop.example/u/")
    parsed = read_token(url.rsplit("/", 1)[1])
    assert (parsed.message_id, parsed.customer_id) == (5, 9)


def test_unsubscribe_records_withdrawal_once(session: Session) -> None:
    customer = _customer(session)
    result = unsubscribe(session, make_token(0, customer.id), "one_click")
    session.commit()
    session.refresh(customer)
    assert not result.already and customer.unsubscribed_at is not None
    assert customer.marketing_consent is False
    [event] = _events(session, customer.id)
    assert (event.granted, event.purpose, event.source) == (False, "marketing", "one_click")
    again = unsubscribe(session, make_token(0, customer.id), "link")
    assert again.already and len(_events(session, customer.id)) == 1


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "",
        security.sign("review", {"m": 0, "c": 1}),
        security.sign("unsubscribe", {"c": "1"}),
    ],
)
def test_tampered_tokens_change_nothing(session: Session, token: str) -> None:
    customer = _customer(session)
    forged = token or tampered(make_token(0, customer.id))
    with pytest.raises(AuthError):
        unsubscribe(session, forged, "link")
    session.refresh(customer)
    assert customer.marketing_consent and customer.unsubscribed_at is None
    assert _events(session, customer.id) == []


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    return TestClient(Starlette(routes=routes.ROUTES))


def test_get_shows_a_confirmation_page_and_changes_nothing(
    client: TestClient, use_database: Engine
) -> None:
    with Session(use_database, expire_on_commit=False) as session:
        customer = _customer(session, "fr_FR")
    response = client.get(f"/u/{make_token(3, customer.id)}")
    assert response.status_code == 200
    assert "Se désabonner" in response.text and 'method="post"' in response.text
    assert "su***@example.org" in response.text
    assert response.headers["cache-control"] == "no-store"
    with Session(use_database) as session:
        assert session.get(Customer, customer.id).marketing_consent  # type: ignore[union-attr]


def test_page_button_post_records_the_withdrawal(client: TestClient, use_database: Engine) -> None:
    with Session(use_database, expire_on_commit=False) as session:
        customer = _customer(session)
    token = make_token(3, customer.id)
    response = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click", "source": "page"})
    assert response.status_code == 200 and "Sie sind abgemeldet" in response.text
    with Session(use_database) as session:
        stored = session.get(Customer, customer.id)
        assert stored is not None and stored.unsubscribed_at is not None
        assert [e.source for e in _events(session, customer.id)] == ["link"]
    assert "Sie sind abgemeldet" in client.get(f"/u/{token}").text


def test_rfc8058_one_click_post_records_the_withdrawal(
    client: TestClient, use_database: Engine
) -> None:
    with Session(use_database, expire_on_commit=False) as session:
        customer = _customer(session, "en_IE")
    response = client.post(
        f"/u/{make_token(8, customer.id)}",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200 and "You are unsubscribed" in response.text
    with Session(use_database) as session:
        stored = session.get(Customer, customer.id)
        assert stored is not None and not stored.marketing_consent
        assert [e.source for e in _events(session, customer.id)] == ["one_click"]


def test_tampered_link_says_nothing_changed(client: TestClient, use_database: Engine) -> None:
    with Session(use_database, expire_on_commit=False) as session:
        customer = _customer(session)
    token = make_token(1, customer.id)
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for response in (
        client.get(f"/u/{forged}"),
        client.post(f"/u/{forged}", content=b"List-Unsubscribe=One-Click"),
    ):
        assert response.status_code == 400
        assert "not valid. Nothing was changed" in response.text
    with Session(use_database) as session:
        stored = session.get(Customer, customer.id)
        assert stored is not None and stored.marketing_consent and stored.unsubscribed_at is None
        assert _events(session, customer.id) == []
