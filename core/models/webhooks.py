"""Webhook calls (an outbox like ``messages``) and each webhook step's signing secret."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.models.base import Base, Str32, Str64, UTCTimestamp

WEBHOOK_STATES = ("queued", "sending", "sent", "failed")


class WebhookCall(Base):
    """One POST a webhook step asked for. The step inserts it in its own transaction (unique
    ``idempotency_key``: enrolment and step); the worker sends it later through
    :mod:`core.outbound`, outside any transaction, and records the outcome."""

    __tablename__ = "webhook_calls"
    __table_args__ = (Index("ix_webhook_calls_state_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="SET NULL"))
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL"), index=True
    )
    step_id: Mapped[Str64]
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[Str32] = mapped_column(default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[UTCTimestamp]
    queued_at: Mapped[UTCTimestamp]
    sending_at: Mapped[UTCTimestamp | None]
    sent_at: Mapped[UTCTimestamp | None]
    failed_at: Mapped[UTCTimestamp | None]
    claimed_by: Mapped[Str64 | None]


class WebhookSecret(Base):
    """The signing secret of one webhook step of a workflow, kept out of the definition (so
    ``workflow export`` never prints it), encrypted like a source's secret
    (:func:`core.security.encrypt_secret`); shown once when created or rotated."""

    __tablename__ = "webhook_secrets"
    __table_args__ = (UniqueConstraint("workflow_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(ForeignKey("workflows.id", ondelete="CASCADE"))
    step_id: Mapped[Str64]
    secret_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[UTCTimestamp]
    rotated_at: Mapped[UTCTimestamp | None]
    revealed_at: Mapped[UTCTimestamp | None]  # shown once: set when it was shown
