"""Live data routes through a real Starlette app on SQLite and PostgreSQL: Shopify- and
WooCommerce-shaped deliveries (fixtures written from the platforms' webhook documentation) with
good and bad signatures, replays, unknown topics, malformed and oversized bodies; the event API.
The domain tables change only on a verified, new delivery."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import security
from core.auth import Actor
from core.ingest import receive, sources
from core.models import (
    Customer,
    Delivery,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    Shipment,
)
from dashboard.routes import ingest, ops

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
SECRET = "shpss_test_secret_0123456789"
WOO_SECRET = "woo_test_secret_0123456789"
DOMAIN = "orderflow-test.myshopify.com"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def client(use_database: Engine) -> TestClient:
    with Session(use_database) as s, s.begin():
        sources.add(s, Actor.cli(), "shopify", "shop", shop_domain=DOMAIN, secret=SECRET)
        sources.add(s, Actor.cli(), "woocommerce", "woo", secret=WOO_SECRET)
    return TestClient(Starlette(routes=[*ingest.ROUTES, *ops.ROUTES]))


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (Order, Customer, OrderEvent, OrderLine, Shipment, Message)
        }


def shopify(
    client: TestClient,
    topic: str,
    payload: dict[str, Any] | bytes,
    hook: str,
    secret: str = SECRET,
    domain: str = DOMAIN,
) -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return client.post(
        "/webhooks/shopify",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": security.hmac_base64(secret, body),
            "X-Shopify-Shop-Domain": domain,
            "X-Shopify-Webhook-Id": hook,
            "X-Shopify-API-Version": "2026-10",
        },
    )


def order_of(engine: Engine, number: str) -> Order:
    with Session(engine, expire_on_commit=False) as s:
        order = s.scalars(select(Order).where(Order.external_id == number)).one()
        order.lines, order.shipments  # noqa: B018 - load before the session closes
        return order


def event_types(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return sorted(s.scalars(select(OrderEvent.type)))


def test_order_created_then_replayed(client: TestClient, use_database: Engine) -> None:
    response = shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    assert response.status_code == 200 and response.json() == {"status": "stored"}
    order = order_of(use_database, "#9999")
    assert (order.total, order.currency, order.discount_code) == (
        Decimal("387.90"),
        "EUR",
        "WELCOME20",
    )
    assert (order.delivery_option, order.shipping_country, order.status) == (
        "express",
        "DE",
        "paid",
    )
    assert [line.sku for line in order.lines] == ["IPOD2008PINK", "IPOD2008BLACK"]
    assert order.customer.email == "jon@example.com" and order.customer.locale == "de"
    assert order.customer.marketing_consent and order.customer.consent_source == "shopify"
    assert event_types(use_database) == ["paid", "placed"]
    before = counts(use_database)
    again = shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    assert again.status_code == 200 and again.json() == {"status": "duplicate"}
    assert counts(use_database) == before


def test_bad_signature_unknown_shop_and_missing_header(
    client: TestClient, use_database: Engine
) -> None:
    before = counts(use_database)
    wrong = shopify(client, "orders/create", fixture("shopify_order.json"), "w-1", secret="x" * 20)
    assert wrong.status_code == 401 and "signature" in wrong.json()["error"]
    unknown = shopify(
        client, "orders/create", fixture("shopify_order.json"), "w-2", domain="other.myshopify.com"
    )
    assert unknown.status_code == 401
    body = json.dumps(fixture("shopify_order.json")).encode()
    missing = client.post(
        "/webhooks/shopify",
        content=body,
        headers={"X-Shopify-Topic": "orders/create", "X-Shopify-Shop-Domain": DOMAIN},
    )
    assert missing.status_code == 401
    assert counts(use_database) == before
    with Session(use_database) as s:
        logged = s.scalars(select(Delivery)).all()
    assert [(d.status, d.verified, d.body) for d in logged] == [("rejected", False, None)] * 2
    assert shopify(client, "orders/create", fixture("shopify_order.json"), "w-1").json() == {
        "status": "stored"
    }


def test_unknown_topic_malformed_and_oversized(client: TestClient, use_database: Engine) -> None:
    before = counts(use_database)
    ignored = shopify(client, "products/update", {"id": 1, "title": "x"}, "w-9")
    assert ignored.status_code == 200 and ignored.json() == {"status": "ignored"}
    malformed = shopify(client, "orders/create", b"{not json", "w-10")
    assert malformed.status_code == 400 and malformed.json()["field"] == "body"
    no_name = fixture("shopify_order.json")
    del no_name["name"]
    missing = shopify(client, "orders/create", no_name, "w-11")
    assert missing.status_code == 400 and missing.json()["field"] == "name"
    bad_line = fixture("shopify_order.json")
    bad_line["line_items"][1]["quantity"] = "many"
    assert shopify(client, "orders/create", bad_line, "w-12").json()["field"] == (
        "line_items[1].quantity"
    )
    huge = shopify(client, "orders/create", b"{" + b" " * (ingest.MAX_BODY + 1) + b"}", "w-13")
    assert huge.status_code == 413 and "error" in huge.json()
    assert counts(use_database) == before


def test_fulfillment_tracking_delivery_and_refund(client: TestClient, use_database: Engine) -> None:
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    fulfillment = fixture("shopify_fulfillment.json")
    assert shopify(client, "fulfillments/create", fulfillment, "w-2").json()["status"] == "stored"
    [shipment] = order_of(use_database, "#9999").shipments
    assert (shipment.carrier, shipment.tracking_number) == ("DHL Express", "1Z2345")
    assert shipment.tracking_url == "https://www.dhl.com/track?tracking-id=1Z2345"
    assert order_of(use_database, "#9999").status == "fulfilled"
    for hook, status in (("w-3", "out_for_delivery"), ("w-4", "delivered")):
        fulfillment.update(shipment_status=status, updated_at=f"2026-12-01T0{hook[-1]}:00:00+01:00")
        assert shopify(client, "fulfillments/update", fulfillment, hook).status_code == 200
    order = order_of(use_database, "#9999")
    assert order.status == "delivered" and len(order.shipments) == 1
    assert order.shipments[0].delivered_at is not None
    assert (
        shopify(client, "refunds/create", fixture("shopify_refund.json"), "w-5").status_code == 200
    )
    order = order_of(use_database, "#9999")
    assert order.refunded_amount == Decimal("199.00") and order.refunded_at is not None
    assert event_types(use_database) == [
        "delivered",
        "out_for_delivery",
        "paid",
        "placed",
        "refunded",
        "shipped",
    ]


def test_update_before_its_order_fails_then_replays(
    client: TestClient, use_database: Engine
) -> None:
    early = shopify(client, "fulfillments/create", fixture("shopify_fulfillment.json"), "w-2")
    assert early.status_code == 422 and early.json()["status"] == "failed"
    assert counts(use_database)["orders"] == 0
    with Session(use_database) as s:
        failed = s.scalars(select(Delivery).where(Delivery.status == "failed")).one()
        assert failed.body is not None and "1Z2345" in failed.body
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    receipt = receive.replay(use_database, Actor.cli(), failed.id)
    assert receipt.status == "stored"
    assert order_of(use_database, "#9999").shipments[0].tracking_number == "1Z2345"
    with Session(use_database) as s:
        row = s.get(Delivery, failed.id)
        assert row is not None and (row.status, row.body) == ("stored", None)
    assert shopify(
        client, "fulfillments/create", fixture("shopify_fulfillment.json"), "w-2"
    ).json() == {"status": "duplicate"}


def test_older_update_and_older_consent_are_not_applied(
    client: TestClient, use_database: Engine
) -> None:
    newer = fixture("shopify_order.json")
    newer.update(updated_at="2026-11-30T12:00:00+01:00", note="newest")
    shopify(client, "orders/updated", newer, "w-1")
    older = fixture("shopify_order.json")
    older.update(updated_at="2026-11-30T11:00:00+01:00", note="older")
    assert shopify(client, "orders/updated", older, "w-2").json()["status"] == "stored"
    assert order_of(use_database, "#9999").note == "newest"
    with Session(use_database) as s, s.begin():
        s.execute(
            update(Customer).values(
                marketing_consent=False,
                unsubscribed_at=receive.now_utc(),
                consent_at=receive.now_utc(),
            )
        )
    again = fixture("shopify_order.json")
    again.update(updated_at="2026-11-30T13:00:00+01:00")
    shopify(client, "orders/updated", again, "w-3")
    assert not order_of(use_database, "#9999").customer.marketing_consent


def woo(
    client: TestClient, topic: str, payload: dict[str, Any], hook: str, secret: str = WOO_SECRET
) -> Any:
    body = json.dumps(payload).encode()
    return client.post(
        "/webhooks/woocommerce/woo",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-WC-Webhook-Topic": topic,
            "X-WC-Webhook-Signature": security.hmac_base64(secret, body),
            "X-WC-Webhook-Delivery-Id": hook,
            "X-WC-Webhook-Source": "https://shop.example.com/",
        },
    )


def test_woocommerce_ping_created_completed(client: TestClient, use_database: Engine) -> None:
    ping = client.post(
        "/webhooks/woocommerce/woo",
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert ping.status_code == 200 and ping.json() == {"status": "ignored"}
    assert counts(use_database)["orders"] == 0
    assert (
        woo(client, "order.created", fixture("woocommerce_order.json"), "d1", "bad" * 8).status_code
        == 401
    )
    assert woo(client, "order.created", fixture("woocommerce_order.json"), "d1").json() == {
        "status": "stored"
    }
    order = order_of(use_database, "727")
    assert (order.status, order.shipping_country, len(order.lines)) == ("paid", "PL", 2)
    assert order.customer.email == "ana@example.com"
    done = fixture("woocommerce_order.json")
    done.update(
        status="completed",
        date_modified_gmt="2026-12-01T08:00:00",
        date_completed_gmt="2026-12-01T08:00:00",
        meta_data=[
            {
                "id": 1,
                "key": "_wc_shipment_tracking_items",
                "value": [
                    {
                        "tracking_provider": "DPD",
                        "tracking_number": "DPD777",
                        "custom_tracking_link": "https://tracking.dpd.de/DPD777",
                        "tracking_id": "abc",
                    }
                ],
            }
        ],
    )
    assert woo(client, "order.updated", done, "d2").json() == {"status": "stored"}
    order = order_of(use_database, "727")
    assert order.status == "fulfilled" and order.shipments[0].carrier == "DPD"
    assert woo(client, "order.updated", done, "d2").json() == {"status": "duplicate"}


def test_event_api(client: TestClient, use_database: Engine) -> None:
    with Session(use_database) as s, s.begin():
        _, token = sources.add(s, Actor.cli(), "api", "erp")
    events = {
        "events": [
            {
                "id": "e-1",
                "type": "placed",
                "occurred_at": "2026-11-30T10:00:00Z",
                "order": {
                    "number": "ERP-1",
                    "currency": "EUR",
                    "total": "50.00",
                    "customer": {
                        "email": "Eva@Example.com",
                        "locale": "fr",
                        "marketing_consent": True,
                    },
                    "lines": [{"name": "Mug", "sku": "MUG", "quantity": 2, "unit_price": "25.00"}],
                    "delivery_option": "pickup",
                },
            },
            {
                "id": "e-2",
                "type": "ready_for_pickup",
                "occurred_at": "2026-11-30T15:00:00+01:00",
                "order": {"number": "ERP-1"},
            },
        ]
    }
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/events", json=events).status_code == 401
    wrong = client.post("/api/v1/events", json=events, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = client.post("/api/v1/events", json=events, headers=auth)
    assert ok.status_code == 200 and ok.json() == {"accepted": 2, "duplicates": 0}
    assert client.post("/api/v1/events", json=events, headers=auth).json() == {
        "accepted": 0,
        "duplicates": 2,
    }
    assert order_of(use_database, "ERP-1").customer.email == "eva@example.com"
    before = counts(use_database)
    bad = {"events": [dict(events["events"][0], id="e-3"), {"id": "e-4", "type": "teleported"}]}
    answer = client.post("/api/v1/events", json=bad, headers=auth)
    assert answer.status_code == 400 and answer.json()["field"].startswith("events.1")
    orphan = {
        "events": [
            {
                "id": "e-5",
                "type": "paid",
                "occurred_at": "2026-11-30T10:00:00Z",
                "order": {"number": "NOPE"},
            }
        ]
    }
    answer = client.post("/api/v1/events", json=orphan, headers=auth)
    assert answer.status_code == 400 and "events[0]" in answer.json()["error"]
    assert counts(use_database) == before
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/v1/events" in spec["paths"]


def test_health_and_metrics(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/metrics").status_code == 401  # the test client is not on loopback
    monkeypatch.setenv(ops.METRICS_TOKEN, "metrics-token-123")
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    answer = client.get("/metrics", headers={"Authorization": "Bearer metrics-token-123"})
    assert answer.status_code == 200
    assert 'orderflow_events_received_total{source="shopify",status="stored"}' in answer.text
    assert "orderflow_queue_depth" in answer.text


def api_source(engine: Engine) -> dict[str, str]:
    with Session(engine) as s, s.begin():
        _, token = sources.add(s, Actor.cli(), "api", "erp")
    return {"Authorization": f"Bearer {token}"}


def api_event(number: str, event_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    order: dict[str, Any] = {"number": number}
    if kind == "placed":
        order.update(total="100.00", customer={"email": "q@example.com"})
    return {"id": event_id, "type": kind, "occurred_at": "2026-12-01T10:00:00Z", "order": order} | (
        extra
    )


def test_refund_without_money_refunds_nothing(client: TestClient, use_database: Engine) -> None:
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    restock = fixture("shopify_refund.json")
    restock.update(id=777, transactions=[], refund_line_items=[])
    assert shopify(client, "refunds/create", restock, "w-2").json() == {"status": "stored"}
    order = order_of(use_database, "#9999")
    assert (order.refunded_amount, order.refunded_at, order.status) == (Decimal("0"), None, "paid")
    with Session(use_database) as s:
        assert "no money refunded" in receive.recent(s)[0]["changed"]
    auth = api_source(use_database)
    batch = {
        "events": [
            api_event("Q-1", "q1", "placed"),
            api_event("Q-1", "q2", "refunded", amount="0.00"),
        ]
    }
    assert client.post("/api/v1/events", json=batch, headers=auth).json()["accepted"] == 2
    order = order_of(use_database, "Q-1")
    assert (order.refunded_amount, order.refunded_at) == (Decimal("0"), None)


def test_api_refund_larger_than_left_rejects_the_batch(
    client: TestClient, use_database: Engine
) -> None:
    auth = api_source(use_database)
    placed = {"events": [api_event("Q-2", "p1", "placed")]}
    assert client.post("/api/v1/events", json=placed, headers=auth).status_code == 200
    before = counts(use_database)
    batch = {
        "events": [
            api_event("Q-2", "r1", "refunded", amount="60.00"),
            api_event("Q-2", "r2", "refunded", amount="60.00"),
        ]
    }
    answer = client.post("/api/v1/events", json=batch, headers=auth)
    assert answer.status_code == 400
    assert answer.json()["field"] == "events[1].amount" and "r2" in answer.json()["error"]
    assert counts(use_database) == before
    assert order_of(use_database, "Q-2").refunded_amount == Decimal("0")


def test_tracking_added_later_updates_the_one_shipment(
    client: TestClient, use_database: Engine
) -> None:
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    untracked = fixture("shopify_fulfillment.json")
    untracked.update(
        tracking_number=None,
        tracking_numbers=[],
        tracking_url=None,
        tracking_urls=[],
        tracking_company=None,
    )
    assert shopify(client, "fulfillments/create", untracked, "w-2").json()["status"] == "stored"
    [shipment] = order_of(use_database, "#9999").shipments
    assert shipment.tracking_number is None  # not the fulfillment id
    tracked = fixture("shopify_fulfillment.json")
    tracked["updated_at"] = "2026-11-30T16:00:00+01:00"
    assert shopify(client, "fulfillments/update", tracked, "w-3").json()["status"] == "stored"
    [shipment] = order_of(use_database, "#9999").shipments
    assert (shipment.tracking_number, shipment.carrier) == ("1Z2345", "DHL Express")
    with Session(use_database) as s:
        shipped = s.scalars(select(OrderEvent.ref).where(OrderEvent.type == "shipped")).all()
    assert shipped == [str(tracked["id"])]


def test_late_older_webhook_keeps_fields_but_applies_its_events(
    client: TestClient, use_database: Engine
) -> None:
    newer = fixture("shopify_order.json")
    newer.update(updated_at="2026-11-30T12:00:00+01:00", note="edited later", total_price="199.00")
    newer["line_items"] = newer["line_items"][:1]
    assert shopify(client, "orders/updated", newer, "w-1").json()["status"] == "stored"
    assert shopify(client, "orders/create", fixture("shopify_order.json"), "w-2").status_code == 200
    order = order_of(use_database, "#9999")
    assert (order.note, order.total, len(order.lines)) == ("edited later", Decimal("199.00"), 1)
    cancelled = fixture("shopify_order.json")
    cancelled.update(
        updated_at="2026-11-30T11:30:00+01:00", cancelled_at="2026-11-30T11:30:00+01:00"
    )
    assert shopify(client, "orders/cancelled", cancelled, "w-3").status_code == 200
    order = order_of(use_database, "#9999")
    assert order.status == "cancelled" and order.note == "edited later"
    same_second = fixture("shopify_order.json")
    same_second.update(updated_at="2026-11-30T12:00:00+01:00", note="same second")
    assert shopify(client, "orders/updated", same_second, "w-4").status_code == 200
    assert order_of(use_database, "#9999").note == "same second"


def test_malformed_fulfillment_answers_400_never_500(
    client: TestClient, use_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    before = counts(use_database)
    for hook, name in (("w-2", "tracking_numbers"), ("w-3", "tracking_urls")):
        bad = fixture("shopify_fulfillment.json")
        bad.update({name: 5, name[:-1]: None})
        answer = shopify(client, "fulfillments/create", bad, hook)
        assert answer.status_code == 400 and answer.json()["field"] == f"fulfillment.{name}"
    assert counts(use_database) == before
    single = fixture("shopify_fulfillment.json")
    single.update(tracking_number=None, tracking_numbers="ABC123")
    assert shopify(client, "fulfillments/create", single, "w-4").json()["status"] == "stored"
    assert order_of(use_database, "#9999").shipments[0].tracking_number == "ABC123"

    def broken(topic: str, data: Any) -> Any:
        raise TypeError("unexpected shape")

    monkeypatch.setitem(receive.MAPPERS, "shopify", (lambda topic: True, broken))
    answer = shopify(client, "orders/updated", fixture("shopify_order.json"), "w-5")
    assert answer.status_code == 400 and "orders/updated" in answer.json()["error"]
    with Session(use_database) as s:
        logged = s.scalars(select(Delivery).order_by(Delivery.id.desc())).first()
    assert logged is not None and logged.status == "rejected"
    assert "orders/updated" in (logged.reason or "")


def test_newer_shop_opt_in_after_unsubscribe_here_subscribes_again(
    client: TestClient, use_database: Engine
) -> None:
    import datetime as dt

    from core.messaging import unsubscribe
    from core.models import ConsentEvent

    shopify(client, "orders/create", fixture("shopify_order.json"), "w-1")
    with Session(use_database) as s, s.begin():
        cid = s.scalars(select(Customer.id)).one()
        token = unsubscribe.make_token(0, cid)
        unsubscribe.unsubscribe(s, token, "link", now=dt.datetime(2026, 12, 5, tzinfo=dt.UTC))
    undated = fixture("shopify_order.json")
    undated["customer"].pop("email_marketing_consent")
    undated["customer"]["accepts_marketing"] = True
    undated["updated_at"] = "2026-12-07T10:00:00+01:00"
    shopify(client, "orders/updated", undated, "w-2")
    customer = order_of(use_database, "#9999").customer
    assert not customer.marketing_consent and customer.unsubscribed_at is not None
    newer = fixture("shopify_order.json")
    newer.update(id=1, name="#10000", updated_at="2026-12-08T10:00:00+01:00")
    newer["customer"]["email_marketing_consent"]["consent_updated_at"] = "2026-12-08T10:00:00+01:00"
    assert shopify(client, "orders/create", newer, "w-3").json()["status"] == "stored"
    customer = order_of(use_database, "#10000").customer
    assert customer.marketing_consent and customer.unsubscribed_at is None
    assert customer.consent_source == "shopify"
    with Session(use_database) as s:
        last = s.scalars(select(ConsentEvent).order_by(ConsentEvent.id.desc())).first()
    assert last is not None and (last.granted, last.source) == (True, "shopify")


def test_401_reveals_no_connected_shop(client: TestClient) -> None:
    wrong = shopify(client, "orders/create", fixture("shopify_order.json"), "w-1", secret="x" * 20)
    unknown = shopify(
        client, "orders/create", fixture("shopify_order.json"), "w-2", domain="other.myshopify.com"
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_metrics_count_oversized_and_unreadable_as_rejected(
    client: TestClient, use_database: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ops.METRICS_TOKEN, "metrics-token-123")

    def rejected(reason: str, kind: str = "shopify") -> float:
        text = client.get("/metrics", headers={"Authorization": "Bearer metrics-token-123"}).text
        line = f'orderflow_events_rejected_total{{reason="{reason}",source="{kind}"}} '
        found = [x for x in text.splitlines() if x.startswith(line)]
        return float(found[0].split()[-1]) if found else 0.0

    before = rejected("too_large"), rejected("mapping_failed"), rejected("too_large", "api")
    huge = b"{" + b" " * (ingest.MAX_BODY + 1) + b"}"
    assert shopify(client, "orders/create", huge, "w-1").status_code == 413
    auth = api_source(use_database)
    assert client.post("/api/v1/events", content=huge, headers=auth).status_code == 413

    def broken(topic: str, data: Any) -> Any:
        raise KeyError("id")

    monkeypatch.setitem(receive.MAPPERS, "shopify", (lambda topic: True, broken))
    assert shopify(client, "orders/create", fixture("shopify_order.json"), "w-2").status_code == 400
    after = rejected("too_large"), rejected("mapping_failed"), rejected("too_large", "api")
    assert [b - a for a, b in zip(before, after, strict=True)] == [1.0, 1.0, 1.0]
