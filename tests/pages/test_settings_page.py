from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Role
from core.models import User
from tests.pages.conftest import PageRunner


def test_owner_saves_settings(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("settings.py")
    assert not at.exception
    at.text_input(key="s_name").set_value("Nordlicht Store")
    at.text_input(key="s_rates").set_value("PLN=0.23, SEK=0.087")
    at.button(key="FormSubmitter:store_settings-Save settings").click().run()
    assert not at.exception
    with Session(app_db) as s:
        saved = store_settings.load(s)
    assert saved.name == "Nordlicht Store"
    assert {k: str(v) for k, v in saved.exchange_rates.items()} == {"PLN": "0.23", "SEK": "0.087"}


def test_bad_value_is_named_and_nothing_saved(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("settings.py")
    at.text_input(key="s_name").set_value("Changed")
    at.text_input(key="s_qs").set_value("25:99")
    at.button(key="FormSubmitter:store_settings-Save settings").click().run()
    assert not at.exception
    assert any("quiet_hours_start" in e.value for e in at.error)
    with Session(app_db) as s:
        assert store_settings.load(s).name == "My shop"


def test_owner_adds_a_user(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("settings.py")
    at.text_input(key="u_email").set_value("ana@example.com")
    at.selectbox(key="u_role").set_value("analyst")
    at.text_input(key="u_pw").set_value("analyst password")
    at.button(key="FormSubmitter:add_user-Add user").click().run()
    assert not at.exception
    with Session(app_db) as s:
        assert s.scalar(select(User.role).where(User.email == "ana@example.com")) == "analyst"


def test_manager_reads_only(run_page: PageRunner) -> None:
    at = run_page("settings.py", role=Role.MANAGER)
    assert not at.exception
    assert "can read the settings" in at.caption[0].value
    submit = at.button(key="FormSubmitter:store_settings-Save settings")
    assert submit.disabled
    assert not [t for t in at.text_input if t.key == "u_email"]
