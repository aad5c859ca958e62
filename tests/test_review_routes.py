"""The public review page (``GET``/``POST /review/{token}``) through a real Starlette app on
the test database."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import reviews, security
from core.auth import Actor
from core.models import Order, OrderEvent, Review
from core.settings import data_version, update_settings
from dashboard.routes import review
from dashboard.routes.public_page import CSP
from dashboard.routes.review_texts import TEXTS
from tests.core.messaging.conftest import add_customer, add_order


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    return TestClient(Starlette(routes=review.ROUTES))


def _order(engine: Engine, locale: str = "en_IE", **kw: Any) -> Order:
    with Session(engine, expire_on_commit=False) as session:
        update_settings(session, Actor.cli(), {"name": "Alpen <Outfitters>"})
        customer = add_customer(session, "rev", locale)
        order = add_order(session, customer, "A-1042", **kw)
        session.commit()
    return order


def _link(order: Order) -> str:
    return "/review/" + security.sign("review", {"o": order.id, "c": order.customer_id})


def _reviews(engine: Engine) -> list[Review]:
    with Session(engine) as session:
        return list(session.scalars(select(Review)))


def _plain(html: str) -> str:
    """The page's text without tags (entities kept)."""
    return re.sub(r"<[^>]+>", "", html)


def _checked(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(\d+)"[^>]*\bchecked\b', html)


def test_get_shows_order_stars_scale_and_preselects_the_rating(
    client: TestClient, use_database: Engine
) -> None:
    order = _order(use_database)
    link = _link(order)
    response = client.get(link, params={"rating": 4})
    assert response.status_code == 200
    html = response.text
    assert "How was your order A-1042?" in _plain(html)
    assert len(re.findall(r'type="radio" id="star\d" name="rating"', html)) == 5
    assert len(re.findall(r'name="nps" value="\d+"', html)) == 11
    assert _checked(html, "rating") == ["4"] and _checked(html, "nps") == []
    assert f'method="post" action="{link}"' in html and "<textarea" in html
    assert "Alpen &lt;Outfitters&gt;" in html and "<Outfitters>" not in html
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["cache-control"] == "no-store"
    assert _checked(client.get(link, params={"rating": "9"}).text, "rating") == []
    assert _reviews(use_database) == []


def test_post_records_the_review_and_thanks(client: TestClient, use_database: Engine) -> None:
    order = _order(use_database)
    with Session(use_database) as session:
        before = data_version(session)
    comment = "Great <b>shoes</b> & fast"
    response = client.post(_link(order), data={"rating": "4", "nps": "9", "comment": comment})
    assert response.status_code == 200
    assert TEXTS["en"]["thanks"] in response.text and "4 out of 5 for order A-1042" in _plain(
        response.text
    )
    assert "<b>shoes</b>" not in response.text
    [stored] = _reviews(use_database)
    assert (stored.order_id, stored.rating, stored.nps, stored.comment, stored.source) == (
        order.id,
        4,
        9,
        comment,
        "link",
    )
    with Session(use_database) as session:
        assert data_version(session) == before + 1
        events = session.scalars(select(OrderEvent.source).where(OrderEvent.order_id == order.id))
        assert list(events) == ["link"]
    again = client.get(_link(order))
    assert TEXTS["en"]["already"] in again.text and _checked(again.text, "rating") == ["4"]
    assert "Great &lt;b&gt;shoes&lt;/b&gt; &amp; fast</textarea>" in again.text


def test_second_post_replaces_the_first(client: TestClient, use_database: Engine) -> None:
    order = _order(use_database)
    client.post(_link(order), data={"rating": "2", "comment": "Late"})
    assert client.post(_link(order), data={"rating": "5"}).status_code == 200
    assert [(r.rating, r.comment) for r in _reviews(use_database)] == [(5, None)]


BAD_FORMS: list[tuple[dict[str, str], str]] = [
    ({"comment": "No stars"}, "error_rating"),
    ({"rating": "6"}, "error_rating"),
    ({"rating": "four"}, "error_rating"),
    ({"rating": "3", "nps": "11"}, "error_nps"),
    ({"rating": "3", "comment": "x" * 2_001}, "error_comment"),
    ({"rating": "3", **{f"extra{i}": "1" for i in range(30)}}, "error_rating"),
]


def test_bad_form_answers_400_with_the_form_again(client: TestClient, use_database: Engine) -> None:
    order = _order(use_database)
    for form, key in BAD_FORMS:
        response = client.post(_link(order), data=form)
        assert response.status_code == 400, form
        assert TEXTS["en"][key] in response.text, form
        assert 'role="alert"' in response.text and "<form" in response.text
        if "comment" in form:
            assert form["comment"] in response.text  # what was typed is kept
    assert _reviews(use_database) == []


def test_oversized_body_is_refused(client: TestClient, use_database: Engine) -> None:
    order = _order(use_database)
    response = client.post(_link(order), data={"rating": "5", "comment": "x" * 70_000})
    assert response.status_code == 400 and TEXTS["en"]["error_comment"] in response.text
    assert _reviews(use_database) == []


def test_tampered_token_gives_400_and_writes_nothing(
    client: TestClient, use_database: Engine
) -> None:
    order = _order(use_database)
    link = _link(order)
    forged = link[:-5] + ("A" if link[-5] != "A" else "B") + link[-4:]
    foreign = "/review/" + security.sign("unsubscribe", {"o": order.id, "c": order.customer_id})
    for response in (
        client.get(forged),
        client.post(forged, data={"rating": "5"}),
        client.post(foreign, data={"rating": "5"}),
    ):
        assert response.status_code == 400
        assert TEXTS["en"]["invalid"] in response.text
        assert TEXTS["de"]["invalid"] in response.text and TEXTS["sv"]["invalid"] in response.text
    assert _reviews(use_database) == []
    with Session(use_database) as session:
        assert session.scalar(select(func.count()).select_from(OrderEvent)) == 0


def test_german_customer_gets_german_text(client: TestClient, use_database: Engine) -> None:
    order = _order(use_database, "de_AT")
    page = client.get(_link(order))
    assert '<html lang="de">' in page.text and "Wie war Ihre Bestellung A-1042?" in _plain(
        page.text
    )
    assert "Bewertung senden" in page.text and "4 von 5 Sternen" in page.text
    bad = client.post(_link(order), data={"rating": "0"})
    assert bad.status_code == 400 and "Bitte wählen Sie 1 bis 5 Sterne." in bad.text
    done = client.post(_link(order), data={"rating": "5"})
    assert "Vielen Dank für Ihre Bewertung!" in done.text


def test_cancelled_order_cannot_be_reviewed(client: TestClient, use_database: Engine) -> None:
    order = _order(use_database, "fr_FR", status="cancelled")
    page = client.get(_link(order))
    assert page.status_code == 200 and "<form" not in page.text
    assert "Cette commande a été annulée" in page.text
    assert client.post(_link(order), data={"rating": "5"}).status_code == 400
    assert _reviews(use_database) == []
    assert reviews.is_cancelled(order)
