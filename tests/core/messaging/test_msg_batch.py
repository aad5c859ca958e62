"""Batch rendering: the same messages as ``render_for`` with a handful of queries per batch;
rows added in the session during the batch are seen; a rollback drops what was read; the
batch recommender answers as ``recommend``; the email header cache changes no byte."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from itsdangerous.timed import TimestampSigner
from sqlalchemy import event
from sqlalchemy.orm import Session

from core.auth import Actor
from core.errors import NotFound
from core.messaging import library
from core.messaging.batch import BatchRenderer, RenderRequest, render_batch
from core.messaging.email import build_email
from core.messaging.recommend import BatchRecommender, recommend
from core.messaging.render import render_for
from core.models import Coupon, Order, OrderEvent, ReferralCode, Shipment
from core.settings import load
from tests.core.messaging.conftest import BASE, Shop, add_customer, add_order


@pytest.fixture(autouse=True)
def _fixed_token_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signed links carry a timestamp: fix it so two renders can be compared byte for byte."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_750_000_000)


@contextmanager
def _counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    bind = session.get_bind()

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(bind, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(bind, "before_cursor_execute", count)


def _requests(session: Shop) -> list[RenderRequest]:
    extra = {"coupon_code": session.coupon, "referral_code": session.referral, "message_id": 9}
    return [
        RenderRequest(spec.name, order.customer_id, order.id, extra=extra)
        for spec in library.LIBRARY
        for order in session.orders.values()
    ]


def test_batch_renders_exactly_what_render_for_renders(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    session.commit()
    requests = _requests(shop)
    requests.append(RenderRequest("shipped", shop.customers["de_DE"].id, None, locale="fr"))
    requests.append(RenderRequest("review_request", shop.customers["nl_NL"].id, None))
    session.expire_all()
    batch = render_batch(session, requests)
    session.expire_all()
    single = [
        render_for(
            session,
            r.template_name,
            customer_id=r.customer_id,
            order_id=r.order_id,
            locale=r.locale,
            extra=r.extra,
        )
        for r in requests
    ]
    assert len(batch) == len(requests) > 100
    assert batch == single
    assert {m.locale for m in batch} >= {"de_DE", "pl_PL", "fr"}


def test_batch_reads_do_not_grow_with_the_batch(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    session.commit()
    targets = [(o.customer_id, o.id) for o in shop.orders.values()]
    counts = []
    for size in (2, len(targets)):
        session.expire_all()
        with _counted(session) as statements:
            render_batch(session, [RenderRequest("shipped", c, o) for c, o in targets[:size]])
        counts.append(len(statements))
    session.expire_all()
    with _counted(session) as one_by_one:
        for c, o in targets:
            render_for(session, "shipped", customer_id=c, order_id=o)
    assert counts[0] == counts[1] <= 12
    assert len(one_by_one) > 5 * counts[1]


def test_rows_added_during_the_batch_are_seen(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    session.commit()
    anna = shop.customers["de_DE"]
    order = shop.orders["de_DE"]
    renderer = BatchRenderer(session, [(anna.id, order.id)])
    first = renderer.render("referral_invitation", customer_id=anna.id, order_id=order.id)
    assert shop.referral in first.text
    session.add(ReferralCode(code="ANNA-NEW1", customer_id=anna.id, reward_currency="EUR"))
    coupon = Coupon(
        code="FRESH-0001", customer_id=anna.id, kind="fixed", value=Decimal(5), issued_at=BASE
    )
    session.add(coupon)
    extra = {"coupon_code": "FRESH-0001"}
    fresh = renderer.render("win_back", customer_id=anna.id, order_id=None, extra=extra)
    newest = renderer.render("referral_invitation", customer_id=anna.id, order_id=order.id)
    assert "FRESH-0001" in fresh.text and "ANNA-NEW1" in newest.text
    assert newest == render_for(
        session, "referral_invitation", customer_id=anna.id, order_id=order.id
    )
    assert fresh == render_for(session, "win_back", customer_id=anna.id, order_id=None, extra=extra)
    renderer.close()


def test_a_rollback_drops_what_was_read(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    session.commit()
    anna = shop.customers["de_DE"]
    renderer = BatchRenderer(session, [(anna.id, None)])
    renderer.render("referral_invitation", customer_id=anna.id, order_id=None)
    session.add(ReferralCode(code="GONE-0001", customer_id=anna.id, reward_currency="EUR"))
    session.flush()
    assert (
        "GONE-0001"
        in renderer.render("referral_invitation", customer_id=anna.id, order_id=None).text
    )
    session.rollback()
    again = renderer.render("referral_invitation", customer_id=anna.id, order_id=None)
    assert "GONE-0001" not in again.text and shop.referral in again.text
    renderer.close()


def test_batch_errors_are_render_for_errors(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    session.commit()
    anna, other = shop.customers["de_DE"], shop.customers["fr_FR"]
    cases = [
        RenderRequest("shipped", 999_999, None),
        RenderRequest("shipped", anna.id, 999_999),
        RenderRequest("shipped", other.id, shop.orders["de_DE"].id),
        RenderRequest("no_such_template", anna.id, None),
    ]
    for r in cases:
        with pytest.raises(NotFound) as single:
            render_for(session, r.template_name, customer_id=r.customer_id, order_id=r.order_id)
        with pytest.raises(NotFound) as batch:
            render_batch(session, [r])
        assert batch.value.message == single.value.message


def test_batch_recommender_answers_as_recommend(session: Session) -> None:
    baskets = {
        "a": ("TENT", "STOVE"),
        "b": ("TENT", "LAMP"),
        "c": ("MUG",),
        "d": ("MUG", "CUP"),
        "e": ("TENT",),
        "f": ("STOVE", "LAMP", "MUG", "CUP", "TENT"),
    }
    ids = []
    for key, skus in baskets.items():
        customer = add_customer(session, key, "en_GB")
        for i in range(2 if key in "ac" else 1):
            lines = tuple((s, s.title(), 1, "5.00") for s in skus)
            add_order(session, customer, f"R-{key}{i}", lines=lines)
        ids.append(customer.id)
    ids.append(add_customer(session, "new", "en_GB").id)
    session.commit()
    batch = BatchRecommender(session, ids)
    for limit in (1, 3, 6):
        for cid in ids:
            assert batch.recommend(cid, limit) == recommend(session, cid, limit), (cid, limit)


def test_cached_email_headers_change_no_byte(session: Session, shop: Shop) -> None:
    library.ensure_library(session, Actor.cli())
    settings = load(session)
    order = session.get(Order, shop.orders["de_DE"].id)
    assert order is not None
    rendered = render_for(
        session, "review_request", customer_id=order.customer_id, order_id=order.id
    )

    def build(to: str) -> bytes:
        msg = build_email(
            rendered,
            to=to,
            settings=settings,
            marketing=True,
            unsubscribe_url="https://shop.example/u/abc",
            message_id="<m.1@shop.example>",
            now=BASE,
        )
        msg.set_boundary("b0undary")
        return msg.as_bytes()

    first, second = build("anna@example.org"), build("anna@example.org")
    third = build("bob@example.org")
    assert first == second
    assert third == first.replace(b"anna@example.org", b"bob@example.org")
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in first


def test_batch_delivery_links_are_render_for_links(session: Session, shop: Shop) -> None:
    """The change-delivery link: offered for an open order and for a shipped one whose delivery
    failed, not for a shipped one; the batch reads the failures for all orders at once."""
    library.ensure_library(session, Actor.cli())
    customer = shop.customers["de_DE"]
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    window = {"promised_delivery_start": start, "promised_delivery_at": start}
    orders = {
        name: add_order(session, customer, f"77{i}", delivery_option="standard", **window)
        for i, name in enumerate(("open", "shipped", "failed"))
    }
    for name in ("shipped", "failed"):
        orders[name].shipments.append(Shipment(carrier="DHL", shipped_at=BASE))
    session.add(
        OrderEvent(
            order_id=orders["failed"].id,
            customer_id=customer.id,
            type="delivery_failed",
            occurred_at=BASE,
            recorded_at=BASE,
            source="test",
        )
    )
    session.commit()
    requests = [RenderRequest("order_confirmation", customer.id, o.id) for o in orders.values()]
    session.expire_all()
    batch = render_batch(session, requests)
    session.expire_all()
    single = [
        render_for(session, r.template_name, customer_id=r.customer_id, order_id=r.order_id)
        for r in requests
    ]
    assert batch == single
    offered = {name: "/delivery/" in m.html for name, m in zip(orders, batch, strict=True)}
    assert offered == {"open": True, "shipped": False, "failed": True}
