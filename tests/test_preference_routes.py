"""The public preference centre (``GET``/``POST /p/{token}``) through a real Starlette app on
the test database: shown in the customer's language, every change recorded, bad links refused."""

from __future__ import annotations

from html import escape

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import preferences
from core.models import ConsentEvent, Customer, PickupLocation, PreferenceChange
from dashboard.routes import preferences as route
from dashboard.routes.preferences_texts import TEXTS
from tests.core.messaging.conftest import add_customer


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    return TestClient(Starlette(routes=route.ROUTES))


def _customer(engine: Engine, locale: str = "de_DE") -> tuple[int, int]:
    with Session(engine) as session:
        store = PickupLocation(
            code="BER", name="Berlin Mitte", address="Hauptstr. 1", city="Berlin", country="DE"
        )
        session.add(store)
        customer = add_customer(session, "pref", locale)
        session.commit()
        return customer.id, store.id


def test_page_in_the_customers_language_changes_nothing(
    client: TestClient, use_database: Engine
) -> None:
    cid, _ = _customer(use_database)
    answer = client.get(f"/p/{preferences.make_token(cid)}")
    assert answer.status_code == 200
    for key in ("title", "review_requests", "offers", "newsletters", "all_off", "orders_note"):
        assert TEXTS["de"][key] in answer.text
    assert 'id="purpose_review_requests" checked' in answer.text
    assert "pr***@example.org" in answer.text and "pref@example.org" not in answer.text
    assert "Berlin Mitte, Berlin" in answer.text
    with Session(use_database) as session:
        assert session.scalars(select(PreferenceChange)).all() == []


def test_saving_records_each_change_with_time_and_source(
    client: TestClient, use_database: Engine
) -> None:
    cid, store_id = _customer(use_database)
    form = {
        "purpose_offers": "on",
        "purpose_newsletters": "on",
        "frequency": "weekly",
        "language": "fr",
        "pickup": str(store_id),
    }
    answer = client.post(f"/p/{preferences.make_token(cid)}", data=form)
    assert answer.status_code == 200
    assert escape(TEXTS["fr"]["saved"]) in answer.text  # shown in the language just chosen
    with Session(use_database) as session:
        customer = session.get(Customer, cid)
        assert customer is not None
        assert customer.opted_out == ["review_requests"]
        assert (customer.email_frequency, customer.locale) == ("weekly", "fr")
        assert customer.preferred_pickup_id == store_id and customer.marketing_consent
        changes = {
            c.field: (c.old_value, c.new_value, c.source)
            for c in session.scalars(select(PreferenceChange))
        }
        consents = [(c.purpose, c.granted) for c in session.scalars(select(ConsentEvent))]
    assert changes == {
        "review_requests": ("True", "False", "preference_centre"),
        "frequency": ("normal", "weekly", "preference_centre"),
        "language": ("de", "fr", "preference_centre"),
        "pickup_store": (None, str(store_id), "preference_centre"),
    }
    assert consents == [("review_requests", False)]


def test_unsubscribe_from_all_and_bad_input(client: TestClient, use_database: Engine) -> None:
    cid, _ = _customer(use_database, "en_IE")
    link = f"/p/{preferences.make_token(cid)}"
    bad = client.post(link, data={"frequency": "hourly", "language": "en"})
    assert bad.status_code == 400 and "hourly" in bad.text
    every = {f"purpose_{p}": "on" for p in preferences.PURPOSES}
    done = client.post(link, data={**every, "all_off": "on", "language": "en"})
    assert done.status_code == 200 and 'id="all_off" checked' in done.text
    with Session(use_database) as session:
        customer = session.get(Customer, cid)
        assert customer is not None
        assert customer.unsubscribed_at is not None and not customer.marketing_consent
        assert [c.purpose for c in session.scalars(select(ConsentEvent))] == ["marketing"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_changes_nothing(
    client: TestClient, use_database: Engine, method: str
) -> None:
    cid, _ = _customer(use_database)
    token = preferences.make_token(cid)
    answer = getattr(client, method)(f"/p/{token[:-3]}abc")
    assert answer.status_code == 400
    assert TEXTS["en"]["invalid"] in answer.text and TEXTS["de"]["invalid"] in answer.text


def test_the_unsubscribe_page_offers_the_email_settings(use_database: Engine) -> None:
    import re

    from core.messaging.unsubscribe import make_token
    from dashboard.routes import unsubscribe

    cid, _ = _customer(use_database, "fr_FR")
    app = TestClient(Starlette(routes=[*unsubscribe.ROUTES, *route.ROUTES]))
    page = app.get(f"/u/{make_token(3, cid)}").text
    found = re.search(r'<a href="(/p/[^"]+)">' + re.escape(TEXTS["fr"]["title"]) + "</a>", page)
    assert found, page
    settings = app.get(found.group(1))
    assert settings.status_code == 200 and escape(TEXTS["fr"]["review_requests"]) in settings.text
