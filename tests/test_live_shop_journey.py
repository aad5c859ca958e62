"""The live-shop journey without a browser: the README's server on a free loopback port with an
SMTP server on loopback; a Shopify source added with the CLI; the order confirmation and shipping
update presets activated; orders/create then fulfillments/create posted as Shopify signs them.
Each email arrives within 5 seconds (the embedded worker is woken by the delivery), the second
with the carrier and the tracking link. Posting every webhook again sends nothing."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from core import security
from tests.live_server import LiveServer, running, server_env
from tests.smtp_server import LocalSmtp

FIXTURES = Path(__file__).parent / "fixtures" / "webhooks"
SECRET = "shpss_journey_secret_0123456789"
DOMAIN = "journey-shop.myshopify.com"
WITHIN = 5.0


def post(server: LiveServer, topic: str, payload: dict[str, Any], hook: str) -> dict[str, Any]:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{server.url}/webhooks/shopify",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": security.hmac_base64(SECRET, body),
            "X-Shopify-Shop-Domain": DOMAIN,
            "X-Shopify-Webhook-Id": hook,
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def wait_for_mail(smtp: LocalSmtp, count: int, since: float) -> float:
    """Seconds until ``count`` messages were accepted; fails after WITHIN seconds."""
    while len(smtp.messages) < count:
        assert time.monotonic() - since < WITHIN, f"{len(smtp.messages)} of {count} emails"
        time.sleep(0.05)
    return time.monotonic() - since


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html", "plain"))
    assert part is not None
    return str(part.get_content())


def test_live_shop_journey(tmp_path: Path, smtp_server: LocalSmtp) -> None:
    env = server_env(tmp_path, smtp_server.env())
    with running(tmp_path, env) as server:
        added = server.cli(
            "source", "add", "shopify", "--name", "shop", "--shop-domain", DOMAIN, "--secret", SECRET
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        for preset in ("order_confirmation", "shipping_update"):
            made = server.cli("workflow", "create", "--preset", preset, "--activate")
            assert made.returncode == 0, made.stderr
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        order = json.loads((FIXTURES / "shopify_order.json").read_text())
        order.update(created_at=now.isoformat(), updated_at=now.isoformat())
        order["customer"]["email_marketing_consent"]["consent_updated_at"] = now.isoformat()
        fulfillment = json.loads((FIXTURES / "shopify_fulfillment.json").read_text())
        shipped = (now + dt.timedelta(seconds=1)).isoformat()
        fulfillment.update(created_at=shipped, updated_at=shipped)

        start = time.monotonic()
        assert post(server, "orders/create", order, "j-1") == {"status": "stored"}
        wait_for_mail(smtp_server, 1, start)
        confirmation = smtp_server.messages[0]
        assert confirmation["To"] == "jon@example.com" and "#9999" in str(confirmation["Subject"])

        start = time.monotonic()
        assert post(server, "fulfillments/create", fulfillment, "j-2") == {"status": "stored"}
        wait_for_mail(smtp_server, 2, start)
        shipping = body_text(smtp_server.messages[1])
        assert "DHL Express" in shipping and "1Z2345" in shipping
        assert "https://www.dhl.com/track?tracking-id=1Z2345" in shipping.replace("&amp;", "&")

        assert post(server, "orders/create", order, "j-1") == {"status": "duplicate"}
        assert post(server, "fulfillments/create", fulfillment, "j-2") == {"status": "duplicate"}
        cycle = server.cli("worker", "--once", "--json")
        assert cycle.returncode == 0, cycle.stderr
        assert len(smtp_server.messages) == 2
