"""`python -m core template ...` against a test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from babel.numbers import format_currency
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import Message, Order
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
    assert len(rows) == 12 and rows["win_back"]["category"] == "marketing"
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
    assert "error: html: line 1" in capsys.readouterr().err
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


def test_send_test_failure_exits_1(
    shop_db: Engine, smtp_server_factory: object, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp_server_factory(["550 5.7.1 Relaying denied"])  # type: ignore[operator]
    assert (
        main(["template", "send-test", "shipped", "--order", "1010", "--to", "me@example.org"]) == 1
    )
    assert "Relaying denied" in capsys.readouterr().out
