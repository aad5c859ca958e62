"""The Templates page through AppTest: library, editing with live preview, errors next to the
field, empty-variable warnings, read-only roles, send test."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.messaging import library, templates
from core.models import Message, TemplateTranslation
from dashboard.components.mdtext import md
from tests.core.messaging.conftest import build_shop
from tests.pages.conftest import PageRunner


def _shop(engine: Engine, with_library: bool = True) -> None:
    with Session(engine, expire_on_commit=False) as session:
        build_shop(session)
        if with_library:
            library.ensure_library(session, Actor.cli())
        session.commit()


def test_a_removed_library_template_can_be_added_again(
    run_page: PageRunner, app_db: Engine
) -> None:
    _shop(app_db)
    with Session(app_db) as session, session.begin():
        templates.delete_template(session, Actor.cli(), "win_back")
    at = run_page("templates.py")
    assert not at.exception
    at.selectbox(key="tpl_lib_pick").set_value("win_back").run()
    at.button(key="tpl_lib_add").click().run()
    assert not at.exception
    with Session(app_db) as session:
        assert len(templates.get_template(session, "win_back").translations) == 8


def test_preview_renders_for_the_chosen_order_in_its_language(
    run_page: PageRunner, app_db: Engine
) -> None:
    _shop(app_db)
    at = run_page("templates.py")
    at.selectbox(key="tpl_name").set_value("shipped").run()
    at.selectbox(key="tpl_locale").set_value("de").run()
    at.text_input(key="tpl_search").set_value("1010").run()
    assert not at.exception
    assert any("Ihre Bestellung 1010 ist unterwegs" in m.value for m in at.markdown)
    assert len(at.get("iframe")) >= 1
    assert not at.warning


def test_errors_show_next_to_the_field_and_nothing_is_saved(
    run_page: PageRunner, app_db: Engine
) -> None:
    _shop(app_db)
    at = run_page("templates.py")
    at.selectbox(key="tpl_name").set_value("delivered").run()
    at.selectbox(key="tpl_locale").set_value("en").run()
    at.text_area(key="tpl_html_delivered_en").set_value("<p>{{ customer.firstname }}</p>").run()
    at.button(key="tpl_save").click().run()
    assert not at.exception
    assert any(md("customer.first_name") in e.value for e in at.error)
    with Session(app_db) as session:
        row = session.scalar(
            select(TemplateTranslation).where(
                TemplateTranslation.locale == "en", TemplateTranslation.html.contains("firstname")
            )
        )
        assert row is None


def test_empty_variable_without_fallback_is_warned_and_save_works(
    run_page: PageRunner, app_db: Engine
) -> None:
    _shop(app_db)
    at = run_page("templates.py")
    at.selectbox(key="tpl_name").set_value("delivered").run()
    at.selectbox(key="tpl_locale").set_value("en").run()
    at.text_input(key="tpl_search").set_value("1001").run()
    at.text_area(key="tpl_html_delivered_en").set_value(
        "<p>Tracking: {{ delivery.tracking_url }}</p>"
    ).run()
    assert any("delivery.tracking_url" in w.value for w in at.warning)
    at.button(key="tpl_save").click().run()
    assert not at.exception and any("Saved delivered (en)" in s.value for s in at.success)


def test_send_test_lands_in_the_mailbox(run_page: PageRunner, app_db: Engine) -> None:
    _shop(app_db)
    at = run_page("templates.py")
    at.selectbox(key="tpl_name").set_value("review_request").run()
    at.text_input(key="tpl_search").set_value("1020").run()
    at.text_input(key="tpl_test_to").set_value("me@example.org").run()
    at.button(key="tpl_test_send").click().run()
    assert not at.exception
    with Session(app_db) as session:
        message = session.scalar(select(Message).where(Message.is_test))
        assert message is not None and message.to_address == "me@example.org"
        assert message.transport == "mailbox" and message.state == "sent"


def test_manager_sees_templates_read_only(run_page: PageRunner, app_db: Engine) -> None:
    _shop(app_db)
    at = run_page("templates.py", role=Role.MANAGER)
    assert not at.exception
    assert any("Read-only" in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "tpl_save"]
    assert all(t.disabled for t in at.text_area)
