"""The workflows table: status, versions, trigger and what each workflow did in a period.

The counts (enrolled, holdout, sent, converted) are :func:`core.metrics.workflows.period_counts`,
the same numbers as the Workflow impact page's cards for the same period.
The ``value of redeemed coupons`` is what the workflow's coupons took off the orders that used
them in the period (store currency; :func:`core.coupons.redeemed_value_by_workflow`): its coupon
cost, shown on its own and never subtracted from revenue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth import Action, Actor, require
from core.builder.describe import triggers_text
from core.coupons import redeemed_value_by_workflow
from core.engine.schema import WorkflowDefinition
from core.errors import NotFound
from core.metrics import workflows as metric_workflows
from core.metrics.query import Scope
from core.metrics.types import Filters
from core.metrics.types import Period as MetricPeriod
from core.models import Workflow, WorkflowVersion
from core.settings import StoreSettings
from core.timeutil import day_bounds

COUNTED = ["enrolled", "holdout", "sent", "converted"]
COLUMNS = [
    "id", "name", "status", "published version", "trigger", "enrolled", "holdout", "sent",
    "converted", "value of redeemed coupons", "last change", "changed by",
]  # fmt: skip


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date


def definition_of(
    workflow: Workflow, published: dict[int, dict[str, object]]
) -> WorkflowDefinition | None:
    data = published.get(workflow.id) or workflow.draft
    try:
        return WorkflowDefinition.model_validate(data)
    except ValueError:
        return None


def _published(session: Session) -> dict[int, dict[str, object]]:
    rows = session.execute(
        select(WorkflowVersion.workflow_id, WorkflowVersion.definition)
        .join(Workflow, Workflow.id == WorkflowVersion.workflow_id)
        .where(WorkflowVersion.version == Workflow.published_version)
    )
    return {wid: definition for wid, definition in rows}


def _count(counts: pd.DataFrame, column: str, workflow_id: int) -> int:
    value = counts[column].get(workflow_id, 0)
    return 0 if pd.isna(value) else int(value)


def workflow_table(
    session: Session, actor: Actor, period: Period, settings: StoreSettings
) -> pd.DataFrame:
    """One row per workflow (archived last), with the period's counts."""
    require(actor, Action.VIEW_WORKFLOWS)
    sc = Scope(session.connection(), settings, Filters())
    counts = metric_workflows.period_counts(sc, MetricPeriod(period.start, period.end))
    lo, hi = day_bounds(period.start, period.end, settings.tz)
    coupon_value = redeemed_value_by_workflow(session, lo, hi, settings)
    published = _published(session)
    rows = []
    for wf in session.scalars(
        select(Workflow).order_by(Workflow.status == "archived", Workflow.name)
    ):
        definition = definition_of(wf, published)
        rows.append(
            {
                "id": wf.id,
                "name": wf.name,
                "status": wf.status,
                "published version": wf.published_version,
                "trigger": triggers_text(definition) if definition else "(unreadable)",
                **{col: _count(counts, col, wf.id) for col in COUNTED},
                "value of redeemed coupons": float(coupon_value.get(wf.id, 0)),
                "last change": wf.updated_at,
                "changed by": wf.updated_by or wf.created_by or "",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


@dataclass(frozen=True)
class WorkflowInfo:
    """One workflow as the builder opens it: its draft and where it stands."""

    id: int
    name: str
    status: str
    definition: WorkflowDefinition
    revision: int
    published_version: int | None
    updated_at: dt.datetime | None
    updated_by: str | None


def load_workflow(session: Session, actor: Actor, workflow_id: int) -> WorkflowInfo:
    """The workflow's draft (the published definition when the draft is empty)."""
    require(actor, Action.VIEW_WORKFLOWS)
    wf = session.get(Workflow, workflow_id)
    if wf is None:
        raise NotFound(f"There is no workflow with id {workflow_id}.")
    data = wf.draft or _published(session).get(wf.id) or {"name": wf.name}
    return WorkflowInfo(
        wf.id,
        wf.name,
        wf.status,
        WorkflowDefinition.model_validate(data),
        wf.draft_revision,
        wf.published_version,
        wf.updated_at,
        wf.updated_by,
    )


def workflow_choices(session: Session, actor: Actor) -> list[tuple[int, str, str]]:
    """``(id, name, status)`` of every workflow, archived last, for a picker."""
    require(actor, Action.VIEW_WORKFLOWS)
    rows = session.execute(
        select(Workflow.id, Workflow.name, Workflow.status).order_by(
            Workflow.status == "archived", Workflow.name
        )
    )
    return [(wid, name, status) for wid, name, status in rows]
