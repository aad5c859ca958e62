"""A shop that uploads CSV files: orders imported after activation enrol, history does not."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core import importers
from core.engine import worker
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.models import Enrolment, Message, Order
from tests.core.engine.conftest import CLI, Shop


def _csv(rows: list[tuple[str, str, dt.datetime, str]]) -> bytes:
    lines = ["order_id,customer_id,email,placed_at,total,currency,delivered_at"]
    for order_id, customer, placed, total in rows:
        delivered = placed + dt.timedelta(days=2)
        lines.append(
            f"{order_id},{customer},{customer}@example.com,{placed.isoformat()},"
            f"{total},EUR,{delivered.isoformat()}"
        )
    return ("\n".join(lines) + "\n").encode()


def test_csv_import_after_activation_enrols_history_does_not(shop: Shop) -> None:
    now = shop.clock.now
    history = [(f"H{i}", f"hist{i}", now - dt.timedelta(days=400 - i), "50") for i in range(20)]
    with shop.session() as s:
        importers.import_csv(s, CLI, _csv(history))
        s.commit()
    wf = shop.workflow(
        WorkflowDefinition(
            name="thanks",
            triggers=[Trigger(type="order_placed"), Trigger(type="delivered")],
            allow_reentry=True,
            steps=[Step(id="mail", type="send_email", params={"template": "order_confirmation"})],
        )
    )
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(days=1)
    new = [
        ("N1", "hist3", now + dt.timedelta(hours=2), "80"),
        ("N2", "fresh", now + dt.timedelta(hours=3), "20"),
    ]
    with shop.session() as s:  # the next morning's file repeats old rows and adds new ones
        importers.import_csv(s, CLI, _csv(history[-5:] + new))
        s.commit()
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(days=2)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        enrolled = s.execute(
            select(Order.external_id, Enrolment.trigger)
            .join(Enrolment, Enrolment.order_id == Order.id)
            .where(Enrolment.workflow_id == wf.id)
        ).all()
        sent = s.scalars(select(Message.state)).all()
    assert sorted(enrolled) == [
        ("N1", "delivered"),
        ("N1", "placed"),
        ("N2", "delivered"),
        ("N2", "placed"),
    ]
    assert sent == ["sent"] * 4
