"""A workflow's life: create (blank, preset, JSON import), edit the draft, validate, publish a
version, activate, pause, resume, archive, duplicate, export.

The draft is edited freely, also while a published version runs; ``draft_revision`` is an
optimistic lock (a save names the revision it started from; a newer one raises ConflictError).
Publishing validates the draft and runs the messages pre-flight check (a missing template or one
that fails to render blocks it), then stores a new ``WorkflowVersion``. Customers already in the workflow
either finish on their old version (``finish``), move to the new version at the step with the
same id (``move``; those whose step no longer exists exit), or exit (``exit``). Moving never
resends a step: done steps are recorded on the enrolment and messages have unique keys.

Activation sets ``activated_at``: only events from then on enrol. Resuming after a pause sets
it again, so events that happened while paused do not enrol anyone.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, require
from core.engine import validate, webhooks
from core.engine.schema import WorkflowDefinition
from core.errors import ConflictError, NotFound, ValidationError, WorkflowError
from core.models import Enrolment, Workflow, WorkflowVersion

IN_FLIGHT = ("finish", "move", "exit")


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def get(session: Session, workflow_id: int) -> Workflow:
    wf = session.get(Workflow, workflow_id)
    if wf is None:
        raise NotFound(f"No workflow with id {workflow_id}.", hint="See `workflow list`.")
    return wf


def draft_of(wf: Workflow) -> WorkflowDefinition:
    return WorkflowDefinition.model_validate(wf.draft)


def create(
    session: Session,
    actor: Actor,
    definition: WorkflowDefinition,
    preset: str | None = None,
    is_demo: bool = False,
) -> Workflow:
    require(actor, Action.EDIT_WORKFLOWS)
    definition, given = webhooks.take_secrets(definition)
    wf = Workflow(
        name=definition.name,
        description=definition.description,
        status="draft",
        priority=definition.priority,
        draft=definition.model_dump(mode="json"),
        draft_revision=1,
        preset=preset,
        created_by=actor.name,
        updated_by=actor.name,
        is_demo=is_demo,
    )
    session.add(wf)
    session.flush()
    webhooks.keep_secrets(session, wf.id, given)
    webhooks.ensure_secrets(session, wf.id, webhooks.webhook_step_ids(wf.draft))
    audit.record(session, actor.name, "workflow.create", str(wf.id), {"name": wf.name})
    return wf


def create_from_preset(session: Session, actor: Actor, name: str) -> Workflow:
    """A new draft from a preset; the library templates its emails use are installed first
    when missing (a shop that never opened the Templates page can activate it at once)."""
    from core.engine.presets import preset
    from core.messaging import library
    from core.messaging.stored import find_template

    require(actor, Action.EDIT_WORKFLOWS)
    definition = preset(name)
    for template in definition.template_names():
        if template in library.BY_NAME and find_template(session, template) is None:
            library.install(session, actor, template)
    return create(session, actor, definition, preset=name)


def import_json(session: Session, actor: Actor, text: str) -> Workflow:
    """A new draft from exported JSON; WorkflowError lists schema problems."""
    require(actor, Action.EDIT_WORKFLOWS)
    definition, problems = validate.parse(text)
    if definition is None:
        raise WorkflowError(
            "The file is not a workflow: " + "; ".join(map(str, problems)), problems=list(problems)
        )
    return create(session, actor, definition)


def export_json(session: Session, actor: Actor, workflow_id: int, published: bool = False) -> str:
    require(actor, Action.VIEW_WORKFLOWS)
    wf = get(session, workflow_id)
    if published and wf.published_version:
        data = session.scalar(
            select(WorkflowVersion.definition).where(
                WorkflowVersion.workflow_id == wf.id,
                WorkflowVersion.version == wf.published_version,
            )
        )
        return json.dumps(data, indent=2, ensure_ascii=False)
    return draft_of(wf).to_json()


def save_draft(
    session: Session,
    actor: Actor,
    workflow_id: int,
    definition: WorkflowDefinition | dict[str, Any],
    expected_revision: int,
) -> Workflow:
    """Store the draft if nobody saved since ``expected_revision``; else ConflictError."""
    require(actor, Action.EDIT_WORKFLOWS)
    parsed = (
        definition
        if isinstance(definition, WorkflowDefinition)
        else WorkflowDefinition.model_validate(definition)
    )
    parsed, given = webhooks.take_secrets(parsed)
    result = session.execute(
        update(Workflow)
        .where(Workflow.id == workflow_id, Workflow.draft_revision == expected_revision)
        .values(
            draft=parsed.model_dump(mode="json"),
            draft_revision=expected_revision + 1,
            name=parsed.name,
            description=parsed.description,
            updated_by=actor.name,
            updated_at=dt.datetime.now(dt.UTC),
        ),
        execution_options={"synchronize_session": False},
    )
    wf = get(session, workflow_id)
    session.refresh(wf)
    if not getattr(result, "rowcount", 0):
        raise ConflictError(
            f"{wf.updated_by or 'Someone'} saved this workflow since you opened it "
            f"(revision {wf.draft_revision}, yours was {expected_revision}).",
            hint="Reload it to see their changes, then apply yours again.",
        )
    webhooks.keep_secrets(session, wf.id, given)
    webhooks.ensure_secrets(session, wf.id, webhooks.webhook_step_ids(wf.draft))
    audit.record(session, actor.name, "workflow.save", str(wf.id), {"revision": wf.draft_revision})
    return wf


def _preflight(session: Session, definition: WorkflowDefinition) -> list[str]:
    try:
        from core.messaging.preflight import preflight
    except ImportError:
        return []
    names = definition.template_names()
    if not names:
        return []
    found: list[Any] = list(preflight(session, names))
    # a missing template or one that fails to render blocks; an empty variable is the
    # template's business (shown by the builder), e.g. orders imported without lines
    return [str(p) for p in found if getattr(p, "kind", "error") != "empty"]


def publish(
    session: Session,
    actor: Actor,
    workflow_id: int,
    in_flight: str = "finish",
    note: str = "",
    now: dt.datetime | None = None,
) -> WorkflowVersion:
    """Validate the draft and make it the running version."""
    require(actor, Action.PUBLISH_WORKFLOWS)
    if in_flight not in IN_FLIGHT:
        raise ValidationError(
            f"Unknown choice {in_flight!r}.", field="in_flight", hint="Use finish, move or exit."
        )
    wf = get(session, workflow_id)
    definition = validate.check(wf.draft, session)
    problems = _preflight(session, definition)
    if problems:
        raise WorkflowError(
            "The message pre-flight check failed: " + "; ".join(problems),
            problems=list(problems),
            hint="Fix the templates, then publish.",
        )
    number = (wf.published_version or 0) + 1
    version = WorkflowVersion(
        workflow_id=wf.id,
        version=number,
        definition=definition.model_dump(mode="json"),
        note=note[:255],
        created_by=actor.name,
        created_at=_now(now),
    )
    session.add(version)
    wf.published_version, wf.priority, wf.updated_by = number, definition.priority, actor.name
    session.flush()
    _handle_in_flight(session, wf.id, number, definition, in_flight, _now(now))
    audit.record(
        session,
        actor.name,
        "workflow.publish",
        str(wf.id),
        {"version": number, "in_flight": in_flight},
    )
    return version


def _handle_in_flight(
    session: Session,
    workflow_id: int,
    version: int,
    definition: WorkflowDefinition,
    choice: str,
    now: dt.datetime,
) -> None:
    if choice == "finish":
        return
    running = session.scalars(
        select(Enrolment).where(
            Enrolment.workflow_id == workflow_id,
            Enrolment.status == "active",
            Enrolment.version < version,
        )
    )
    ids = {s.id for s in definition.steps}
    for e in running:
        if choice == "move" and (e.current_step_id in ids):
            e.version = version
        else:
            reason = (
                "exited on publishing version"
                if choice == "exit"
                else "its step is not in the new version"
            )
            e.status, e.exit_reason, e.completed_at = "exited", f"{reason} {version}", now
            e.next_due_at, e.waiting_event = None, None


def activate(
    session: Session, actor: Actor, workflow_id: int, now: dt.datetime | None = None
) -> Workflow:
    """Publish (if never published) and start enrolling events from now on."""
    require(actor, Action.PUBLISH_WORKFLOWS)
    wf = get(session, workflow_id)
    if wf.status == "archived":
        raise ValidationError(
            "An archived workflow cannot be activated.", hint="Duplicate it and activate the copy."
        )
    if wf.published_version is None:
        publish(session, actor, workflow_id, now=now)
    wf.status, wf.activated_at, wf.updated_by = "active", _now(now), actor.name
    audit.record(session, actor.name, "workflow.activate", str(wf.id))
    return wf


def pause(session: Session, actor: Actor, workflow_id: int) -> Workflow:
    """Stop enrolling and stop running steps; enrolments wait where they are."""
    require(actor, Action.PUBLISH_WORKFLOWS)
    wf = get(session, workflow_id)
    if wf.status != "active":
        raise ValidationError(f"The workflow is {wf.status}, not active.")
    wf.status, wf.updated_by = "paused", actor.name
    audit.record(session, actor.name, "workflow.pause", str(wf.id))
    return wf


def resume(
    session: Session, actor: Actor, workflow_id: int, now: dt.datetime | None = None
) -> Workflow:
    require(actor, Action.PUBLISH_WORKFLOWS)
    wf = get(session, workflow_id)
    if wf.status != "paused":
        raise ValidationError(f"The workflow is {wf.status}, not paused.")
    wf.status, wf.activated_at, wf.updated_by = "active", _now(now), actor.name
    audit.record(session, actor.name, "workflow.resume", str(wf.id))
    return wf


def archive(
    session: Session, actor: Actor, workflow_id: int, now: dt.datetime | None = None
) -> Workflow:
    """Stop for good: active enrolments exit."""
    require(actor, Action.PUBLISH_WORKFLOWS)
    wf = get(session, workflow_id)
    wf.status, wf.updated_by = "archived", actor.name
    session.execute(
        update(Enrolment)
        .where(Enrolment.workflow_id == wf.id, Enrolment.status == "active")
        .values(
            status="exited",
            exit_reason="workflow archived",
            completed_at=_now(now),
            next_due_at=None,
        ),
        execution_options={"synchronize_session": False},
    )
    audit.record(session, actor.name, "workflow.archive", str(wf.id))
    return wf


def duplicate(session: Session, actor: Actor, workflow_id: int) -> Workflow:
    wf = get(session, workflow_id)
    definition = draft_of(wf).model_copy(update={"name": f"{wf.name} (copy)"[:255]})
    return create(session, actor, definition, preset=wf.preset)


def list_workflows(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(select(Workflow).order_by(Workflow.id))
    return [
        {
            "id": w.id,
            "name": w.name,
            "status": w.status,
            "version": w.published_version,
            "priority": w.priority,
            "activated_at": w.activated_at,
            "preset": w.preset,
            "updated_by": w.updated_by,
        }
        for w in rows
    ]
