"""`worker --once --at ISO`: a rehearsal cycle as of a later moment (waits due by then run)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cli import main
from core.engine.schema import Step, Trigger, WorkflowDefinition, rule
from core.models import Message
from tests.cli.test_workflow_cli import _order
from tests.core.engine.conftest import install_templates


def test_a_week_later_the_wait_is_over(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_templates(use_database, ("order_confirmation",), ("en",))
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
    _order(use_database, "ORD-9")
    assert main(["event", "ORD-9", "placed"]) == 0
    assert main(["worker", "--once"]) == 0
    with Session(use_database) as s:
        assert s.scalars(select(Message)).all() == []  # still waiting
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=8)).isoformat()
    capsys.readouterr()
    assert main(["worker", "--once", "--at", later, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["steps"] >= 1
    with Session(use_database) as s:
        assert [m.template_name for m in s.scalars(select(Message))] == ["order_confirmation"]


def test_at_needs_once_and_a_date(use_database: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["worker", "--at", "2030-01-01"]) == 1
    assert "--at only goes with --once" in capsys.readouterr().err
    assert main(["worker", "--once", "--at", "next tuesday"]) == 1
    assert "--at" in capsys.readouterr().err
