"""Dispatch to a real SMTP server on loopback: every suppression reason, quiet hours deferred,
the frequency cap by priority, one connection per batch, 451-then-250 retried, 550 failed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from core import settings as store_settings
from core.engine import worker
from core.engine.dispatch import quiet_until, smtp_to
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.models import Customer, Message
from tests.core.engine.conftest import CLI, Shop
from tests.smtp_server import LocalSmtp


def _mail(template: str, priority: int = 100, **extra: object) -> WorkflowDefinition:
    return WorkflowDefinition(
        name=f"mail {template} {priority}",
        priority=priority,
        triggers=[Trigger(type="order_placed")],
        steps=[Step(id="mail", type="send_email", params={"template": template})],
        **extra,
    )


def _run(shop: Shop, server: LocalSmtp) -> worker.CycleStats:
    return worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", server.port))


def test_transactional_sent_once_with_headers(shop: Shop, smtp_server: LocalSmtp) -> None:
    anna = shop.customer("anna", consent=False)
    shop.workflow(_mail("order_confirmation"))
    order = shop.order(anna)
    _run(shop, smtp_server)
    _run(shop, smtp_server)
    assert len(smtp_server.messages) == 1
    received = smtp_server.messages[0]
    assert received["To"] == "anna@example.com" and order.number in str(received["Subject"])
    assert "List-Unsubscribe-Post" not in received  # transactional
    [m] = shop.messages()
    assert (m.state, m.transport, m.attempts) == ("sent", "smtp", 1)
    assert m.queued_at <= m.sending_at <= m.sent_at  # type: ignore[operator]


def test_marketing_suppression_reasons(shop: Shop, smtp_server: LocalSmtp) -> None:
    ok = shop.customer("ok")
    no_consent = shop.customer("nc", consent=False)
    unsub = shop.customer("un")
    no_email = shop.customer("ne", email=None)
    with shop.session() as s:
        s.execute(
            update(Customer).where(Customer.id == unsub.id).values(unsubscribed_at=shop.clock.now)
        )
        s.commit()
    shop.workflow(_mail("review_request"))
    for c in (ok, no_consent, unsub, no_email):
        shop.order(c)
    _run(shop, smtp_server)
    by_customer = {m.customer_id: (m.state, m.suppression_reason) for m in shop.messages()}
    assert by_customer == {
        ok.id: ("sent", None),
        no_consent.id: ("suppressed", "no_consent"),
        unsub.id: ("suppressed", "unsubscribed"),
        no_email.id: ("suppressed", "no_email"),
    }
    received = smtp_server.messages[0]
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_quiet_hours_defer_not_drop(shop: Shop, smtp_server: LocalSmtp) -> None:
    night = shop.clock.now.replace(hour=22)  # 23:00 in Berlin
    shop.clock.set(night)
    anna = shop.customer("anna")
    shop.workflow(_mail("review_request"))
    shop.workflow(_mail("order_confirmation"))
    shop.order(anna)
    _run(shop, smtp_server)
    assert len(smtp_server.messages) == 1  # transactional goes at once
    marketing = shop.messages(template_name="review_request")[0]
    assert (marketing.state, marketing.suppression_reason) == ("deferred", "quiet_hours")
    assert marketing.due_at == dt.datetime(2025, 3, 4, 7, 0, tzinfo=dt.UTC)  # 08:00 Berlin
    shop.clock.set(marketing.due_at)
    _run(shop, smtp_server)
    sent = shop.messages(template_name="review_request")[0]
    assert (sent.state, sent.suppression_reason) == ("sent", None)  # the deferral is over
    assert len(smtp_server.messages) == 2


def test_quiet_until_in_customer_zone() -> None:
    at = dt.datetime(2025, 6, 1, 5, 0, tzinfo=dt.UTC)
    assert quiet_until(at, "Europe/Berlin", "21:00", "08:00") == dt.datetime(
        2025, 6, 1, 6, 0, tzinfo=dt.UTC
    )
    assert quiet_until(at, "Asia/Tokyo", "21:00", "08:00") is None  # 14:00 in Tokyo
    assert quiet_until(at, "Europe/Berlin", "08:00", "08:00") is None


def test_frequency_cap_by_priority(shop: Shop, smtp_server: LocalSmtp) -> None:
    with shop.session() as s:
        store_settings.update_settings(s, CLI, {"frequency_cap_count": 1, "frequency_cap_days": 7})
        s.commit()
    anna = shop.customer("anna")
    low = shop.workflow(_mail("review_request", priority=90))
    high = shop.workflow(_mail("review_reminder", priority=5))
    shop.order(anna)
    _run(shop, smtp_server)
    states = {m.workflow_id: (m.state, m.suppression_reason) for m in shop.messages()}
    assert states == {high.id: ("sent", None), low.id: ("suppressed", "frequency_cap")}


def test_temporary_failure_retried_then_sent(shop: Shop, smtp_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = smtp_server_factory(["451 4.3.0 Try again later"])
    anna = shop.customer("anna")
    shop.workflow(_mail("order_confirmation"))
    shop.order(anna)
    stats = _run(shop, server)
    [m] = shop.messages()
    assert stats.dispatch["retried"] == 1 and m.state == "queued" and m.attempts == 1
    assert "451" in (m.last_error or "") and m.due_at == shop.clock.now + dt.timedelta(minutes=1)
    _run(shop, server)
    assert shop.messages()[0].state == "queued"  # not due yet
    shop.clock.advance(minutes=1)
    _run(shop, server)
    [m] = shop.messages()
    assert (m.state, m.attempts) == ("sent", 2) and len(server.messages) == 1


def test_permanent_failure_keeps_reply(shop: Shop, smtp_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = smtp_server_factory(["550 5.1.1 No such user here"])
    anna, ben = shop.customer("anna"), shop.customer("ben")
    shop.workflow(_mail("order_confirmation"))
    shop.order(anna)
    shop.order(ben)
    _run(shop, server)
    states = sorted((m.state, m.last_error or "") for m in shop.messages())
    assert states[0] == ("failed", "550 5.1.1 No such user here")
    assert states[1][0] == "sent" and len(server.messages) == 1


def test_demo_customers_go_to_mailbox(shop: Shop, smtp_server: LocalSmtp) -> None:
    demo = shop.customer("demo", demo=True)
    shop.workflow(_mail("order_confirmation"))
    shop.order(demo)
    _run(shop, smtp_server)
    [m] = shop.messages()
    assert (m.state, m.transport) == ("sent", "mailbox") and smtp_server.messages == []


def test_stale_sending_reclaimed_after_lease(shop: Shop, smtp_server: LocalSmtp) -> None:
    anna = shop.customer("anna")
    shop.workflow(_mail("order_confirmation"))
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", 1))  # refused
    with shop.session() as s:  # as if a worker died after committing `sending`
        s.execute(
            update(Message).values(
                state="sending", sending_at=shop.clock.now, due_at=shop.clock.now
            )
        )
        s.commit()
    _run(shop, smtp_server)
    assert smtp_server.messages == []
    shop.clock.advance(minutes=6)
    _run(shop, smtp_server)
    assert len(smtp_server.messages) == 1 and shop.messages()[0].state == "sent"


def test_a_worker_releases_claims_before_its_lease_ends(shop: Shop, smtp_server: LocalSmtp) -> None:
    from core.engine.dispatch import dispatch_due

    customers = [shop.customer(f"c{i}") for i in range(3)]
    shop.workflow(_mail("order_confirmation"))
    for c in customers:
        shop.order(c)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp_to("127.0.0.1", 1))  # refused
    with shop.session() as s:
        s.execute(update(Message).values(state="queued", due_at=shop.clock.now, attempts=0))
        s.commit()
    stats = dispatch_due(
        shop.engine,
        shop.clock.now,
        smtp_to("127.0.0.1", smtp_server.port),
        lease=dt.timedelta(seconds=0),
        max_batches=1,
    )
    assert stats.claimed == 3 and stats.sent == 0  # a zero lease: nothing may be sent
    assert {m.state for m in shop.messages()} == {"queued"}
    assert {m.attempts for m in shop.messages()} == {0}
    _run(shop, smtp_server)
    assert len(smtp_server.messages) == 3
