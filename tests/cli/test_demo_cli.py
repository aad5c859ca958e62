from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import AuditEntry, Customer

ARGS = ["demo", "--customers", "120", "--until", "2025-06-30", "--seed", "3"]


def _customers(engine: Engine) -> int:
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(Customer).where(Customer.is_demo)) or 0


def test_load_refuse_reset_and_clear(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(ARGS) == 0
    out = capsys.readouterr().out
    assert "demo shop loaded: 120 customers" in out and "order_events" in out
    assert "planted effect: +8.0 points" in out
    assert _customers(use_database) == 120

    assert main(ARGS) == 1
    assert "--reset" in capsys.readouterr().err

    assert main([*ARGS, "--reset", "--customers", "80", "--json", "--no-workflows"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"]["customers"] == 80 and summary["until"] == "2025-06-30"
    assert "enrolments" not in summary["counts"]
    assert _customers(use_database) == 80

    assert main(["demo", "--clear"]) == 0
    assert "removed" in capsys.readouterr().out
    assert _customers(use_database) == 0
    with Session(use_database) as s:
        actions = set(s.scalars(select(AuditEntry.action).where(AuditEntry.actor == "cli")))
    assert {"demo.load", "demo.clear"} <= actions


def test_bad_input_exits_1_and_usage_errors_exit_2(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--customers", "10", "--until", "2999-01-01"]) == 1
    assert "until" in capsys.readouterr().err.lower()
    for bad in (["--customers", "0"], ["--until", "2025-13-01"], ["--reset", "--clear"]):
        with pytest.raises(SystemExit) as info:
            main(["demo", *bad])
        assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["demo", "--help"])
    assert info.value.code == 0
    assert "--orders" in capsys.readouterr().out
    assert _customers(use_database) == 0
