"""`python -m core template ...` against a test database."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.numbers import format_currency
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.cli import main
from core.models import ConsentEvent, Customer, Message, Order, Review
from dashboard.routes import all_routes
from dashboard.routes.test_link import TEXTS
from tests.core.messaging.conftest import build_shop
from tests.smtp_server import LocalSmtp


@pytest.fixture
def shop_db(use_database: Engine) -> Engine:
    with Session(use_database, expire_on_commit=False) as session:
        build_shop(session)
        session.commit()
    assert main(["template", "library"]) == 0
    return use_database


def test_list_shows_the_library(shop_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["template", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == 14 and rows["win_back"]["category"] == "marketing"
    assert rows["refund_issued"]["category"] == "transactional"
    assert rows["shipped"]["locales"] == "de,en,es,fr,it,nl,pl,sv"


def test_render_in_the_customers_language(
    shop_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["template", "render", "shipped", "--order", "1010"]) == 0
    out = capsys.readouterr().out
    assert "Subject: Ihre Bestellung 1010 ist unterwegs" in out and "Sendung verfolgen" in out
    assert (
        main(
            [
                "template",
                "render",
                "shipped",
                "--order",
                "O-1010",
                "--locale",
                "it",
                "--part",
                "subject",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == "Il tuo ordine 1010 è in viaggio"
    assert main(["template", "render", "order_confirmation", "--order", "1000", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "€1,234.56" in data["text"] and data["empty_variables"] == []
    assert "order.items" in data["variables_used"] and data["locale"] == "en_IE"


def test_render_source_file_and_template_errors(
    shop_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "t.html"
    good.write_text(
        "<p>Hallo {{ customer.first_name }}, {{ order.total }} {{ delivery.carrier }}</p>"
    )
    capsys.readouterr()
    assert (
        main(["template", "render", "--source", str(good), "--order", "1010", "--part", "text"])
        == 0
    )
    captured = capsys.readouterr()
    with Session(shop_db) as session:
        order = session.scalar(select(Order).where(Order.number == "1010"))
        assert order is not None
        total = format_currency(order.total, order.currency, locale="de_DE")
    assert f"Hallo Anna, {total} DHL" in captured.out and "1.263,46" in total
    bad = tmp_path / "bad.html"
    bad.write_text("<p>{{ customer.__class__ }}</p>")
    assert main(["template", "render", "--source", str(bad), "--order", "1010"]) == 1
    assert "'__class__' is not allowed" in capsys.readouterr().err
    broken = tmp_path / "broken.html"
    broken.write_text("<p>{% if customer.first_name %}unclosed</p>")
    assert main(["template", "render", "--source", str(broken), "--order", "1010"]) == 1
    assert "error: html body: line 1" in capsys.readouterr().err.lower()
    assert main(["template", "render", "nope", "--order", "1010"]) == 1
    assert main(["template", "render", "shipped", "--order", "NO-SUCH"]) == 1


def test_send_test_reaches_the_smtp_server(
    shop_db: Engine, smtp_server: LocalSmtp, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            ["template", "send-test", "review_request", "--order", "1030", "--to", "me@example.org"]
        )
        == 0
    )
    assert "through the SMTP server" in capsys.readouterr().out
    [got] = smtp_server.messages
    assert got["To"] == "me@example.org" and got["Subject"].startswith("[TEST] ")
    with Session(shop_db) as session:
        message = session.scalar(select(Message).where(Message.is_test))
        assert message is not None and message.state == "sent" and message.transport == "smtp"


def test_a_test_emails_links_change_nothing(
    shop_db: Engine, smtp_server: LocalSmtp, capsys: pytest.CaptureFixture[str]
) -> None:
    """A one-click POST on a test email's List-Unsubscribe (and its review, preferences and
    referral links) leaves the real customer's consent alone; the page says it was a test."""
    with Session(shop_db) as session:
        order = session.scalar(select(Order).where(Order.number == "1030"))
        assert order is not None
        customer_id = order.customer_id
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.marketing_consent
    args = ["template", "send-test", "review_request", "--order", "1030", "--to", "me@example.org"]
    assert main(args) == 0
    [got] = smtp_server.messages
    assert got["Subject"].startswith("[TEST] ")
    assert got["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = str(got["List-Unsubscribe"]).strip("<>")
    html = got.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = got.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    links = set(re.findall(r'href="([^"]+)"', html)) | set(re.findall(r"https?://[^\s)>]+", text))
    base = unsubscribe.split("/test-link/", 1)[0]  # the store's public_base_url
    public = {unsubscribe} | {u.replace("&amp;", "&") for u in links if u.startswith(base)}
    assert any("rating=5" in u for u in public)
    assert len(public) >= 7  # unsubscribe/preferences, review, five stars
    assert all("/test-link/" in u for u in public), public  # no /u/, /review/ or /ref/ link
    client = TestClient(Starlette(routes=all_routes()))
    answer = client.post(unsubscribe.removeprefix(base), content=b"List-Unsubscribe=One-Click")
    said = TEXTS["nl"]  # the customer of order 1030 reads Dutch
    assert answer.status_code == 200 and said["title"] in answer.text
    assert said["body"].split(":")[0] in answer.text  # "Er is niets gewijzigd"
    for url in public:
        page = client.get(url.removeprefix(base))
        assert page.status_code == 200 and said["title"] in page.text
    with Session(shop_db) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.marketing_consent
        assert customer.unsubscribed_at is None
        assert session.scalars(select(ConsentEvent)).all() == []
        assert session.scalars(select(Review)).all() == []
    assert client.get("/test-link/forged").status_code == 400


def test_send_test_failure_exits_1(
    shop_db: Engine, smtp_server_factory: object, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp_server_factory(["550 5.7.1 Relaying denied"])  # type: ignore[operator]
    assert (
        main(["template", "send-test", "shipped", "--order", "1010", "--to", "me@example.org"]) == 1
    )
    assert "Relaying denied" in capsys.readouterr().out
