"""Workflows, their published versions, enrolments and the per-step run log."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Str32, Str64, Str255, Timestamps, UTCTimestamp

WORKFLOW_STATUSES = ("draft", "active", "paused", "archived")


class Workflow(Timestamps, Base):
    """A workflow. ``draft`` is the definition being edited (``draft_revision`` guards concurrent
    edits); the running definition is the published ``WorkflowVersion``."""

    __tablename__ = "workflows"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[Str255]
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[Str32] = mapped_column(default="draft")
    priority: Mapped[int] = mapped_column(default=100)
    draft: Mapped[dict[str, Any]] = mapped_column(default=dict)
    draft_revision: Mapped[int] = mapped_column(default=1)
    published_version: Mapped[int | None]
    activated_at: Mapped[UTCTimestamp | None]
    preset: Mapped[Str64 | None]
    created_by: Mapped[Str255 | None]
    updated_by: Mapped[Str255 | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class WorkflowVersion(Base):
    __tablename__ = "workflow_versions"
    __table_args__ = (UniqueConstraint("workflow_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]]
    note: Mapped[Str255 | None]
    created_by: Mapped[Str255 | None]
    created_at: Mapped[UTCTimestamp]


class Enrolment(Base):
    """One customer (and order) in one workflow. ``dedupe_key`` makes entry happen once per
    order and workflow unless re-entry is allowed; ``current_step_id`` and ``next_due_at`` hold
    its position."""

    __tablename__ = "enrolments"
    __table_args__ = (
        Index("ix_enrolments_due", "status", "next_due_at"),
        Index("ix_enrolments_workflow_customer", "workflow_id", "customer_id"),
        Index("ix_enrolments_waiting", "waiting_event", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    version: Mapped[int]
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL"), index=True
    )
    trigger: Mapped[Str64]
    trigger_at: Mapped[UTCTimestamp]
    is_holdout: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[Str32] = mapped_column(default="active")  # active|completed|exited|holdout
    current_step_id: Mapped[Str64 | None]
    next_due_at: Mapped[UTCTimestamp | None]
    waiting_event: Mapped[Str32 | None]  # the event type a wait-for-event step waits for
    variant: Mapped[Str32 | None]  # the path a random split chose
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    exit_reason: Mapped[Str255 | None]
    entered_at: Mapped[UTCTimestamp]
    completed_at: Mapped[UTCTimestamp | None]
    claimed_by: Mapped[Str64 | None]
    claimed_until: Mapped[UTCTimestamp | None]
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class StepRun(Base):
    """The run log: what happened at each step of an enrolment, and why."""

    __tablename__ = "step_runs"
    __table_args__ = (Index("ix_step_runs_enrolment", "enrolment_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    step_id: Mapped[Str64]
    kind: Mapped[Str32]
    outcome: Mapped[Str32]  # done | skipped | waiting | branched | failed | exited
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[UTCTimestamp]


class TriggerMark(Base):
    """Time-based triggers fire at most once per key (customer or order) and workflow."""

    __tablename__ = "trigger_marks"
    __table_args__ = (UniqueConstraint("workflow_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    key: Mapped[Str64]
    at: Mapped[UTCTimestamp]
