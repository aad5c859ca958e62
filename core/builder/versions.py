"""Version history with readable diffs, and rollback: a new version equal to an old one.

Built on the engine's lifecycle (``save_draft`` with its revision check, then ``publish`` with
the in-flight choice), so a rollback is validated and recorded like any other publish.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, require
from core.builder.diff import diff_lines
from core.engine import lifecycle
from core.engine.schema import WorkflowDefinition
from core.errors import NotFound
from core.models import WorkflowVersion


@dataclass(frozen=True)
class VersionRow:
    version: int
    created_by: str
    created_at: dt.datetime
    note: str
    changes: list[str]
    published: bool


def definition_at(session: Session, workflow_id: int, version: int) -> WorkflowDefinition:
    data = session.scalar(
        select(WorkflowVersion.definition).where(
            WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version == version
        )
    )
    if data is None:
        raise NotFound(f"Workflow {workflow_id} has no version {version}.")
    return WorkflowDefinition.model_validate(data)


def history(
    session: Session, actor: Actor, workflow_id: int, currency: str = "EUR"
) -> list[VersionRow]:
    """Every published version, newest first, each with what changed since the one before."""
    require(actor, Action.VIEW_WORKFLOWS)
    wf = lifecycle.get(session, workflow_id)
    rows = list(
        session.scalars(
            select(WorkflowVersion)
            .where(WorkflowVersion.workflow_id == workflow_id)
            .order_by(WorkflowVersion.version)
        )
    )
    out: list[VersionRow] = []
    previous: WorkflowDefinition | None = None
    for row in rows:
        current = WorkflowDefinition.model_validate(row.definition)
        out.append(
            VersionRow(
                row.version, row.created_by or "", row.created_at, row.note or "",
                diff_lines(previous, current, currency), row.version == wf.published_version,
            )
        )  # fmt: skip
        previous = current
    return out[::-1]


def unpublished_changes(
    session: Session,
    actor: Actor,
    workflow_id: int,
    draft: WorkflowDefinition,
    currency: str = "EUR",
) -> list[str]:
    """What ``draft`` changes against the published version (everything if never published)."""
    require(actor, Action.VIEW_WORKFLOWS)
    wf = lifecycle.get(session, workflow_id)
    if wf.published_version is None:
        return ["never published"]
    published = definition_at(session, workflow_id, wf.published_version)
    lines = diff_lines(published, draft, currency)
    return [] if lines == ["no change in behaviour"] else lines


def rollback(
    session: Session,
    actor: Actor,
    workflow_id: int,
    version: int,
    in_flight: str = "finish",
    now: dt.datetime | None = None,
) -> WorkflowVersion:
    """Publish a new version equal to ``version`` (the draft becomes that definition too)."""
    require(actor, Action.PUBLISH_WORKFLOWS)
    wf = lifecycle.get(session, workflow_id)
    old = definition_at(session, workflow_id, version)
    lifecycle.save_draft(session, actor, workflow_id, old, wf.draft_revision)
    new = lifecycle.publish(
        session, actor, workflow_id, in_flight, note=f"rollback to version {version}", now=now
    )
    audit.record(session, actor.name, "workflow.rollback", str(workflow_id), {"to": version})
    return new
