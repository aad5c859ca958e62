"""Issue 9's journey on a fresh database, through the command line only: init, two presets,
orders imported after activation, one cancelled and all shipped by event. The cancelled order
gets no shipping email, the others get theirs exactly once (over a real SMTP server), and a
rehearsal a week ahead sends nothing and changes no stored state."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import Order
from tests.cli.test_worker_at import _snapshot
from tests.smtp_server import LocalSmtp

REFS = ("J-1", "J-2", "J-3")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _received(server: LocalSmtp) -> dict[str, list[str]]:
    got: dict[str, list[str]] = defaultdict(list)
    for message in server.messages:
        got[str(message["To"])].append(str(message["Subject"]))
    return dict(got)


def test_a_cancelled_order_gets_no_shipping_email(
    use_database: Engine,
    tmp_path: Path,
    smtp_server: LocalSmtp,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["init"]) == 0
    for preset in ("order_confirmation", "shipping_update"):
        assert main(["workflow", "create", "--preset", preset, "--activate"]) == 0
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(minutes=1)
    lines = ["order_id,customer_id,placed_at,total,currency,email,first_name,locale"]
    for i, ref in enumerate(REFS):
        placed = start + dt.timedelta(minutes=i)
        lines.append(
            f"{ref},C-{ref},{_iso(placed)},{40 + i}.00,EUR,{ref.lower()}@example.com,Kim,en"
        )
    orders = tmp_path / "orders.csv"
    orders.write_text("\n".join(lines) + "\n")
    assert main(["import", str(orders)]) == 0
    assert main(["worker", "--once", "--now", _iso(start + dt.timedelta(minutes=5))]) == 0
    confirmations = _received(smtp_server)
    assert {to: len(subjects) for to, subjects in confirmations.items()} == {
        f"{ref.lower()}@example.com": 1 for ref in REFS
    }

    assert main(["event", "J-2", "cancelled", "--at", _iso(start + dt.timedelta(minutes=10))]) == 0
    for ref in REFS:
        at = _iso(start + dt.timedelta(minutes=20))
        assert main(["event", ref, "shipped", "--at", at]) == 0
    with Session(use_database) as s:
        statuses = {r[0]: r[1] for r in s.execute(select(Order.external_id, Order.status))}
    assert statuses == {"J-1": "fulfilled", "J-2": "cancelled", "J-3": "fulfilled"}

    # A rehearsal a week ahead: says what would go, sends nothing, stores nothing.
    before = _snapshot(use_database)
    attempts = smtp_server.attempts
    capsys.readouterr()
    week = _iso(start + dt.timedelta(days=7))
    assert main(["worker", "--once", "--at", week, "--json"]) == 0
    rehearsal = json.loads(capsys.readouterr().out)
    assert rehearsal["rehearsal"] is True and rehearsal["dispatch"]["sent"] == 0
    assert sorted((m["template"], m["order"]) for m in rehearsal["would_send"]) == [
        ("shipped", "J-1"),
        ("shipped", "J-3"),
    ]
    assert _snapshot(use_database) == before
    assert smtp_server.attempts == attempts

    # The real cycles: each shipping email once, none for the cancelled order.
    assert main(["worker", "--once", "--now", _iso(start + dt.timedelta(minutes=30))]) == 0
    assert main(["worker", "--once", "--now", _iso(start + dt.timedelta(minutes=40))]) == 0
    received = _received(smtp_server)
    assert received == {
        "j-1@example.com": [
            "Thank you for your order J-1",
            "Your order J-1 is on its way",
        ],
        "j-2@example.com": ["Thank you for your order J-2"],
        "j-3@example.com": [
            "Thank you for your order J-3",
            "Your order J-3 is on its way",
        ],
    }
    capsys.readouterr()
    assert main(["log", "--order", "J-2", "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    outcomes = [(r["kind"], r["outcome"]) for r in log if str(r["kind"]).startswith("message")]
    assert outcomes == [("message order_confirmation", "sent")]  # no shipping message at all
