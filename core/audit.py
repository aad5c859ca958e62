"""The audit log: who changed what, when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy.orm import Session

from core.models import AuditEntry


def record(
    session: Session,
    actor: str,
    action: str,
    target: str | None = None,
    detail: Mapping[str, object] | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=dt.datetime.now(dt.UTC),
            actor=actor,
            action=action,
            target=target,
            detail=dict(detail or {}),
        )
    )
