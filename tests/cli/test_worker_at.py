"""`worker --once --at ISO` is a rehearsal (nothing written, no mail server contacted);
`worker --once --now ISO` is the documented test clock that really runs the cycle."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cli import main
from core.engine import dispatch
from core.engine.rehearsal import rehearse
from core.engine.schema import Step, Trigger, WorkflowDefinition, rule
from core.models import Base, Customer, Message
from tests.cli.test_workflow_cli import _order
from tests.core.engine.conftest import install_templates
from tests.smtp_server import LocalSmtp

CYCLE_KEYS = {"events", "enrolled", "holdout", "time_triggers", "steps", "enrolments_run"}


def _a_week_wait(engine: Engine, tmp_path: Path) -> None:
    install_templates(engine, ("order_confirmation",), ("en",))
    main(["settings", "set", "quiet_hours_start", "00:00"])
    main(["settings", "set", "quiet_hours_end", "00:00"])
    d = WorkflowDefinition(
        name="later",
        triggers=[Trigger(type="order_placed")],
        entry=rule("order.total", "ge", 1),
        steps=[
            Step(id="wait", type="wait", params={"days": 7}, next="mail"),
            Step(id="mail", type="send_email", params={"template": "order_confirmation"}),
        ],
    )
    path = tmp_path / "later.json"
    path.write_text(d.to_json())
    assert main(["workflow", "import", str(path), "--activate"]) == 0
    _order(engine, "ORD-9")
    _order(engine, "ORD-10")
    with Session(engine) as s, s.begin():  # a customer without an address: skipped, with reason
        s.scalars(select(Customer).where(Customer.external_id == "C-ORD-10")).one().email = None
    for ref in ("ORD-9", "ORD-10"):
        assert main(["event", ref, "placed"]) == 0
    assert main(["worker", "--once"]) == 0
    with Session(engine) as s:
        assert s.scalars(select(Message)).all() == []  # still waiting


def _snapshot(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(t.select().order_by(*t.primary_key.columns))]
            for t in Base.metadata.sorted_tables
        }


def test_a_rehearsal_a_week_ahead_sends_nothing_and_changes_nothing(
    use_database: Engine,
    tmp_path: Path,
    smtp_server: LocalSmtp,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _a_week_wait(use_database, tmp_path)
    before = _snapshot(use_database)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=8)).isoformat()
    capsys.readouterr()
    assert main(["worker", "--once", "--at", later, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert CYCLE_KEYS | {"dispatch", "rehearsal", "would_send", "would_skip"} <= set(out)
    assert out["rehearsal"] is True and out["steps"] >= 2
    assert out["dispatch"]["sent"] == 0 and out["dispatch"]["claimed"] == 1
    assert [(m["template"], m["to"], m["order"]) for m in out["would_send"]] == [
        ("order_confirmation", "ord-9@example.com", "NORD-9")
    ]
    assert [(m["template"], m["order"], m["reason"]) for m in out["would_skip"]] == [
        ("order_confirmation", "NORD-10", "no_email")
    ]
    assert _snapshot(use_database) == before  # no stored state changed
    assert smtp_server.attempts == 0 and smtp_server.messages == []
    assert main(["worker", "--once", "--at", later]) == 0  # the text report says the same
    text = capsys.readouterr().out
    assert "nothing was written or sent" in text
    assert "would send  order_confirmation to ord-9@example.com (order NORD-9)" in text
    assert "would skip  order_confirmation to None: no_email" in text
    # the real cycle later still has everything to do
    assert main(["worker", "--once", "--now", later, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dispatch"]["sent"] == 1
    assert [m["To"] for m in smtp_server.messages] == ["ord-9@example.com"]


def test_a_rehearsal_opens_no_transport(
    use_database: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _a_week_wait(use_database, tmp_path)

    def refuse(*_: Any) -> Any:
        raise AssertionError("a rehearsal opened a mail transport")

    monkeypatch.setattr(dispatch, "default_transports", refuse)
    found = rehearse(use_database, dt.datetime.now(dt.UTC) + dt.timedelta(days=8))
    assert found.stats.dispatch["sent"] == 0 and len(found.would_send) == 1


def test_now_lets_the_wait_pass_for_real(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _a_week_wait(use_database, tmp_path)
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=8)).isoformat()
    capsys.readouterr()
    assert main(["worker", "--once", "--now", later, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "rehearsal" not in out and out["steps"] >= 2
    with Session(use_database) as s:
        sent = s.scalars(select(Message).order_by(Message.id)).all()
        assert [(m.template_name, m.state) for m in sent] == [
            ("order_confirmation", "sent"),
            ("order_confirmation", "suppressed"),
        ]


def test_at_and_now_need_once_and_a_date(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["worker", "--at", "2030-01-01"]) == 1
    assert "--at only goes with --once" in capsys.readouterr().err
    assert main(["worker", "--now", "2030-01-01"]) == 1
    assert "--now only goes with --once" in capsys.readouterr().err
    assert main(["worker", "--once", "--at", "next tuesday"]) == 1
    assert "--at" in capsys.readouterr().err
    assert main(["worker", "--once", "--now", "next tuesday"]) == 1
    assert "--now" in capsys.readouterr().err
