from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Role
from core.models import User
from dashboard.components.mdtext import md
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
    # named by its label, not the internal key
    assert any(md("Quiet hours start (customer's local time)") in e.value for e in at.error)
    assert not any("quiet_hours_start" in e.value for e in at.error)
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


def test_rate_errors_read_as_labels(run_page: PageRunner) -> None:
    at = run_page("settings.py")
    at.text_input(key="s_rates").set_value("PLN=-1")
    at.text_input(key="s_from").set_value("")
    at.button(key="FormSubmitter:store_settings-Save settings").click().run()
    text = " ".join(e.value for e in at.error)
    assert md("Exchange rates to the store currency (PLN)") in text and "Sender address" in text
    assert "exchange_rates.PLN" not in text and "sender_email" not in text


def test_add_user_error_keeps_values_and_role_then_table_refreshes(
    run_page: PageRunner, app_db: Engine
) -> None:
    at = run_page("settings.py")
    assert at.selectbox(key="u_role").value == "analyst"  # the fewest rights by default
    at.text_input(key="u_email").set_value("ana@example.com")
    at.selectbox(key="u_role").set_value("manager")
    at.text_input(key="u_pw").set_value("short")
    at.button(key="FormSubmitter:add_user-Add user").click().run()
    assert not at.exception and at.error
    assert at.text_input(key="u_email").value == "ana@example.com"
    assert at.selectbox(key="u_role").value == "manager"
    at.text_input(key="u_pw").set_value("a long enough password")
    at.button(key="FormSubmitter:add_user-Add user").click().run()
    assert not at.exception and not at.error
    assert md("Added ana@example.com as manager.") in [s.value for s in at.success]
    users = next(d.value for d in at.dataframe if "last login" in d.value.columns)
    assert "ana@example.com" in list(users["email"])  # the table shows the new user at once
    assert at.text_input(key="u_email").value == ""


def test_warns_while_links_point_at_localhost(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("settings.py")
    assert any("only works on this computer" in w.value for w in at.warning)
    at.text_input(key="s_url").set_value("https://orders.shop.example")
    at.button(key="FormSubmitter:store_settings-Save settings").click().run()
    again = run_page("settings.py")
    assert not any("only works on this computer" in w.value for w in again.warning)
