"""A customer opens the review link of a delivered demo order in a real browser, picks four
stars, writes a comment and sends it; the review lands in the server's database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core import security
from core.messaging.context import review_url
from core.models import Customer, Order, Review
from core.settings import StoreSettings
from dashboard.routes.public_page import language
from dashboard.routes.review_texts import TEXTS
from tests.e2e.conftest import Server, screenshot

pytestmark = pytest.mark.e2e
COMMENT = "Arrived a day early, well packed. Thank you!"


@pytest.fixture
def server_key(monkeypatch: pytest.MonkeyPatch, server: Server) -> Iterator[None]:
    """Sign links in this process with the server's key (the serializers cache the key)."""
    monkeypatch.setenv("ORDERFLOW_SECRET_KEY", server.env["ORDERFLOW_SECRET_KEY"])
    security._serializer.cache_clear()
    yield
    security._serializer.cache_clear()


def _delivered_order(server: Server) -> tuple[int, int, str, str]:
    """A delivered demo order without a review (English-speaking customer when there is one):
    its id, customer id, number and the customer's page language."""
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        reviewed = select(Review.order_id)
        row = session.execute(
            select(Order.id, Order.customer_id, Order.number, Order.external_id, Customer.locale)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Order.status == "delivered", Order.is_demo, Order.id.not_in(reviewed))
            .order_by(Customer.locale.like("en%").desc(), Order.id)
            .limit(1)
        ).first()
    engine.dispose()
    assert row is not None, "the demo has no delivered order without a review"
    order_id, customer_id, number, external_id, locale = row
    return int(order_id), int(customer_id), str(number or external_id), language(locale)


def _review(server: Server, order_id: int) -> Review | None:
    engine = create_engine(server.database_url)
    with Session(engine, expire_on_commit=False) as session:
        found = session.scalar(select(Review).where(Review.order_id == order_id))
    engine.dispose()
    return found


def test_customer_reviews_a_delivered_order(page: Any, server: Server, server_key: None) -> None:
    order_id, customer_id, number, lang = _delivered_order(server)
    t = TEXTS[lang]
    url = review_url(StoreSettings(public_base_url=server.url), order_id, customer_id)
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(url)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(t["heading"].format(number=number))
    page.get_by_title(t["star"].format(n=4), exact=True).click()
    expect(page.get_by_role("radio", name=t["star"].format(n=4), exact=True)).to_be_checked()
    page.get_by_label(t["comment"]).fill(COMMENT)
    screenshot(page, "review-page")
    page.get_by_role("button", name=t["submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["thanks"])
    screenshot(page, "review-thanks")
    stored = _review(server, order_id)
    assert stored is not None
    assert (stored.rating, stored.nps, stored.comment, stored.source) == (4, None, COMMENT, "link")
    assert stored.customer_id == customer_id
