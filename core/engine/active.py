"""The active workflows and their published definitions, parsed once per version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.engine.schema import WorkflowDefinition
from core.models import Workflow, WorkflowVersion


@dataclass(frozen=True)
class Running:
    """A workflow as the engine runs it: id, version, definition, activation time, priority."""

    id: int
    version: int
    definition: WorkflowDefinition
    activated_at: dt.datetime
    priority: int
    name: str


@lru_cache(maxsize=512)
def _parse(workflow_id: int, version: int, text: str) -> WorkflowDefinition:
    return WorkflowDefinition.model_validate_json(text)


def definition_of(workflow_id: int, version: int, data: dict[str, Any]) -> WorkflowDefinition:
    import json

    return _parse(workflow_id, version, json.dumps(data, sort_keys=True))


def version_definition(session: Session, workflow_id: int, version: int) -> WorkflowDefinition:
    data = session.scalar(
        select(WorkflowVersion.definition).where(
            WorkflowVersion.workflow_id == workflow_id, WorkflowVersion.version == version
        )
    )
    if data is None:
        from core.errors import NotFound

        raise NotFound(f"Workflow {workflow_id} has no version {version}.")
    return definition_of(workflow_id, version, data)


def active_workflows(session: Session) -> list[Running]:
    rows = session.execute(
        select(
            Workflow.id,
            Workflow.name,
            Workflow.published_version,
            Workflow.activated_at,
            Workflow.priority,
            WorkflowVersion.definition,
        )
        .join(
            WorkflowVersion,
            (WorkflowVersion.workflow_id == Workflow.id)
            & (WorkflowVersion.version == Workflow.published_version),
        )
        .where(Workflow.status == "active", Workflow.activated_at.is_not(None))
        .order_by(Workflow.priority, Workflow.id)
    ).all()
    return [
        Running(
            r.id,
            r.published_version,
            definition_of(r.id, r.published_version, r.definition),
            r.activated_at,
            r.priority,
            r.name,
        )
        for r in rows
    ]
