"""The local mailbox: messages delivered with ``transport="mailbox"`` (no SMTP configured, demo
customers, tests sent without SMTP), newest first, for the Mailbox page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import Message


@dataclass(frozen=True)
class MailboxRow:
    id: int
    sent_at: dt.datetime | None
    to: str
    subject: str
    template: str
    locale: str
    is_test: bool


def list_mailbox(
    session: Session, *, query: str = "", template: str | None = None, limit: int = 200
) -> list[MailboxRow]:
    stmt = select(Message).where(Message.transport == "mailbox", Message.state == "sent")
    text = query.strip().lower()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(
            or_(
                func.lower(func.coalesce(Message.to_address, "")).like(like),
                func.lower(func.coalesce(Message.subject, "")).like(like),
            )
        )
    if template:
        stmt = stmt.where(Message.template_name == template)
    stmt = stmt.order_by(Message.sent_at.desc(), Message.id.desc()).limit(limit)
    return [
        MailboxRow(
            m.id,
            m.sent_at,
            m.to_address or "",
            m.subject or "",
            m.template_name or "",
            m.locale or "",
            m.is_test,
        )
        for m in session.scalars(stmt)
    ]


def mailbox_templates(session: Session) -> list[str]:
    stmt = (
        select(Message.template_name)
        .where(Message.transport == "mailbox", Message.template_name.is_not(None))
        .distinct()
        .order_by(Message.template_name)
    )
    return [name for name in session.scalars(stmt) if name]


def open_message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None or message.transport != "mailbox":
        raise NotFound(f"No message {message_id} in the local mailbox.")
    return message
