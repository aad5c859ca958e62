"""The entrypoint as a script: first start, login gate, navigation per role."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core import accounts, auth
from core.auth import Actor, Role
from dashboard import auth_ui, state
from dashboard.components.mdtext import md
from dashboard.navigation import PAGES
from tests.pages.conftest import ROOT, as_role

APP = str(ROOT / "dashboard" / "app.py")


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def test_first_start_creates_the_owner_then_logs_in(
    app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(accounts.ENV_SETUP_CODE, "SETUP-CODE-2026")
    accounts.issue_setup_code(app_db)
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == auth_ui.CREATE_OWNER_TITLE
    at.text_input(key="owner_email").set_value("boss@example.com")
    at.text_input(key="owner_pw").set_value("a good long password")
    at.text_input(key="owner_pw2").set_value("a good long password")
    at.button(key="FormSubmitter:create_owner-Create owner account").click().run()
    assert any("setup code" in e.value for e in at.error)  # without the code: no owner
    at.text_input(key="owner_code").set_value("SETUP-CODE-2026")
    at.text_input(key="owner_pw").set_value("a good long password")
    at.text_input(key="owner_pw2").set_value("a good long password")
    at.button(key="FormSubmitter:create_owner-Create owner account").click().run()
    assert not at.exception
    assert at.session_state[state.ACTOR] == as_role(Role.OWNER, "boss@example.com")

    again = _app().run()
    assert again.title[0].value == auth_ui.LOGIN_TITLE
    again.text_input(key="login_email").set_value("boss@example.com")
    again.text_input(key="login_pw").set_value("wrong password")
    again.button(key="FormSubmitter:login-Log in").click().run()
    assert not again.exception
    assert md("Wrong email or password.") in [e.value for e in again.error]
    again.text_input(key="login_pw").set_value("a good long password")
    again.button(key="FormSubmitter:login-Log in").click().run()
    assert not again.exception
    assert again.session_state[state.ACTOR].name == "boss@example.com"

    with Session(app_db) as s, s.begin():  # the owner's role changes in another tab...
        auth.add_user(s, Actor.cli(), "second@example.com", "a good long password", Role.OWNER)
        accounts.change_role(s, Actor.cli(), "boss@example.com", "analyst")
    again.run()  # ...and this open tab sees it on its next run
    assert again.session_state[state.ACTOR].role == Role.ANALYST
    with Session(app_db) as s, s.begin():
        accounts.set_active(s, Actor.cli(), "boss@example.com", False)
    again.run()
    assert state.ACTOR not in again.session_state
    assert again.title[0].value == auth_ui.LOGIN_TITLE
    assert any("session has ended" in i.value for i in again.info)


def test_owner_form_checks_the_repeat(app_db: object) -> None:
    at = _app().run()
    at.text_input(key="owner_email").set_value("boss@example.com")
    at.text_input(key="owner_pw").set_value("a good long password")
    at.text_input(key="owner_pw2").set_value("another password!")
    at.button(key="FormSubmitter:create_owner-Create owner account").click().run()
    assert not at.exception
    assert any("differ" in e.value for e in at.error)


def test_roles_see_their_pages() -> None:
    from dashboard.navigation import visible_pages

    analyst = {p.title for p in visible_pages(as_role(Role.ANALYST))}
    manager = {p.title for p in visible_pages(as_role(Role.MANAGER))}
    owner = {p.title for p in visible_pages(as_role(Role.OWNER))}
    assert owner == {p.title for p in PAGES}
    assert "Data" in analyst and "Workflows" not in analyst and "Templates" not in analyst
    assert "Workflows" in manager and "Data" not in manager and "Delivery options" not in manager


def test_first_start_sets_the_public_address(
    app_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.orm import Session

    from core import settings as store_settings

    monkeypatch.setenv(accounts.ENV_SETUP_CODE, "SETUP-CODE-2026")
    accounts.issue_setup_code(app_db)
    at = _app().run()
    at.text_input(key="owner_code").set_value("SETUP-CODE-2026")
    assert at.text_input(key="owner_url").label.startswith("Public web address")
    at.text_input(key="owner_email").set_value("boss@example.com")
    at.text_input(key="owner_pw").set_value("a good long password")
    at.text_input(key="owner_pw2").set_value("a good long password")
    at.text_input(key="owner_url").set_value("https://orders.shop.example/")
    at.button(key="FormSubmitter:create_owner-Create owner account").click().run()
    assert not at.exception and not at.error
    with Session(app_db) as s:
        assert store_settings.load(s).public_base_url == "https://orders.shop.example"
