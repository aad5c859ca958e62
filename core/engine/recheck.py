"""The last look before an email that waited goes out.

A message queued more than :data:`RECHECK_AFTER` ago (deferred for quiet hours, retried after a
temporary failure, or waiting in a backlog) is checked again against its workflow's exit
conditions and "still true?" filter on the values of now: an order cancelled or fully refunded
while it waited stops it (suppressed ``exit_condition``), and the run log says why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy.orm import Session

from core.engine.runner import stop_reasons
from core.models import Message, StepRun

RECHECK_AFTER = dt.timedelta(minutes=1)


def stopped(session: Session, messages: Iterable[Message], now: dt.datetime) -> dict[int, str]:
    """Why each waited message's enrolment should not send any more, by message id."""
    waited = [
        m
        for m in messages
        if m.enrolment_id is not None
        and m.queued_at is not None
        and m.queued_at < now - RECHECK_AFTER
    ]
    if not waited:
        return {}
    reasons = stop_reasons(session, {int(m.enrolment_id or 0) for m in waited}, now)
    return {m.id: reasons[m.enrolment_id] for m in waited if m.enrolment_id in reasons}


def log_stop(session: Session, message: Message, reason: str, now: dt.datetime) -> None:
    """The run log line of a message stopped before sending."""
    if message.enrolment_id is None:
        return
    session.add(
        StepRun(
            enrolment_id=message.enrolment_id,
            step_id=message.step_id or "-",
            kind="send_email",
            outcome="exited",
            detail=f"{message.template_name or 'email'} not sent: {reason}"[:2000],
            at=now,
        )
    )
