"""A customer's delivery change reaches the merchant's URL: queued with the change, sent by the
worker's webhook dispatch through core/outbound.py (a real HTTP server on loopback, allowed by
the owner's setting), signed with the delivery report secret."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.delivery import config as delivery_config
from core.delivery import selfservice
from core.engine import webhooks
from core.models import Setting, WebhookCall
from tests.core.delivery.conftest import MERCHANT, customer_order, option, store

NOW = dt.datetime(2026, 5, 18, 7, 0, tzinfo=dt.UTC)


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Receiver.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_pickup_switch_is_reported_signed(engine: Engine, receiver: HTTPServer) -> None:
    url = f"http://127.0.0.1:{receiver.server_port}/orderflow"
    with Session(engine) as s:
        option(s, code="collect", kind="pickup", price="0")
        store(s, opening_hours="Mon-Sun 00:00-24:00")
        saved = delivery_config.save(s, MERCHANT, delivery_config.DeliveryConfig(report_url=url))
        s.add(Setting(key="outbound_allowed_hosts", value="127.0.0.1", updated_at=NOW))
        order = customer_order(s, 1, option_code="standard")
        selfservice.switch_to_pickup(s, order, "collect", "ber", NOW)
        s.commit()
    assert saved.report_secret.startswith("dlvsec_")
    stats = webhooks.dispatch_due(engine, NOW, "test-worker")
    assert (stats.sent, stats.failed) == (1, 0)
    [(headers, body)] = _Receiver.received
    expected = hmac.new(saved.report_secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Orderflow-Signature"] == f"sha256={expected}"
    data = json.loads(body)
    assert (data["event"], data["store"], data["order"]["number"]) == (
        "switched_to_pickup",
        "ber",
        "#1001",
    )
    with Session(engine) as s:
        assert s.scalar(select(WebhookCall.state)) == "sent"
