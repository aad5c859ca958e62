"""The demo workflows: engine-consistent history, holdout, and the planted effect."""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import demo
from core import settings as store_settings
from core.auth import Actor
from core.demo import catalog, generator
from core.demo.frames import NULL
from core.demo.planted import WINDOW_DAYS, Plan
from core.engine.enrol import CURSOR_KEY, enrol_new_events
from core.engine.holdout import holdout_mask, is_holdout
from core.models import (
    Coupon,
    Customer,
    Enrolment,
    Message,
    Order,
    StepRun,
    Workflow,
    WorkflowVersion,
)

UNTIL = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)
DAY = 86_400


def test_workflows_history_matches_the_engine(engine: Engine) -> None:
    demo.load(engine, demo.DemoOptions(customers=400, seed=9, until=UNTIL), now=NOW)
    with Session(engine) as s:
        flows = s.scalars(select(Workflow).order_by(Workflow.id)).all()
        assert [w.preset for w in flows] == ["review_request", "second_order_thank_you"]
        assert all(w.status == "active" and w.is_demo for w in flows)
        for version in s.scalars(select(WorkflowVersion)):
            assert version.definition["holdout_pct"] == 10
        enrolments = s.scalars(select(Enrolment)).all()
        assert len(enrolments) > 300
        assert all(e.is_holdout == is_holdout(e.workflow_id, e.customer_id, 10) for e in enrolments)
        assert 0.03 < np.mean([e.is_holdout for e in enrolments]) < 0.2
        assert {e.status for e in enrolments} >= {"completed", "active"}
        held = {e.id for e in enrolments if e.is_holdout}

        messages = s.scalars(select(Message)).all()
        assert all(m.idempotency_key == f"e{m.enrolment_id}:{m.step_id}" for m in messages)
        assert all(
            m.is_demo and m.to_address.rsplit("@")[1] in catalog.EMAIL_DOMAINS for m in messages
        )
        sent = [m for m in messages if m.state == "sent"]
        assert sent and all(m.transport == "mailbox" and m.sent_at for m in sent)
        assert not any(m.enrolment_id in held for m in sent)
        reasons = {m.suppression_reason for m in messages if m.state == "suppressed"}
        assert {"holdout", "no_consent"} <= reasons
        assert s.scalar(select(func.count(func.distinct(StepRun.enrolment_id)))) == len(enrolments)

        coupons = s.scalars(select(Coupon)).all()
        assert coupons and not any(c.enrolment_id in held for c in coupons)
        for coupon in coupons:
            if coupon.redeemed_order_id is not None:
                order = s.get(Order, coupon.redeemed_order_id)
                assert order is not None and order.discount_code == coupon.code

        meta = store_settings.get_meta(s, store_settings.DEMO_META_KEY)
        effect = meta["planted_effect"]
        assert effect["workflow"] == "second_order_thank_you" and effect["lift_pp"] == 8.0
        assert effect["workflow_id"] == flows[1].id and meta["workflows_active"] is True

        # the engine, reading every event again, finds nothing new to enrol
        store_settings.set_meta(s, CURSOR_KEY, 0)
        enrol_new_events(s, NOW)
        s.flush()
        assert s.scalar(select(func.count()).select_from(Enrolment)) == len(enrolments)
        s.rollback()

    demo.clear(engine, Actor.cli())
    with Session(engine) as s:
        for model in (Workflow, Enrolment, Message, StepRun, Coupon):
            assert s.scalar(select(func.count()).select_from(model)) == 0


def test_next_to_merchant_customers_the_workflows_are_paused(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as s:
        s.add(Customer(external_id="C-1", email="real@shop.eu"))
        s.commit()
    demo.load(sqlite_engine, demo.DemoOptions(customers=60, until=UNTIL), now=NOW)
    with Session(sqlite_engine) as s:
        assert set(s.scalars(select(Workflow.status))) == {"paused"}
        assert s.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.customer_id.in_(select(Customer.id).where(~Customer.is_demo)))) == 0  # fmt: skip


def test_without_workflows_no_history_is_written(sqlite_engine: Engine) -> None:
    demo.load(sqlite_engine, demo.DemoOptions(customers=60, until=UNTIL, workflows=False), now=NOW)
    with Session(sqlite_engine) as s:
        assert s.scalar(select(func.count()).select_from(Workflow)) == 0
        assert "planted_effect" not in store_settings.get_meta(s, store_settings.DEMO_META_KEY)


def test_planted_effect_is_recovered_treated_vs_holdout() -> None:
    """With a 50% holdout (for power), treated customers order again within 60 days about
    8 points more often than the holdout."""
    activated = int(pd.Timestamp("2024-07-01", tz="Europe/Berlin").timestamp())
    plan = Plan(3, 4, activated, 1, functools.partial(holdout_mask, pct=50))
    shop = generator.generate(21, 20_000, 80_000, UNTIL, "Europe/Berlin", NOW, plan)
    thanks = shop.journeys[1]
    t2 = thanks.trigger_at
    complete = t2 + WINDOW_DAYS * DAY <= shop.cal.cutoff
    nxt = np.full(len(shop.people), NULL, dtype=np.int64)
    third = np.flatnonzero(shop.seq == 3)
    nxt[shop.customer[third]] = shop.placed[third]
    later = nxt[thanks.customer]
    repeat = (later != NULL) & (later <= t2 + WINDOW_DAYS * DAY)
    treated, control = repeat[complete & ~thanks.holdout], repeat[complete & thanks.holdout]
    lift = 100 * (treated.mean() - control.mean())
    se = 100 * np.sqrt(treated.var() / len(treated) + control.var() / len(control))
    assert abs(lift - 8.0) < 3 * se, (lift, se)
    assert shop.planted["planted_orders"] > 0
    assert np.array_equal(thanks.holdout, holdout_mask(4, thanks.customer + 1, 50))


def test_same_plan_same_history() -> None:
    activated = int(pd.Timestamp("2024-07-01", tz="Europe/Berlin").timestamp())
    plan = Plan(1, 2, activated, 1, functools.partial(holdout_mask, pct=10))
    one = generator.generate(5, 800, 2_800, UNTIL, "Europe/Berlin", NOW, plan)
    two = generator.generate(5, 800, 2_800, UNTIL, "Europe/Berlin", NOW, plan)
    assert np.array_equal(one.placed, two.placed) and np.array_equal(
        one.money.total, two.money.total
    )
    for a, b in zip(one.journeys, two.journeys, strict=True):
        assert list(a.state) == list(b.state) and list(a.status) == list(b.status)
    assert one.coupons is not None and two.coupons is not None
    assert list(one.coupons.code) == list(two.coupons.code)


def test_the_worker_carries_on_the_enrolments_in_flight(sqlite_engine: Engine) -> None:
    from core.engine.runner import run_due

    demo.load(sqlite_engine, demo.DemoOptions(customers=150, until=UNTIL), now=NOW)
    with Session(sqlite_engine) as s:
        waiting = s.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.status == "active")
        )
        messages = s.scalar(select(func.count()).select_from(Message))
    assert waiting
    stats = run_due(sqlite_engine, NOW + dt.timedelta(days=20))
    assert stats.enrolments >= waiting and "failed" not in stats.outcomes
    with Session(sqlite_engine) as s:
        assert not s.scalar(
            select(func.count()).select_from(Enrolment).where(Enrolment.status == "failed")
        )
        assert (s.scalar(select(func.count()).select_from(Message)) or 0) > (messages or 0)
