"""Message templates (per locale) and the outbox."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.models.base import Base, Str32, Str64, Str255, Timestamps, UTCTimestamp

MESSAGE_STATES = ("queued", "sending", "sent", "failed", "suppressed", "deferred")
SUPPRESSION_REASONS = (
    "no_consent",
    "unsubscribed",
    "frequency_cap",
    "quiet_hours",
    "holdout",
    "exit_condition",
    "no_email",
    "opted_out_review_requests",
    "opted_out_offers",
    "opted_out_newsletters",
    "email_frequency",
    "bounced",
    "coupon_unavailable",
)
NOTICE_CATEGORY = "notice"
"""``Message.category`` of a merchant notice (``notify_merchant``): sent like a transactional
message, never counted as a customer message in any KPI."""


class MessageTemplate(Timestamps, Base):
    __tablename__ = "message_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[Str64] = mapped_column(unique=True)
    category: Mapped[Str32] = mapped_column(default="transactional")  # or marketing
    purpose: Mapped[Str32 | None]
    """For marketing: the consent purpose it needs (``core.preferences.PURPOSES``)."""
    description: Mapped[Str255 | None]
    from_library: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[Str255 | None]

    translations: Mapped[list[TemplateTranslation]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="TemplateTranslation.locale",
    )


class TemplateTranslation(Timestamps, Base):
    """One locale of a template. ``html`` is the merchant's source; ``html_compiled`` has its CSS
    inlined (done when saved, never per message). ``text`` is generated when left empty."""

    __tablename__ = "template_translations"
    __table_args__ = (UniqueConstraint("template_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("message_templates.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(500))
    preheader: Mapped[str | None] = mapped_column(String(500))
    html: Mapped[str] = mapped_column(Text)
    html_compiled: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)

    template: Mapped[MessageTemplate] = relationship(back_populates="translations")


class Message(Base):
    """The outbox. ``idempotency_key`` (enrolment and step, or a test-send id) is unique, so a
    step can never produce two messages. State changes are timestamped."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_state_due", "state", "due_at"),
        Index("ix_messages_customer_queued", "customer_id", "queued_at"),
        Index("ix_messages_workflow", "workflow_id", "step_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    workflow_id: Mapped[int | None] = mapped_column(ForeignKey("workflows.id", ondelete="SET NULL"))
    workflow_version: Mapped[int | None]
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="SET NULL"), index=True
    )
    step_id: Mapped[Str64 | None]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    template_name: Mapped[Str64 | None]
    locale: Mapped[str | None] = mapped_column(String(10))
    category: Mapped[Str32] = mapped_column(default="transactional")  # marketing | notice
    priority: Mapped[int] = mapped_column(default=100)  # the workflow's; 1 goes first
    variant: Mapped[Str32 | None]
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str | None] = mapped_column(String(500))
    html: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, str]] = mapped_column(default=dict)
    state: Mapped[Str32] = mapped_column(default="queued")
    suppression_reason: Mapped[Str32 | None]
    transport: Mapped[Str32 | None]  # smtp | mailbox
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    smtp_message_id: Mapped[str | None] = mapped_column(String(255))
    is_test: Mapped[bool] = mapped_column(Boolean, default=False)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    due_at: Mapped[UTCTimestamp]
    queued_at: Mapped[UTCTimestamp]
    sending_at: Mapped[UTCTimestamp | None]
    sent_at: Mapped[UTCTimestamp | None]
    failed_at: Mapped[UTCTimestamp | None]
    suppressed_at: Mapped[UTCTimestamp | None]
    claimed_by: Mapped[Str64 | None]
