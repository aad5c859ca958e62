"""AppTest helpers: run a page script as a logged-in role against the test database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from core.auth import Actor, Role
from dashboard import state

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages"

PageRunner = Callable[..., AppTest]


@pytest.fixture
def app_db(monkeypatch: pytest.MonkeyPatch, sqlite_engine: Engine) -> Iterator[Engine]:
    """A clean SQLite database configured for the dashboard, with fresh Streamlit caches."""
    monkeypatch.setenv(
        "ORDERFLOW_DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False)
    )
    from core import db

    db.default_engine.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    yield sqlite_engine
    st.cache_resource.clear()
    st.cache_data.clear()
    db.default_engine.cache_clear()


def as_role(role: Role = Role.OWNER, email: str | None = None) -> Actor:
    return Actor(email or f"{role.value}@example.com", role)


@pytest.fixture
def run_page(app_db: Engine) -> PageRunner:
    """``run_page("settings.py", role=Role.MANAGER)`` runs a page as that role and returns it."""

    def run(file: str, role: Role = Role.OWNER, **session: object) -> AppTest:
        at = AppTest.from_file(str(PAGES / file), default_timeout=30)
        at.session_state[state.ACTOR] = as_role(role)
        for key, value in session.items():
            at.session_state[key] = value
        return at.run()

    return run


HOSTILE = "**bold** [link](http://evil.example) <b>x</b> $x$"


def assert_escaped(body: str, text: str = HOSTILE) -> None:
    """``body`` (a Markdown element's source) shows ``text`` literally: escaped, never as markup."""
    from dashboard.components.mdtext import md

    assert md(text) in body, body
    for markup in ("**bold**", "[link](", "<b>", "$x$", "**b**"):
        assert markup not in body, body
