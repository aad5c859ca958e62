"""The workflows table: status, versions, trigger and what each workflow did in a period.

Counts for the period (inclusive local dates in the store's time zone):
- ``enrolled``: enrolments that entered in the period (holdout included; ``holdout`` counts them);
- ``sent``: the workflow's messages sent in the period;
- ``converted``: treated (non-holdout) enrolments of the period whose customer placed another
  order within the store's attribution window after entering;
- ``value of redeemed coupons``: what the workflow's coupons took off the orders that used them
  in the period (store currency; :func:`core.coupons.redeemed_value_by_workflow`), the
  workflow's coupon cost, shown on its own and never subtracted from revenue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from core.auth import Action, Actor, require
from core.builder.describe import triggers_text
from core.coupons import redeemed_value_by_workflow
from core.engine.schema import WorkflowDefinition
from core.errors import NotFound
from core.models import Enrolment, Message, Order, Workflow, WorkflowVersion
from core.settings import StoreSettings
from core.timeutil import day_bounds

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


def _counts(session: Session, lo: dt.datetime, hi: dt.datetime) -> pd.DataFrame:
    enrolled = session.execute(
        select(
            Enrolment.workflow_id,
            func.count(Enrolment.id),
            func.sum(cast(Enrolment.is_holdout, Integer)),
        )
        .where(Enrolment.entered_at >= lo, Enrolment.entered_at < hi)
        .group_by(Enrolment.workflow_id)
    ).all()
    sent = dict(
        session.execute(
            select(Message.workflow_id, func.count(Message.id))
            .where(Message.state == "sent", Message.sent_at >= lo, Message.sent_at < hi)
            .where(Message.workflow_id.is_not(None))
            .group_by(Message.workflow_id)
        ).all()
    )
    frame = pd.DataFrame(enrolled, columns=["id", "enrolled", "holdout"])
    frame = frame.set_index("id") if len(frame) else pd.DataFrame(columns=["enrolled", "holdout"])
    frame["sent"] = pd.Series(sent, dtype="int64")
    return frame.fillna(0)


def _converted(session: Session, lo: dt.datetime, hi: dt.datetime, window_days: int) -> pd.Series:
    entries = pd.DataFrame(
        session.execute(
            select(
                Enrolment.workflow_id,
                Enrolment.customer_id,
                Enrolment.order_id,
                Enrolment.entered_at,
            )
            .where(Enrolment.entered_at >= lo, Enrolment.entered_at < hi)
            .where(Enrolment.is_holdout.is_(False))
        ).all(),
        columns=["workflow_id", "customer_id", "order_id", "entered_at"],
    )
    if entries.empty:
        return pd.Series(dtype="int64")
    entries["key"] = range(len(entries))
    orders = pd.DataFrame(
        session.execute(
            select(Order.customer_id, Order.id, Order.placed_at)
            .where(Order.placed_at >= lo, Order.placed_at < hi + dt.timedelta(days=window_days))
            .where(
                Order.customer_id.in_(
                    select(Enrolment.customer_id).where(
                        Enrolment.entered_at >= lo, Enrolment.entered_at < hi
                    )
                )
            )
        ).all(),
        columns=["customer_id", "new_order_id", "placed_at"],
    )
    joined = entries.merge(orders, on="customer_id")
    window = pd.Timedelta(days=window_days)
    joined["entered_at"] = pd.to_datetime(joined["entered_at"], utc=True)
    joined["placed_at"] = pd.to_datetime(joined["placed_at"], utc=True)
    hit = joined[
        (joined["placed_at"] > joined["entered_at"])
        & (joined["placed_at"] <= joined["entered_at"] + window)
        & (joined["new_order_id"] != joined["order_id"])
    ]
    return hit.drop_duplicates("key").groupby("workflow_id").size()


def _count(counts: pd.DataFrame, column: str, workflow_id: int) -> int:
    value = counts[column].get(workflow_id, 0) if column in counts else 0
    return 0 if pd.isna(value) else int(value)


def workflow_table(
    session: Session, actor: Actor, period: Period, settings: StoreSettings
) -> pd.DataFrame:
    """One row per workflow (archived last), with the period's counts."""
    require(actor, Action.VIEW_WORKFLOWS)
    lo, hi = day_bounds(period.start, period.end, settings.tz)
    counts = _counts(session, lo, hi)
    converted = _converted(session, lo, hi, settings.attribution_window_days)
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
                "enrolled": _count(counts, "enrolled", wf.id),
                "holdout": _count(counts, "holdout", wf.id),
                "sent": _count(counts, "sent", wf.id),
                "converted": int(converted.get(wf.id, 0)),
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
