"""Triggers and enrolment: events at/after activation enrol (whatever their source), older ones
never; once per order; every trigger kind; time-based triggers once per key."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from core.engine import worker
from core.engine.registry import TRIGGERS
from core.engine.schema import Step, Trigger, WorkflowDefinition, rule
from core.models import EVENT_TYPES, Enrolment, TriggerMark
from tests.core.engine.conftest import Shop


def _wf(trigger: str, **params: object) -> WorkflowDefinition:
    return WorkflowDefinition(
        name=f"wf {trigger}",
        triggers=[Trigger(type=trigger, params=params)],
        steps=[Step(id="tag", type="add_tag", params={"tag": trigger})],
    )


def _enrolments(shop: Shop, workflow_id: int) -> list[Enrolment]:
    with shop.session() as s:
        return list(s.scalars(select(Enrolment).where(Enrolment.workflow_id == workflow_id)))


def test_import_after_activation_enrols_older_does_not(shop: Shop) -> None:
    anna, ben = shop.customer("anna"), shop.customer("ben")
    wf = shop.workflow(_wf("order_placed"))
    old = shop.order(anna, at=shop.clock.now - dt.timedelta(days=400))  # history import
    shop.clock.advance(hours=1)
    new = shop.order(ben, at=shop.clock.now - dt.timedelta(minutes=30))  # after activation
    stats = worker.run_once(shop.engine, clock=shop.clock)
    assert stats.events == 2
    enrolled = _enrolments(shop, wf.id)
    assert [e.order_id for e in enrolled] == [new.id]
    assert old.id not in {e.order_id for e in enrolled}
    worker.run_once(shop.engine, clock=shop.clock)  # same events never enrol twice
    assert len(_enrolments(shop, wf.id)) == 1


def test_every_event_trigger_enrols_its_event_only(shop: Shop) -> None:
    anna = shop.customer("anna")
    kinds = [k for k, spec in TRIGGERS.items() if spec.kind == "event"]
    workflows = {k: shop.workflow(_wf(k)) for k in kinds}
    order = shop.order(anna, event=None)
    for event in EVENT_TYPES:
        shop.event(order, event, source="cli")
    worker.run_once(shop.engine, clock=shop.clock)
    for kind, wf in workflows.items():
        enrolled = _enrolments(shop, wf.id)
        assert [e.trigger for e in enrolled] == [TRIGGERS[kind].event], kind
    with shop.session() as s:
        tags = set(s.get(type(anna), anna.id).tags)
    assert tags == set(kinds)


def test_first_and_nth_order(shop: Shop) -> None:
    anna = shop.customer("anna")
    first = shop.workflow(_wf("first_order"))
    second = shop.workflow(_wf("nth_order", n=2))
    orders = [shop.order(anna, at=shop.clock.now + dt.timedelta(minutes=i)) for i in range(3)]
    shop.clock.advance(hours=1)
    worker.run_once(shop.engine, clock=shop.clock)
    assert [e.order_id for e in _enrolments(shop, first.id)] == [orders[0].id]
    assert [e.order_id for e in _enrolments(shop, second.id)] == [orders[1].id]


def test_entry_conditions_and_reentry(shop: Shop) -> None:
    anna = shop.customer("anna")
    d = _wf("order_placed").model_copy(update={"entry": rule("order.total", "ge", 50)})
    wf = shop.workflow(d)
    big, small = shop.order(anna, total="60"), shop.order(anna, total="20")
    worker.run_once(shop.engine, clock=shop.clock)
    assert [e.order_id for e in _enrolments(shop, wf.id)] == [big.id]
    assert small.id


def test_no_order_for_days_fires_once_per_last_order(shop: Shop) -> None:
    silent_long = shop.customer("long")
    silent_new = shop.customer("new")
    shop.order(silent_long, at=shop.clock.now - dt.timedelta(days=200))
    last = shop.order(silent_new, at=shop.clock.now - dt.timedelta(days=80))
    wf = shop.workflow(_wf("no_order_for_days", days=90))
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolments(shop, wf.id) == []
    shop.clock.advance(days=11)
    worker.run_once(shop.engine, clock=shop.clock)
    worker.run_once(shop.engine, clock=shop.clock)
    enrolled = _enrolments(shop, wf.id)
    assert [(e.customer_id, e.order_id) for e in enrolled] == [(silent_new.id, last.id)]
    with shop.session() as s:
        assert s.scalar(select(func.count()).select_from(TriggerMark)) == 1


def test_delivery_promise_missed(shop: Shop) -> None:
    anna, ben = shop.customer("anna"), shop.customer("ben")
    wf = shop.workflow(_wf("delivery_promise_missed", grace_hours=2))
    promised = shop.clock.now + dt.timedelta(days=1)
    late = shop.order(anna, promised=promised)
    on_time = shop.order(ben, promised=promised)
    shop.event(on_time, "delivered", promised - dt.timedelta(hours=3))
    shop.clock.advance(days=1, hours=1)
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolments(shop, wf.id) == []  # still within the grace period
    shop.clock.advance(hours=2)
    worker.run_once(shop.engine, clock=shop.clock)
    worker.run_once(shop.engine, clock=shop.clock)
    assert [e.order_id for e in _enrolments(shop, wf.id)] == [late.id]
