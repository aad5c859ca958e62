"""The audit log: who changed what, when (logins and failed logins, user changes, workflows,
templates, settings, imports, exports and downloads, GDPR actions, sources and tokens).

The application only ever inserts rows (:func:`record`); nothing in it updates or deletes one
(``tests/core/test_audit_log.py`` checks the code for it). Customers are named by id. Reading
the log (owner only) is :mod:`core.audit_read`."""

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
