"""`python -m core log --order REF / --customer EMAIL` explains every event that entered no
workflow: the failing entry rule with its value, a workflow not active at the time, an order
already enrolled, an event the worker has not read yet; holdouts show on their enrolment."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from core.cli import main
from core.engine.schema import Step, Trigger, WorkflowDefinition, rule
from core.models import Workflow
from tests.cli.test_workflow_cli import _order
from tests.core.engine.conftest import install_templates


def _import(tmp_path: Path, name: str, triggers: list[str], entry: float) -> None:
    d = WorkflowDefinition(
        name=name,
        triggers=[Trigger(type=t) for t in triggers],
        entry=rule("order.total", "ge", entry),
        steps=[Step(id="mail", type="send_email", params={"template": "order_confirmation"})],
    )
    path = tmp_path / f"{name}.json"
    path.write_text(d.to_json())
    assert main(["workflow", "import", str(path), "--activate"]) == 0


def _log(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, str]]:
    capsys.readouterr()
    assert main(["log", *args, "--json"]) == 0
    rows: list[dict[str, str]] = json.loads(capsys.readouterr().out)
    return rows


def _why(rows: list[dict[str, str]], workflow: str) -> list[tuple[str, str]]:
    return [
        (r["outcome"], r["detail"])
        for r in rows
        if r["kind"] == "not enrolled" and r["workflow"] == workflow
    ]


def test_the_log_says_why_an_order_entered_no_workflow(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_templates(use_database, ("order_confirmation",), ("en",))
    _import(tmp_path, "big orders", ["order_placed"], 100)
    _import(tmp_path, "placed or paid", ["order_placed", "order_paid"], 1)
    _order(use_database, "ORD-1")  # total 75
    assert main(["event", "ORD-1", "placed"]) == 0
    rows = _log(capsys, "--order", "ORD-1")
    assert [o for o, _ in _why(rows, "big orders")] == ["pending"]  # not read yet
    assert main(["worker", "--once"]) == 0
    assert main(["event", "ORD-1", "paid"]) == 0
    assert main(["worker", "--once"]) == 0
    rows = _log(capsys, "--order", "ORD-1")
    [(outcome, detail)] = _why(rows, "big orders")
    assert outcome == "entry_condition"
    assert "placed of order NORD-1: entry condition false: Order total ≥ 100" in detail
    assert "(value: 75.00 EUR)" in detail
    [(outcome, detail)] = _why(rows, "placed or paid")  # entered on placed; paid came later
    assert outcome == "already_enrolled" and detail.startswith("paid of order NORD-1: already")
    assert any(r["kind"] == "entered" and r["workflow"] == "placed or paid" for r in rows)
    assert _log(capsys, "--customer", "ord-1@example.com") == rows


def test_an_event_before_the_activation_is_explained(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install_templates(use_database, ("order_confirmation",), ("en",))
    _import(tmp_path, "later", ["order_placed"], 1)
    with Session(use_database) as s, s.begin():
        s.execute(update(Workflow).values(activated_at=dt.datetime.now(dt.UTC)))
    _order(use_database, "ORD-2")
    earlier = (dt.datetime.now(dt.UTC) - dt.timedelta(days=2)).isoformat()
    assert main(["event", "ORD-2", "placed", "--at", earlier]) == 0
    assert main(["worker", "--once"]) == 0
    [(outcome, detail)] = _why(_log(capsys, "--order", "ORD-2"), "later")
    assert outcome == "not_active" and "events before the activation never enrol" in detail
    with Session(use_database) as s:
        workflow_id = s.scalar(select(Workflow.id))
    assert main(["workflow", "pause", str(workflow_id)]) == 0
    [(outcome, detail)] = _why(_log(capsys, "--order", "ORD-2"), "later")
    assert outcome == "not_active"  # a paused workflow is still explained
