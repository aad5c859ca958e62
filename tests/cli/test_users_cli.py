"""Issue 11 defects 3 and 9 on the command line: the owner's deactivate, role and reset-password
commands (audited), and no raw traceback when the database is busy."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import accounts
from core.cli import main
from core.errors import AuthError
from core.models import AuditEntry, User


def test_deactivate_role_and_reset_password(
    use_database: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ORDERFLOW_PASSWORD", "a very long password")
    assert main(["users", "add", "boss@example.com", "--role", "owner"]) == 0
    assert main(["users", "add", "ana@example.com", "--role", "analyst"]) == 0
    session = accounts.login(use_database, "ana@example.com", "a very long password")
    assert main(["users", "role", "ana@example.com", "manager"]) == 0
    monkeypatch.setenv("ORDERFLOW_PASSWORD", "password123")
    assert main(["users", "reset-password", "ana@example.com"]) == 1
    assert "too weak" in capsys.readouterr().err
    monkeypatch.setenv("ORDERFLOW_PASSWORD", "staple battery horse correct")
    assert main(["users", "reset-password", "ana@example.com"]) == 0
    with Session(use_database) as s, pytest.raises(AuthError):
        accounts.session_actor(s, session.token)
    assert main(["users", "deactivate", "ana@example.com"]) == 0
    assert main(["users", "deactivate", "boss@example.com"]) == 1  # the last active owner
    assert "last active owner" in capsys.readouterr().err
    assert main(["users", "deactivate", "nobody@example.com"]) == 1
    with Session(use_database) as s:
        ana = s.scalar(select(User).where(User.email == "ana@example.com"))
        actions = set(s.scalars(select(AuditEntry.action)))
    assert ana is not None and (ana.role, ana.active) == ("manager", False)
    assert {"user.role", "user.password_reset", "user.deactivate"} <= actions


def test_busy_database_gives_one_line_not_a_traceback(
    use_database: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    if use_database.dialect.name != "sqlite":
        pytest.skip("the SQLite write lock")
    monkeypatch.setenv("ORDERFLOW_PASSWORD", "a very long password")
    path = use_database.url.database
    assert path is not None
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        monkeypatch.setattr("core.db.SQLITE_BUSY_TIMEOUT_MS", 200)
        code = main(["settings", "set", "currency", "GBP"])
    finally:
        holder.rollback()
        holder.close()
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "database is busy" in err
