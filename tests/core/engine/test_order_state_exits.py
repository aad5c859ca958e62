"""Order state reaches the engine (issue 9, item 1): a cancelled or fully refunded order leaves
the presets' workflows, a waiting enrolment exits before its next send and the run log says
why; a partial refund does not stop the parcel email."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from core import orderstate
from core.engine import presets, runlog, worker
from core.engine.dispatch import smtp_to
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.models import Enrolment, Order
from tests.core.engine.conftest import Shop, install_templates
from tests.smtp_server import LocalSmtp


def _apply(shop: Shop, order: Order, kind: str, **kw: object) -> None:
    with shop.session() as s:
        stored = s.get_one(Order, order.id)
        orderstate.apply_event(s, stored, kind, shop.clock.now, source="cli", **kw)  # type: ignore[arg-type]
        s.commit()


def test_a_waiting_enrolment_exits_when_the_order_is_cancelled(shop: Shop) -> None:
    definition = presets.order_confirmation()
    definition.steps = [
        Step(id="wait", type="wait", params={"hours": 2}, next="confirm"),
        Step(id="confirm", type="send_email", params={"template": "order_confirmation"}),
    ]
    shop.workflow(definition)
    anna, ben = shop.customer("anna"), shop.customer("ben")
    cancelled = shop.order(anna)
    shop.order(ben)
    worker.run_once(shop.engine, clock=shop.clock)
    assert shop.messages() == []  # both wait
    _apply(shop, cancelled, "cancelled")
    shop.clock.advance(hours=3)
    worker.run_once(shop.engine, clock=shop.clock)
    sent = {m.customer_id: m for m in shop.messages()}
    assert sent[ben.id].state == "sent"
    assert sent[anna.id].state == "suppressed"
    assert sent[anna.id].suppression_reason == "exit_condition"
    with shop.session() as s:
        enrolment = s.scalars(select(Enrolment).where(Enrolment.order_id == cancelled.id)).one()
        assert enrolment.status == "exited"
        assert enrolment.exit_reason is not None
        assert "(order cancelled)" in enrolment.exit_reason
        assert "order.status = 'cancelled'" in enrolment.exit_reason
        log = runlog.run_log(s, order_id=cancelled.id)
    assert any("order cancelled" in str(d) for d in log["detail"])


def test_shipping_emails_skip_cancelled_and_fully_refunded_orders(shop: Shop) -> None:
    shop.workflow(presets.shipping_update())
    names = ("cancelled", "refunded", "partial", "plain")
    people = {n: shop.customer(n) for n in names}
    orders = {n: shop.order(people[n], event=None) for n in names}
    _apply(shop, orders["cancelled"], "cancelled")
    _apply(shop, orders["refunded"], "refunded")  # no amount: a full refund
    _apply(shop, orders["partial"], "refunded", ref="R1", amount=Decimal("10"))
    shop.clock.advance(minutes=5)
    for order in orders.values():
        _apply(shop, order, "shipped")
    worker.run_once(shop.engine, clock=shop.clock)
    got = {m.customer_id: (m.template_name, m.state) for m in shop.messages()}
    assert got == {
        people["partial"].id: ("shipped", "sent"),
        people["plain"].id: ("shipped", "sent"),
    }
    with shop.session() as s:
        statuses = {n: s.get_one(Order, orders[n].id).status for n in names}
    assert statuses == {
        "cancelled": "cancelled",
        "refunded": "refunded",
        "partial": "fulfilled",
        "plain": "fulfilled",
    }


def test_every_order_preset_leaves_out_cancelled_and_refunded_orders() -> None:
    about_orders = [
        "order_confirmation",
        "shipping_update",
        "ready_for_pickup",
        "delivery_delay_apology",
        "review_request",
        "second_order_thank_you",
    ]
    for name in about_orders:
        d = presets.preset(name)
        assert d.entry == presets.still_active(), name
        assert d.still_true == presets.still_active(), name


def test_a_custom_filter_explains_itself(shop: Shop) -> None:
    definition = WorkflowDefinition(
        name="later",
        triggers=[Trigger(type="order_placed")],
        still_true=presets.still_active(),
        steps=[
            Step(id="wait", type="wait", params={"days": 1}, next="mail"),
            Step(id="mail", type="send_email", params={"template": "review_request"}),
        ],
    )
    shop.workflow(definition)
    order = shop.order(shop.customer("cleo"))
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(hours=1)
    _apply(shop, order, "refunded")
    shop.clock.advance(days=1)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        reason = s.scalars(select(Enrolment.exit_reason)).one()
    assert reason == (
        "'still true?' filter no longer holds (order fully refunded): order.status = 'refunded'"
    )


def test_cancellation_and_each_refund_get_their_message(shop: Shop) -> None:
    install_templates(shop.engine, ("order_cancelled", "refund_issued"))
    shop.workflow(presets.order_cancelled())
    shop.workflow(presets.refund_issued())
    anna, ben = shop.customer("anna"), shop.customer("ben")
    cancelled, refunded = shop.order(anna), shop.order(ben, total="80")
    _apply(shop, cancelled, "cancelled")
    _apply(shop, cancelled, "refunded")
    _apply(shop, refunded, "refunded", ref="R1", amount=Decimal("30"))
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(minutes=5)
    _apply(shop, refunded, "refunded", ref="R2", amount=Decimal("20"))
    worker.run_once(shop.engine, clock=shop.clock)
    got = sorted((m.customer_id, m.template_name, m.state) for m in shop.messages())
    assert got == sorted(
        [
            (anna.id, "order_cancelled", "sent"),
            (anna.id, "refund_issued", "sent"),
            (ben.id, "refund_issued", "sent"),
            (ben.id, "refund_issued", "sent"),
        ]
    )
    bodies = [m.text or "" for m in shop.messages(customer_id=ben.id)]
    assert "30,00" in bodies[0] and "50,00" in bodies[1]  # the total refunded so far


def test_a_deferred_email_is_not_sent_once_the_order_is_refunded(
    shop: Shop, smtp_server: LocalSmtp
) -> None:
    """A marketing email deferred for quiet hours waits in the outbox; a full refund during
    the night stops it before the morning send, and the run log says why."""
    shop.clock.set(shop.clock.now.replace(hour=22))  # 23:00 in Berlin
    definition = WorkflowDefinition(
        name="ask",
        triggers=[Trigger(type="order_placed")],
        still_true=presets.still_active(),
        steps=[Step(id="ask", type="send_email", params={"template": "review_request"})],
    )
    shop.workflow(definition)
    anna, ben = shop.customer("anna"), shop.customer("ben")
    refunded = shop.order(anna)
    shop.order(ben)
    smtp = smtp_to("127.0.0.1", smtp_server.port)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp)
    assert {m.state for m in shop.messages()} == {"deferred"}
    shop.clock.advance(hours=2)
    _apply(shop, refunded, "refunded")
    morning = shop.messages()[0].due_at
    shop.clock.set(morning)
    worker.run_once(shop.engine, clock=shop.clock, smtp=smtp)
    states = {m.customer_id: m for m in shop.messages()}
    assert states[anna.id].state == "suppressed"
    assert states[anna.id].suppression_reason == "exit_condition"
    assert states[ben.id].state == "sent"
    assert [m["To"] for m in smtp_server.messages] == ["ben@example.com"]
    with shop.session() as s:
        log = runlog.run_log(s, order_id=refunded.id)
    stopped = [str(d) for d in log["detail"] if "not sent" in str(d)]
    assert stopped == [
        "review_request not sent: 'still true?' filter no longer holds (order fully refunded): "
        "order.status = 'refunded'"
    ]
