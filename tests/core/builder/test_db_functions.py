"""Database-backed builder functions: history and rollback, the workflows table, simulation on
one order, with their role checks."""

from __future__ import annotations

import datetime as dt

import pytest

from core.auth import Actor, Role
from core.builder import overview, simulate, versions
from core.engine import lifecycle
from core.errors import NotFound, PermissionDenied
from core.models import Enrolment, Message
from tests.core.builder.conftest import CLI, DAY, Shop, review_request

OWNER = Actor("owner@example.com", Role.OWNER)
MANAGER = Actor("manager@example.com", Role.MANAGER)
ANALYST = Actor("analyst@example.com", Role.ANALYST)


def _workflow(shop: Shop, holdout: int = 10) -> int:
    with shop.session() as s, s.begin():
        return lifecycle.create(s, OWNER, review_request(holdout)).id


def _install(shop: Shop) -> None:
    from core.messaging.library import install

    with shop.session() as s, s.begin():
        install(s, CLI, "review_request", ("en", "de"))


def test_history_diff_and_rollback(shop: Shop) -> None:
    _install(shop)
    wid = _workflow(shop)
    with shop.session() as s, s.begin():
        lifecycle.publish(s, OWNER, wid, note="first")
        wf = lifecycle.get(s, wid)
        changed = review_request().model_copy(update={"holdout_pct": 20})
        lifecycle.save_draft(s, OWNER, wid, changed, wf.draft_revision)
        assert versions.unpublished_changes(s, OWNER, wid, changed) == [
            "settings: Holdout (%) 10 -> 20"
        ]
        lifecycle.publish(s, OWNER, wid)
    with shop.session() as s, s.begin():
        new = versions.rollback(s, OWNER, wid, 1, "move")
        assert new.version == 3 and new.note == "rollback to version 1"
    with shop.session() as s:
        rows = versions.history(s, MANAGER, wid)
        assert [r.version for r in rows] == [3, 2, 1]
        assert rows[0].published and rows[0].changes == ["settings: Holdout (%) 20 -> 10"]
        assert rows[2].changes == ["first version"] and rows[2].created_by == OWNER.name
        assert versions.definition_at(s, wid, 3) == versions.definition_at(s, wid, 1)
        assert lifecycle.draft_of(lifecycle.get(s, wid)).holdout_pct == 10
        with pytest.raises(PermissionDenied):
            versions.rollback(s, MANAGER, wid, 1)
        with pytest.raises(PermissionDenied):
            versions.history(s, ANALYST, wid)
        with pytest.raises(NotFound):
            versions.definition_at(s, wid, 9)


def test_workflow_table_counts_the_period(shop: Shop) -> None:
    wid = _workflow(shop)
    alice = shop.customer("alice")
    bob = shop.customer("bob")
    first = shop.order(alice, at=DAY)
    shop.order(alice, at=DAY + dt.timedelta(days=2))  # converts within 5 days
    other = shop.order(bob, at=DAY)
    with shop.session() as s, s.begin():
        for n, (cust, order, hold) in enumerate(((alice, first, False), (bob, other, True))):
            s.add(
                Enrolment(
                    dedupe_key=f"k{n}",
                    workflow_id=wid,
                    version=1,
                    customer_id=cust.id,
                    order_id=order.id,
                    trigger="delivered",
                    trigger_at=DAY,
                    is_holdout=hold,
                    entered_at=DAY + dt.timedelta(hours=1),
                )
            )
        s.add(
            Message(
                idempotency_key="m1",
                workflow_id=wid,
                customer_id=alice.id,
                state="sent",
                due_at=DAY,
                queued_at=DAY,
                sent_at=DAY + dt.timedelta(hours=2),
            )
        )
    from core import settings as store_settings

    with shop.session() as s:
        settings = store_settings.load(s)
        period = overview.Period(DAY.date(), DAY.date())
        table = overview.workflow_table(s, MANAGER, period, settings)
        row = table.set_index("id").loc[wid]
        assert (row["enrolled"], row["holdout"], row["sent"], row["converted"]) == (2, 1, 1, 1)
        assert row["trigger"] == "Delivered" and row["status"] == "draft"
        later = overview.workflow_table(
            s,
            OWNER,
            overview.Period(DAY.date() + dt.timedelta(days=1), DAY.date() + dt.timedelta(days=3)),
            settings,
        )
        assert later.set_index("id").loc[wid, "enrolled"] == 0
        with pytest.raises(PermissionDenied):
            overview.workflow_table(s, ANALYST, period, settings)
        info = overview.load_workflow(s, MANAGER, wid)
        assert info.definition.name == "Review request (builder)" and info.revision == 1
        assert overview.workflow_choices(s, OWNER) == [(wid, info.name, "draft")]


def test_simulate_shows_conditions_path_and_rendered_email(shop: Shop) -> None:
    _install(shop)
    wid = _workflow(shop, holdout=0)
    de = shop.customer("greta", "DE")
    fr = shop.customer("marie", "FR")
    ok = shop.order(de, "80", delivered=DAY + dt.timedelta(days=2))
    far = shop.order(fr, "80", delivered=DAY + dt.timedelta(days=2))
    with shop.session() as s:
        definition = lifecycle.draft_of(lifecycle.get(s, wid))
        sim = simulate.simulate(s, MANAGER, definition, ok.external_id, workflow_id=wid)
        assert sim.enters and sim.trigger == "Delivered" and not sim.holdout
        assert [r.passed for r in sim.entry] == [True, True, True, True]
        assert sim.entry[1].actual == "80.00 EUR"
        assert [st.step_id for st in sim.steps] == ["wait_1", "send_email_1"]
        email = sim.steps[1]
        assert email.subject and email.locale == "de" and "Greta" in email.html
        assert email.at - sim.trigger_at == dt.timedelta(days=7)
        no = simulate.simulate(s, OWNER, definition, far.number or "", workflow_id=wid)
        assert not no.enters and no.steps == []
        assert [r.passed for r in no.entry][-1] is False and no.entry[-1].actual == "FR"
        samples = simulate.sample_orders(s, OWNER, definition)
        assert {ref for ref, _ in samples} == {ok.external_id, far.external_id}
        with pytest.raises(NotFound):
            simulate.simulate(s, OWNER, definition, "NOPE")
        with pytest.raises(PermissionDenied):
            simulate.simulate(s, ANALYST, definition, ok.external_id)
