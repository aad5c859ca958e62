"""Messages in a real browser: preview a library template for a chosen demo customer, send a
test that a local SMTP server (aiosmtpd) receives (its links are test links: opening them or a
one-click POST changes nothing), then unsubscribe through the customer's own link (confirmation
page and button) and through an RFC 8058 one-click POST."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.models import ConsentEvent, Customer, Message, Order
from dashboard.routes.test_link import TEXTS as TEST_LINK_TEXTS
from tests.e2e.conftest import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    ROOT,
    Server,
    _start,
    login,
    screenshot,
    wait_idle,
)
from tests.smtp_server import LocalSmtp

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def smtp() -> Iterator[LocalSmtp]:
    server = LocalSmtp().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mail_server(tmp_path_factory: pytest.TempPathFactory, smtp: LocalSmtp) -> Iterator[Server]:
    """The app with demo data, the library installed and SMTP pointed at ``smtp``."""
    tmp = tmp_path_factory.mktemp("messages")
    env = {"ORDERFLOW_DEMO": "1", **smtp.env()}
    for srv in _start(tmp, env):
        added = subprocess.run(
            [sys.executable, "-m", "core", "users", "add", OWNER_EMAIL, "--role", "owner"],
            cwd=ROOT,
            env={**srv.env, "ORDERFLOW_PASSWORD": OWNER_PASSWORD},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert added.returncode == 0, added.stderr
        result = srv.cli("settings", "set", "public_base_url", srv.url)
        assert result.returncode == 0, result.stderr
        result = srv.cli("template", "library")
        assert result.returncode == 0, result.stderr
        yield srv


def _demo_order(server: Server) -> tuple[str, str]:
    """A delivered demo order's number and its customer's email."""
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        row = session.execute(
            select(Order.external_id, Customer.email)
            .join(Customer, Customer.id == Order.customer_id)
            .where(Customer.email.is_not(None), Order.is_demo)
            .order_by(Order.placed_at.desc())
            .limit(1)
        ).first()
    engine.dispose()
    assert row is not None, "the demo has no orders"
    return str(row[0]), str(row[1])


def _consent_events(server: Server, customer_id: int) -> list[tuple[bool, str]]:
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        rows = session.execute(
            select(ConsentEvent.granted, ConsentEvent.source).where(
                ConsentEvent.customer_id == customer_id
            )
        ).all()
    engine.dispose()
    return [(bool(g), str(s)) for g, s in rows]


def _test_message_customer(server: Server, to: str) -> int:
    """The customer of the test message sent to ``to`` (the link's recipient)."""
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        customer_id = session.scalar(
            select(Message.customer_id)
            .where(Message.is_test, Message.to_address == to)
            .order_by(Message.id.desc())
        )
    engine.dispose()
    assert customer_id is not None
    return int(customer_id)


def _pick(page: Any, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()
    wait_idle(page)


def _whole_email_shown(page: Any, width: int) -> None:
    """The preview's frame is ``width`` wide and as tall as the email in it: nothing is cut and
    the frame has no scrollbar of its own (the frame is sized once the email has loaded)."""
    size: dict[str, int] = {}
    for _ in range(60):
        frame = page.locator("iframe").first.element_handle().content_frame()
        size = frame.evaluate(
            "() => ({width: window.innerWidth, height: window.innerHeight,"
            " content: document.documentElement.scrollHeight})"
        )
        if size["width"] == width and size["content"] <= size["height"] + 1:
            break
        page.wait_for_timeout(250)
    assert size["width"] == width and size["content"] <= size["height"] + 1, size
    assert size["content"] > 400, size  # a whole email, not an empty frame


def _unsubscribe_url(message: EmailMessage) -> str:
    return str(message["List-Unsubscribe"]).strip("<>")


def test_preview_send_test_and_unsubscribe(page: Any, mail_server: Server, smtp: LocalSmtp) -> None:
    order_ref, email = _demo_order(mail_server)
    login(page, mail_server.url)
    page.get_by_role("link", name="Templates").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Templates", exact=True)).to_be_visible(timeout=30_000)
    _pick(page, "Template", "review_request")
    page.get_by_label("Preview for (email or order number)").fill(email)
    page.get_by_label("Preview for (email or order number)").press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Subject:").first).to_be_visible()
    frame = page.frame_locator("iframe").first
    expect(frame.locator("a").filter(has_text="★★★★★").first).to_be_visible(timeout=30_000)
    page.get_by_text("Mobile (375 px)").click()
    wait_idle(page)
    _whole_email_shown(page, 375)
    screenshot(page, "messages-template-preview")

    page.get_by_label("Send a test to").fill("merchant@example.org")
    page.get_by_label("Send a test to").press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Send test").click()
    wait_idle(page)
    expect(page.get_by_text("Test sent to merchant@example.org")).to_be_visible(timeout=30_000)
    received = [m for m in smtp.messages if m["To"] == "merchant@example.org"]
    assert received, "the SMTP server received no test"
    message = received[-1]
    assert message["Subject"].startswith("[TEST] ")
    assert message.get_content_type() == "multipart/alternative"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    test_url = _unsubscribe_url(message)
    assert test_url.startswith(mail_server.url + "/test-link/")  # a test's links change nothing
    raw = smtp.envelopes[smtp.messages.index(message)].original_content
    assert f"List-Unsubscribe: <{test_url}>\r\n".encode() in raw
    customer_id = _test_message_customer(mail_server, "merchant@example.org")
    before = _consent_events(mail_server, customer_id)
    assert before == [] or all(g for g, _ in before)
    page.goto(test_url)
    titles = "|".join(re.escape(t["title"]) for t in TEST_LINK_TEXTS.values())
    expect(page.locator("h1")).to_have_text(re.compile(titles))
    screenshot(page, "messages-test-link")
    _post_one_click(test_url)
    assert _consent_events(mail_server, customer_id) == before  # the real customer is untouched

    url = _real_unsubscribe_url(mail_server, order_ref)  # the customer's own link
    page.goto(url)
    expect(page.locator("button[type=submit]")).to_be_visible()
    assert not [e for e in _consent_events(mail_server, customer_id) if not e[0]]
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("h1")).to_contain_text(re.compile(r"\S"))
    screenshot(page, "messages-unsubscribed")
    assert (False, "link") in _consent_events(mail_server, customer_id)
    _one_click(page, mail_server, url, customer_id)


def _real_unsubscribe_url(server: Server, order_ref: str) -> str:
    """The unsubscribe link of the order's customer, as a real message of theirs carries it."""
    result = server.cli(
        "template", "render", "review_request", "--order", order_ref, "--part", "html"
    )
    assert result.returncode == 0, result.stderr
    found = re.findall(r'href="(' + re.escape(server.url) + r'/u/[^"]+)"', result.stdout)
    assert found, result.stdout
    return found[0]


def _post_one_click(url: str) -> None:
    request = urllib.request.Request(
        url,
        data=b"List-Unsubscribe=One-Click",
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200


def _one_click(page: Any, server: Server, url: str, customer_id: int) -> None:
    """Subscribe the customer again, then unsubscribe with an RFC 8058 one-click POST."""
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        session.query(ConsentEvent).filter(ConsentEvent.customer_id == customer_id).delete()
        customer = session.get(Customer, customer_id)
        assert customer is not None
        customer.marketing_consent, customer.unsubscribed_at = True, None
        session.commit()
    _post_one_click(url)
    assert _consent_events(server, customer_id) == [(False, "one_click")]
    with Session(engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None and not customer.marketing_consent
    engine.dispose()
    forged = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    page.goto(forged)
    expect(page.get_by_text("This link is not valid. Nothing was changed.").first).to_be_visible()
