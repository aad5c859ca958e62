"""Reviews left through a signed link: validation, one review per order, the event, the data
version, and reading the link's order."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import reviews, security
from core.auth import Actor
from core.errors import AuthError, NotFound, ValidationError
from core.messaging.context import review_url
from core.models import Order, OrderEvent, Review
from core.settings import StoreSettings, data_version, update_settings
from tests.core.messaging.conftest import add_customer, add_order

# 23:30 UTC on 31 March is already 1 April in Berlin (CEST, UTC+2).
LATE = dt.datetime(2025, 3, 31, 23, 30, tzinfo=dt.UTC)


def _order(session: Session, locale: str = "en_IE", key: str = "rev", **kw: Any) -> Order:
    customer = add_customer(session, key, locale)
    order = add_order(session, customer, f"N-{key}", **kw)
    session.commit()
    return order


def _events(session: Session, order_id: int) -> list[OrderEvent]:
    stmt = select(OrderEvent).where(
        OrderEvent.order_id == order_id, OrderEvent.type == "review_submitted"
    )
    return list(session.scalars(stmt))


def test_submit_stores_the_review_and_its_local_date(session: Session) -> None:
    update_settings(session, Actor.cli(), {"timezone": "Europe/Berlin"})
    order = _order(session)
    before = data_version(session)
    review = reviews.submit_review(
        session,
        order_id=order.id,
        customer_id=order.customer_id,
        rating=4,
        nps=9,
        comment="  Fast delivery.  ",
        now=LATE,
    )
    session.commit()
    stored = session.get(Review, review.id)
    assert stored is not None
    assert (stored.rating, stored.nps, stored.comment, stored.source) == (
        4,
        9,
        "Fast delivery.",
        "link",
    )
    assert stored.submitted_at == LATE and stored.submitted_date == dt.date(2025, 4, 1)
    assert data_version(session) == before + 1
    [event] = _events(session, order.id)
    assert (event.customer_id, event.source, event.occurred_at) == (order.customer_id, "link", LATE)
    assert event.payload == {"rating": 4}


def test_latest_review_wins_and_the_event_is_written_once(session: Session) -> None:
    order = _order(session)
    first = reviews.submit_review(
        session, order_id=order.id, customer_id=order.customer_id, rating=2, comment="Late."
    )
    session.commit()
    version = data_version(session)
    later = LATE + dt.timedelta(days=1)
    second = reviews.submit_review(
        session,
        order_id=order.id,
        customer_id=order.customer_id,
        rating=5,
        nps=10,
        source="import",
        now=later,
    )
    session.commit()
    assert second.id == first.id
    rows = session.scalars(select(Review).where(Review.order_id == order.id)).all()
    assert [(r.rating, r.nps, r.comment, r.source) for r in rows] == [(5, 10, None, "import")]
    assert rows[0].submitted_at == later
    assert len(_events(session, order.id)) == 1
    assert data_version(session) == version + 1


BAD_INPUT: list[tuple[dict[str, object], str]] = [
    ({"rating": 0}, "rating"),
    ({"rating": 6}, "rating"),
    ({"rating": True}, "rating"),
    ({"rating": None}, "rating"),
    ({"nps": 11}, "nps"),
    ({"nps": -1}, "nps"),
    ({"comment": "x" * 2_001}, "comment"),
    ({"source": ""}, "source"),
]


def test_bad_input_names_the_field_and_writes_nothing(session: Session) -> None:
    order = _order(session)
    before = data_version(session)
    for changes, field in BAD_INPUT:
        values: dict[str, object] = {"rating": 3, **changes}
        with pytest.raises(ValidationError) as caught:
            reviews.submit_review(
                session,
                order_id=order.id,
                customer_id=order.customer_id,
                **values,  # type: ignore[arg-type]
            )
        assert caught.value.field == field and field in str(caught.value).lower(), changes
        assert caught.value.hint
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Review)) == 0
    assert _events(session, order.id) == [] and data_version(session) == before


def test_comment_of_exactly_the_limit_is_kept(session: Session) -> None:
    order = _order(session)
    text = "é" * reviews.MAX_COMMENT
    review = reviews.submit_review(
        session, order_id=order.id, customer_id=order.customer_id, rating=3, comment=text
    )
    session.commit()
    session.expire_all()
    assert session.get(Review, review.id).comment == text  # type: ignore[union-attr]


def test_cancelled_order_is_refused(session: Session) -> None:
    order = _order(session, status="cancelled", cancelled_at=LATE)
    with pytest.raises(ValidationError) as caught:
        reviews.submit_review(session, order_id=order.id, customer_id=order.customer_id, rating=5)
    assert caught.value.field == "order_id" and "cancelled" in str(caught.value)
    assert _events(session, order.id) == []


def test_another_customers_order_is_refused(session: Session) -> None:
    order = _order(session)
    stranger = add_customer(session, "stranger", "de_DE")
    session.commit()
    with pytest.raises(ValidationError) as caught:
        reviews.submit_review(session, order_id=order.id, customer_id=stranger.id, rating=5)
    assert caught.value.field == "customer_id"
    with pytest.raises(NotFound):
        reviews.submit_review(session, order_id=order.id + 999, customer_id=stranger.id, rating=5)
    assert session.scalar(select(func.count()).select_from(Review)) == 0


def test_review_target_reads_the_link_of_a_review_request(session: Session) -> None:
    order = _order(session)
    settings = StoreSettings(public_base_url="https://shop.example")
    url = review_url(settings, order.id, order.customer_id + 1)
    assert url.startswith("https://shop.example/review/")
    with pytest.raises(NotFound):  # signed for another customer
        reviews.review_target(session, url.rsplit("/", 1)[1])
    token = security.sign("review", {"o": order.id, "c": order.customer_id})
    found, customer = reviews.review_target(session, token)
    assert (found.id, customer.id) == (order.id, order.customer_id)


def test_review_target_refuses_foreign_or_broken_tokens(session: Session) -> None:
    _order(session)
    broken = [
        security.sign("unsubscribe", {"o": 1, "c": 1}),
        security.sign("review", {"o": "1", "c": 1}),
        security.sign("review", {"o": 1}),
        security.sign("review", [1, 1]),
    ]
    for token in ["garbage", "", *broken]:
        with pytest.raises(AuthError):
            reviews.review_target(session, token)


def test_review_target_refuses_a_changed_or_expired_token(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = _order(session)
    token = security.sign("review", {"o": order.id, "c": order.customer_id})
    forged = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with pytest.raises(AuthError):
        reviews.review_target(session, forged)
    monkeypatch.setattr(security, "LINK_MAX_AGE", -1)
    with pytest.raises(AuthError, match="expired"):
        reviews.review_target(session, token)
