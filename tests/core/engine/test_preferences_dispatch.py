"""The preference centre's choices in the engine: each purpose turned off suppresses only its
own messages (with a reason naming it), order emails always go, the email frequency holds
marketing back, and every change is recorded with its time and source."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from core import preferences
from core.engine import worker
from core.engine.dispatch import smtp_to
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.errors import AuthError, ValidationError
from core.models import ConsentEvent, Customer, PreferenceChange
from tests.core.engine.conftest import Shop
from tests.smtp_server import LocalSmtp
from tests.tokens import tampered

TEMPLATES = {
    "review_requests": "review_request",
    "offers": "thank_you_coupon",
    "newsletters": "win_back",
}


def _all_mails() -> WorkflowDefinition:
    """A coupon first (the coupon emails show it), then one email of every purpose."""
    names = ["order_confirmation", *TEMPLATES.values()]
    steps = [Step(id="coupon", type="issue_coupon", params={"value": 10}, next="s0")]
    steps += [
        Step(
            id=f"s{i}",
            type="send_email",
            params={"template": name},
            next=f"s{i + 1}" if i + 1 < len(names) else None,
        )
        for i, name in enumerate(names)
    ]
    return WorkflowDefinition(
        name="every purpose", triggers=[Trigger(type="order_placed")], steps=steps
    )


def _turn_off(shop: Shop, customer_id: int, purpose: str) -> list[str]:
    with shop.session() as s:
        customer = s.get(Customer, customer_id)
        assert customer is not None
        current = preferences.current(customer)
        wanted = preferences.Preferences(
            purposes={**current.purposes, purpose: False},
            frequency=current.frequency,
            locale=current.locale,
        )
        changed = preferences.save(s, customer, wanted, "preference_centre", shop.clock.now)
        s.commit()
        return changed


@pytest.mark.parametrize("purpose", list(TEMPLATES))
def test_each_purpose_suppresses_only_its_messages(
    shop: Shop, smtp_server: LocalSmtp, purpose: str
) -> None:
    anna = shop.customer("anna")
    assert _turn_off(shop, anna.id, purpose) == [purpose]
    shop.workflow(_all_mails())
    shop.order(anna)
    for _ in range(5):  # one step per cycle
        worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", smtp_server.port))
    states = {m.template_name: (m.state, m.suppression_reason) for m in shop.messages()}
    expected = {name: ("sent", None) for name in ["order_confirmation", *TEMPLATES.values()]}
    expected[TEMPLATES[purpose]] = ("suppressed", f"opted_out_{purpose}")
    assert states == expected
    with shop.session() as s:
        change = s.scalars(select(PreferenceChange)).one()
        consent = s.scalars(select(ConsentEvent)).one()
    assert (change.field, change.old_value, change.new_value) == (purpose, "True", "False")
    assert (change.source, change.at) == ("preference_centre", shop.clock.now)
    assert (consent.purpose, consent.granted, consent.source) == (
        purpose,
        False,
        "preference_centre",
    )


def test_unsubscribe_from_all_marketing_keeps_order_emails(
    shop: Shop, smtp_server: LocalSmtp
) -> None:
    anna = shop.customer("anna")
    with shop.session() as s:
        customer = s.get(Customer, anna.id)
        assert customer is not None
        wanted = preferences.Preferences(all_marketing_off=True, locale="de")
        assert preferences.save(s, customer, wanted, now=shop.clock.now) == ["all_marketing"]
        s.commit()
    shop.workflow(_all_mails())
    shop.order(anna)
    for _ in range(5):
        worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", smtp_server.port))
    states = {m.template_name: (m.state, m.suppression_reason) for m in shop.messages()}
    assert states["order_confirmation"] == ("sent", None)
    assert {states[n] for n in TEMPLATES.values()} == {("suppressed", "unsubscribed")}


def test_weekly_frequency_holds_back_the_second_marketing_email(
    shop: Shop, smtp_server: LocalSmtp
) -> None:
    anna = shop.customer("anna")
    with shop.session() as s:
        customer = s.get(Customer, anna.id)
        assert customer is not None
        preferences.save(
            s,
            customer,
            preferences.Preferences(frequency="weekly", locale="de"),
            now=shop.clock.now,
        )
        s.commit()
    shop.workflow(_all_mails())
    shop.order(anna)
    for _ in range(5):
        worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", smtp_server.port))
    states = [(m.template_name, m.state, m.suppression_reason) for m in shop.messages()]
    sent_marketing = [s for s in states if s[0] in TEMPLATES.values() and s[1] == "sent"]
    held = [s for s in states if s[2] == "email_frequency"]
    assert len(sent_marketing) == 1 and len(held) == 2
    assert ("order_confirmation", "sent", None) in states


def test_preference_links_are_signed_and_changes_validated(shop: Shop) -> None:
    anna = shop.customer("anna")
    token = preferences.make_token(anna.id)
    assert preferences.read_token(token) == anna.id
    with pytest.raises(AuthError):
        preferences.read_token(tampered(token))
    with shop.session() as s:
        customer = s.get(Customer, anna.id)
        assert customer is not None
        with pytest.raises(ValidationError, match="frequency"):
            preferences.save(s, customer, preferences.Preferences(frequency="hourly"))
        with pytest.raises(ValidationError, match="language"):
            preferences.save(s, customer, preferences.Preferences(locale="xx"))
        assert s.scalars(select(PreferenceChange)).all() == []
        assert (
            preferences.suppression(customer, None, dt.datetime.now(dt.UTC), shop.clock.now) is None
        )


def test_backtest_counts_a_purpose_turned_off_as_no_consent(shop: Shop) -> None:
    from core.engine import backtest

    now = shop.clock.now
    people = [shop.customer(f"b{i}") for i in range(4)]
    for c in people:
        order = shop.order(c, at=now - dt.timedelta(days=20))
        shop.event(order, "delivered", now - dt.timedelta(days=18))
    _turn_off(shop, people[0].id, "review_requests")
    _turn_off(shop, people[1].id, "offers")  # another purpose: still gets review requests
    definition = WorkflowDefinition(
        name="reviews",
        triggers=[Trigger(type="delivered")],
        steps=[Step(id="mail", type="send_email", params={"template": "review_request"})],
    )
    with shop.session() as s:
        report = backtest.backtest(s, definition, days=90, now=now)
    mail = report.messages.set_index("step_id").loc["mail"]
    assert (int(mail["no_consent"]), int(mail["projected"])) == (1, 3)
