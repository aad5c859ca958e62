"""Lifecycle: drafts with an optimistic revision, publishing with the in-flight choice (moving
never resends a step), pause/resume/archive/duplicate, import/export, roles x actions."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth import Actor, Role
from core.engine import lifecycle, presets, worker
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.errors import ConflictError, PermissionDenied, WorkflowError
from core.models import Enrolment, Message, WorkflowVersion
from tests.core.engine.conftest import CLI, Shop


def _two_mails() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="two",
        triggers=[Trigger(type="order_placed")],
        steps=[
            Step(
                id="first",
                type="send_email",
                params={"template": "order_confirmation"},
                next="wait",
            ),
            Step(id="wait", type="wait", params={"days": 1}, next="second"),
            Step(id="second", type="send_email", params={"template": "review_request"}),
        ],
    )


def test_draft_conflict(session: Session) -> None:
    wf = lifecycle.create_from_preset(session, CLI, "order_confirmation")
    d = lifecycle.draft_of(wf)
    lifecycle.save_draft(session, CLI, wf.id, d.model_copy(update={"name": "A"}), 1)
    with pytest.raises(ConflictError) as caught:
        lifecycle.save_draft(
            session,
            Actor("b@example.com", Role.MERCHANT),
            wf.id,
            d.model_copy(update={"name": "B"}),
            1,
        )
    assert "revision 2, yours was 1" in str(caught.value)
    assert lifecycle.get(session, wf.id).name == "A"


def test_publish_blocked_by_errors_and_versions_increase(session: Session) -> None:
    bad = WorkflowDefinition(
        name="bad", triggers=[Trigger(type="delivered")], steps=[Step(id="m", type="send_email")]
    )
    wf = lifecycle.create(session, CLI, bad)
    with pytest.raises(WorkflowError):
        lifecycle.publish(session, CLI, wf.id)
    good = lifecycle.create(
        session,
        CLI,
        WorkflowDefinition(
            name="ok",
            triggers=[Trigger(type="delivered")],
            steps=[Step(id="t", type="add_tag", params={"tag": "x"})],
        ),
    )
    lifecycle.activate(session, CLI, good.id)
    lifecycle.publish(session, CLI, good.id, note="second")
    versions = session.scalars(
        select(WorkflowVersion.version).where(WorkflowVersion.workflow_id == good.id)
    ).all()
    assert sorted(versions) == [1, 2] and good.published_version == 2


@pytest.mark.parametrize("choice", ["move", "exit", "finish"])
def test_in_flight_choice_never_resends(shop: Shop, choice: str) -> None:
    anna = shop.customer("anna")
    wf = shop.workflow(_two_mails())
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        d = _two_mails().model_copy(update={"name": "two v2"})
        lifecycle.save_draft(s, CLI, wf.id, d, 1)
        lifecycle.publish(s, CLI, wf.id, in_flight=choice, now=shop.clock.now)
        s.commit()
    shop.clock.advance(days=1, minutes=1)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        e = s.scalars(select(Enrolment)).one()
        sent = [m.step_id for m in s.scalars(select(Message).order_by(Message.id))]
    expected = {"move": (2, "completed"), "exit": (1, "exited"), "finish": (1, "completed")}
    assert (e.version, e.status) == expected[choice]
    assert sent == (["first"] if choice == "exit" else ["first", "second"])


def test_pause_resume_archive_duplicate(shop: Shop) -> None:
    anna = shop.customer("anna")
    wf = shop.workflow(presets.order_confirmation())
    with shop.session() as s:
        lifecycle.pause(s, CLI, wf.id)
        s.commit()
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(minutes=5)
    with shop.session() as s:
        lifecycle.resume(s, CLI, wf.id, now=shop.clock.now)
        s.commit()
    worker.run_once(shop.engine, clock=shop.clock)
    assert shop.messages() == []  # the event came while paused
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock)
    assert len(shop.messages()) == 1
    with shop.session() as s:
        copy = lifecycle.duplicate(s, CLI, wf.id)
        lifecycle.archive(s, CLI, wf.id)
        s.commit()
        assert copy.status == "draft" and copy.name.endswith("(copy)")


def test_import_export_round_trip(session: Session) -> None:
    wf = lifecycle.create_from_preset(session, CLI, "review_request")
    text = lifecycle.export_json(session, CLI, wf.id)
    again = lifecycle.import_json(session, CLI, text)
    assert lifecycle.draft_of(again) == lifecycle.draft_of(wf)
    with pytest.raises(WorkflowError):
        lifecycle.import_json(session, CLI, '{"name": 5}')


ROLE_ACTIONS = [
    (lambda s, a, w: lifecycle.create_from_preset(s, a, "win_back"), {"owner", "merchant"}),
    (lambda s, a, w: lifecycle.activate(s, a, w), {"owner", "merchant"}),
    (lambda s, a, w: lifecycle.export_json(s, a, w), {"owner", "merchant", "manager"}),
    (
        lambda s, a, w: lifecycle.save_draft(
            s, a, w, lifecycle.draft_of(lifecycle.get(s, w)), lifecycle.get(s, w).draft_revision
        ),
        {"owner", "merchant"},
    ),
]


@pytest.mark.parametrize("role", list(Role))
def test_roles(session: Session, role: Role) -> None:
    wf = lifecycle.create(
        session,
        CLI,
        WorkflowDefinition(
            name="tag",
            triggers=[Trigger(type="delivered")],
            steps=[Step(id="t", type="add_tag", params={"tag": "x"})],
        ),
    )
    actor = Actor(f"{role.value}@example.com", role)
    for action, allowed in ROLE_ACTIONS:
        if role.value in allowed:
            action(session, actor, wf.id)
        else:
            with pytest.raises(PermissionDenied):
                action(session, actor, wf.id)


@pytest.mark.parametrize("role", list(Role))
def test_roles_for_outbox_retry_and_events(session: Session, role: Role) -> None:
    from core.engine import ops, outbox
    from core.errors import NotFound

    actor = Actor(f"{role.value}@example.com", role)
    if role in (Role.OWNER, Role.MERCHANT):
        assert outbox.retry_failed(session, actor, [1]) == 0
        with pytest.raises(NotFound):
            ops.raise_event(session, actor, "nope", "placed")
    else:
        with pytest.raises(PermissionDenied):
            outbox.retry_failed(session, actor, [1])
        with pytest.raises(PermissionDenied):
            ops.raise_event(session, actor, "nope", "placed")
