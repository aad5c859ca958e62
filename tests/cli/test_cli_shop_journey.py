"""Issue 9's closing journey, command line only, on a fresh database: init, import orders placed
after activation, presets order_confirmation and shipping_update, cancel one order by event,
ship all of them by event. The cancelled order gets no shipping email, the others get theirs
exactly once, and a rehearsal a week ahead sends nothing and changes no stored state."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import Base, Message, Order
from tests.smtp_server import LocalSmtp


def _snapshot(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(t.select().order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def test_a_command_line_shop_from_import_to_rehearsal(
    use_database: Engine,
    tmp_path: Path,
    smtp_server: LocalSmtp,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["init"]) == 0
    for key in ("quiet_hours_start", "quiet_hours_end"):
        assert main(["settings", "set", key, "00:00"]) == 0
    for preset in ("order_confirmation", "shipping_update"):
        assert main(["workflow", "create", "--preset", preset, "--activate"]) == 0
    placed = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    csv = tmp_path / "orders.csv"
    csv.write_text(
        "order_id,customer_id,placed_at,total,currency,email\n"
        + "".join(f"J-{i},C-{i},{placed},{40 + i},EUR,j{i}@example.com\n" for i in range(3))
    )
    assert main(["import", str(csv)]) == 0
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)).isoformat()
    assert main(["worker", "--once", "--now", later]) == 0  # the confirmations
    assert main(["event", "J-1", "cancelled"]) == 0
    for i in range(3):
        assert main(["event", f"J-{i}", "shipped"]) == 0
    for _ in range(2):  # enrol, run the steps, send
        assert main(["worker", "--once", "--now", later]) == 0
    with Session(use_database) as s:
        sent = s.execute(
            select(Order.external_id, Message.template_name, Message.state)
            .join(Order, Order.id == Message.order_id)
            .where(Message.state == "sent")
            .order_by(Order.external_id, Message.id)
        ).all()
    shipped = [ref for ref, name, _ in sent if name == "shipped"]
    assert sorted(shipped) == ["J-0", "J-2"]  # once each; none for the cancelled J-1
    assert sorted(ref for ref, name, _ in sent if name == "order_confirmation") == [
        "J-0",
        "J-1",
        "J-2",
    ]
    delivered = len(smtp_server.messages)
    assert delivered == len(sent)

    before = _snapshot(use_database)
    a_week = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
    capsys.readouterr()
    assert main(["worker", "--once", "--at", a_week, "--json"]) == 0
    rehearsal = json.loads(capsys.readouterr().out)
    assert rehearsal["rehearsal"] is True and rehearsal["dispatch"]["sent"] == 0
    assert _snapshot(use_database) == before
    assert len(smtp_server.messages) == delivered
    capsys.readouterr()
    assert main(["log", "--order", "J-1", "--json"]) == 0  # why J-1 got no shipping email
    log = json.loads(capsys.readouterr().out)
    [why] = [r for r in log if r["kind"] == "not enrolled"]
    assert (why["workflow"], why["outcome"]) == ("Shipping update", "entry_condition")
    assert "(value: cancelled)" in why["detail"]
    assert [r["outcome"] for r in log if r["kind"] == "message order_confirmation"] == ["sent"]
