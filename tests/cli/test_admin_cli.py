from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import AuditEntry, User


def test_init_settings_and_users(
    use_database: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    assert main(["settings", "set", "currency", "GBP"]) == 0
    assert main(["settings", "set", "timezone", "Europe/London"]) == 0
    assert main(["settings", "show", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"currency": "GBP"' in out and '"timezone": "Europe/London"' in out
    monkeypatch.setenv("ORDERFLOW_PASSWORD", "a very long password")
    assert main(["users", "add", "ana@example.com", "--role", "analyst"]) == 0
    with Session(use_database) as s:
        user = s.scalar(select(User))
        assert user is not None and (user.email, user.role) == ("ana@example.com", "analyst")
        actors = set(s.scalars(select(AuditEntry.actor)))
    assert actors == {"cli"}


def test_bad_input_exits_1_with_the_field(
    use_database: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["settings", "set", "currency", "EURO"]) == 1
    assert "currency" in capsys.readouterr().err
    assert main(["settings", "set", "no_such_key", "1"]) == 1


def test_users_add_without_a_password_is_refused(
    use_database: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ORDERFLOW_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["users", "add", "x@example.com", "--role", "owner"]) == 1
    assert "ORDERFLOW_PASSWORD" in capsys.readouterr().err


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as info:
        main(["settings", "frobnicate"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
