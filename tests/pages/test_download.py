"""The CSV download builder (dashboard/components/download.py) as the Outbox uses it: only roles
that may export get the button, a click is audited, and core refuses the others."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core import exporting
from core.auth import Actor, Role
from core.errors import PermissionDenied
from core.models import AuditEntry


def _outbox_table() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.components.download import table_with_download

    frame = pd.DataFrame(
        {"id": [1, 2, 3], "to_address": ["a@example.org", "b@example.org", "-1+1"]}
    )
    table_with_download(frame, "outbox", key="outbox", actor=st.session_state["who"])


def _run(role: Role) -> AppTest:
    at = AppTest.from_function(_outbox_table, default_timeout=30)
    at.session_state["who"] = Actor(f"{role.value}@example.com", role)
    return at.run()


def _downloads(engine: Engine) -> list[tuple[str, str | None, dict[str, object]]]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "export.download"))
        return [(r.actor, r.target, r.detail) for r in rows]


def test_a_download_is_audited_for_a_role_that_may_export(app_db: Engine) -> None:
    at = _run(Role.ANALYST)
    [button] = at.download_button
    assert not at.exception and _downloads(app_db) == []  # drawing it is not downloading
    button.click().run()
    assert not at.exception
    assert _downloads(app_db) == [("analyst@example.com", "outbox.csv", {"rows": 3})]


def test_a_role_that_may_not_export_gets_no_download_and_core_refuses(app_db: Engine) -> None:
    at = _run(Role.MANAGER)
    assert not at.exception and not at.download_button and at.dataframe
    with Session(app_db) as s, s.begin(), pytest.raises(PermissionDenied, match="manager"):
        exporting.record_download(s, Actor("manager@example.com", Role.MANAGER), "outbox.csv", 3)
    assert _downloads(app_db) == []
