"""The Mailbox page through AppTest."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.messaging import library
from core.messaging.send_test import send_test
from core.models import Message
from tests.core.messaging.conftest import build_shop
from tests.pages.conftest import HOSTILE, PageRunner, assert_escaped


def test_empty_mailbox(run_page: PageRunner) -> None:
    at = run_page("mailbox.py", role=Role.MANAGER)
    assert not at.exception
    assert any("mailbox is empty" in i.value for i in at.info)
    assert any("No SMTP server is configured" in c.value for c in at.caption)


def test_messages_are_listed_filtered_and_opened(run_page: PageRunner, app_db: Engine) -> None:
    with Session(app_db, expire_on_commit=False) as session:
        shop = build_shop(session)
        library.ensure_library(session, Actor.cli())
        send_test(
            session, Actor.cli(), "shipped", order_id=shop.orders["pl_PL"].id, to="a@example.org"
        )
        send_test(
            session, Actor.cli(), "delivered", order_id=shop.orders["it_IT"].id, to="b@example.org"
        )
        session.commit()
    at = run_page("mailbox.py")
    assert not at.exception
    assert len(at.dataframe[0].value) == 2
    at.text_input(key="mailbox_query").set_value("b@example").run()
    assert len(at.dataframe[0].value) == 1
    assert any("consegnato" in h.value for h in at.subheader)
    assert any("Il tuo ordine" in c.value for c in at.code)
    assert len(at.get("iframe")) == 1
    assert not at.exception


def test_a_hostile_subject_and_address_are_shown_literally(
    run_page: PageRunner, app_db: Engine
) -> None:
    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    with Session(app_db) as session, session.begin():
        session.add(
            Message(
                idempotency_key="hostile",
                to_address=f"{HOSTILE}@example.org",
                subject=HOSTILE,
                html="<p>hi</p>",
                text="hi",
                state="sent",
                transport="mailbox",
                due_at=now,
                queued_at=now,
                sent_at=now,
            )
        )
    at = run_page("mailbox.py")
    assert not at.exception
    assert_escaped(at.subheader[0].value)
    assert_escaped(next(c.value for c in at.caption if c.value.startswith("To ")))
