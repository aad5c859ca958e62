"""A customer opens the "email settings" link of an email in the local mailbox, turns off review
requests only and saves; the next review request is suppressed with that reason while the order
email of the same delivery still arrives."""

from __future__ import annotations

import re
import uuid
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.models import Customer, Message, Order, PreferenceChange
from dashboard.routes.preferences_texts import TEXTS
from tests.core.messaging.conftest import add_customer, add_order
from tests.e2e.conftest import Server, screenshot

pytestmark = pytest.mark.e2e
T = TEXTS["en"]


def _workflow(server: Server, tmp_path: Path, name: str) -> int:
    definition = WorkflowDefinition(
        name=name,
        triggers=[Trigger(type="delivered")],
        steps=[
            Step(id="delivered", type="send_email", params={"template": "delivered"}, next="ask"),
            Step(id="ask", type="send_email", params={"template": "review_request"}),
        ],
    )
    path = tmp_path / "workflow.json"
    path.write_text(definition.model_dump_json(), encoding="utf-8")
    result = server.cli("workflow", "import", str(path), "--activate", "--json")
    assert result.returncode == 0, result.stderr
    found = re.search(r'"id":\s*(\d+)', result.stdout)
    assert found, result.stdout
    return int(found.group(1))


def _shop(server: Server) -> tuple[int, str, str]:
    """A consenting demo customer (mail goes to the local mailbox) with two paid orders."""
    key = uuid.uuid4().hex[:8]
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        customer = add_customer(
            session, f"pref-{key}", "en_IE", external_id=f"pref-{key}", is_demo=True
        )
        first = add_order(session, customer, f"PREF-{key}-1", status="paid", is_demo=True)
        second = add_order(session, customer, f"PREF-{key}-2", status="paid", is_demo=True)
        session.commit()
        refs = (customer.id, first.external_id, second.external_id)
    engine.dispose()
    return refs


def _deliver(server: Server, order_ref: str) -> None:
    result = server.cli("event", order_ref, "delivered")
    assert result.returncode == 0, result.stderr
    result = server.cli("worker", "--once")
    assert result.returncode == 0, result.stderr


def _messages(server: Server, workflow_id: int, order_ref: str) -> dict[str, tuple[Any, ...]]:
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        rows = session.execute(
            select(
                Message.template_name,
                Message.state,
                Message.transport,
                Message.suppression_reason,
                Message.html,
            )
            .join(Order, Order.id == Message.order_id)
            .where(Message.workflow_id == workflow_id, Order.external_id == order_ref)
        ).all()
    engine.dispose()
    return {str(r[0]): tuple(r[1:]) for r in rows}


def _settings_link(html: str) -> str:
    """The href of the "Email settings" link in an email's HTML."""
    found = re.search(r'<a[^>]+href="([^"]+)"[^>]*>\s*Email settings\s*</a>', html)
    assert found, "the email has no email settings link"
    return unescape(found.group(1))


def test_customer_turns_off_review_requests_only(page: Any, server: Server, tmp_path: Path) -> None:
    for key in ("quiet_hours_start", "quiet_hours_end"):  # no quiet hours: any time of day
        assert server.cli("settings", "set", key, "00:00").returncode == 0
    workflow_id = _workflow(server, tmp_path, f"Delivered and review {uuid.uuid4().hex[:6]}")
    customer_id, first, second = _shop(server)

    _deliver(server, first)
    mails = _messages(server, workflow_id, first)
    assert {k: v[:3] for k, v in mails.items()} == {
        "delivered": ("sent", "mailbox", None),
        "review_request": ("sent", "mailbox", None),
    }

    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(_settings_link(mails["delivered"][3]))
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(T["title"])
    review_box = page.get_by_label(T["review_requests"])
    expect(review_box).to_be_checked()
    review_box.uncheck()
    screenshot(page, "preferences-page")
    page.get_by_role("button", name=T["save"]).click()
    expect(page.get_by_role("status")).to_have_text(T["saved"])
    expect(page.get_by_label(T["review_requests"])).not_to_be_checked()
    expect(page.get_by_label(T["offers"])).to_be_checked()
    expect(page.get_by_label(T["newsletters"])).to_be_checked()
    screenshot(page, "preferences-saved")

    _deliver(server, second)
    mails = _messages(server, workflow_id, second)
    assert {k: v[:3] for k, v in mails.items()} == {
        "delivered": ("sent", "mailbox", None),
        "review_request": ("suppressed", None, "opted_out_review_requests"),
    }
    engine = create_engine(server.database_url)
    with Session(engine) as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None and customer.opted_out == ["review_requests"]
        changes = session.execute(
            select(
                PreferenceChange.field, PreferenceChange.new_value, PreferenceChange.source
            ).where(PreferenceChange.customer_id == customer_id)
        ).all()
    engine.dispose()
    assert changes == [("review_requests", "False", "preference_centre")]
