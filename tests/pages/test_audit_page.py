"""The Audit page (issue 11): the owner filters who did what and downloads it; other roles
cannot read it (in core, not only by hiding the page)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import accounts, audit_read, auth
from core.auth import Actor, Role
from core.errors import AuthError, PermissionDenied
from tests.pages.conftest import PageRunner


def _history(engine: Engine) -> None:
    with Session(engine) as s, s.begin():
        auth.add_user(s, Actor.cli(), "ana@example.com", "a very long password", Role.ANALYST)
        accounts.change_role(s, Actor.cli(), "ana@example.com", "manager")
    accounts.login(engine, "ana@example.com", "a very long password", "10.1.1.1")
    with pytest.raises(AuthError):
        accounts.login(engine, "ana@example.com", "not the password", "10.1.1.1")


def test_owner_filters_the_audit_log(run_page: PageRunner, app_db: Engine) -> None:
    _history(app_db)
    at = run_page("audit.py")
    assert not at.exception
    frame = at.dataframe[0].value
    assert {"user.create", "user.role", "login", "login.failed"} <= set(frame["Action"])
    at.selectbox(key="audit_action").set_value("user.").run()
    assert set(at.dataframe[0].value["Action"]) == {"user.create", "user.role"}
    at.text_input(key="audit_who").set_value("ana@").run()
    assert set(at.dataframe[0].value["Actor"]) == set()  # the changes were made by cli
    assert [d for d in at.get("download_button") if "audit_csv" in d.proto.id]


def test_other_roles_cannot_read_it(app_db: Engine) -> None:
    _history(app_db)
    with Session(app_db) as s:
        for role in (Role.MERCHANT, Role.MANAGER, Role.ANALYST):
            with pytest.raises(PermissionDenied):
                audit_read.entries(s, Actor(f"{role.value}@example.com", role))
