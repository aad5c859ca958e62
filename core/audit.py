"""The audit log: who changed what, when (logins and failed logins, user changes, workflows,
templates, settings, imports, exports and downloads, GDPR actions, sources and tokens).

The application only ever inserts rows (:func:`record`); nothing in it updates or deletes one
(``tests/core/test_audit_log.py`` checks the code for it). Customers are named by id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import AuditEntry

if TYPE_CHECKING:
    import pandas as pd

    from core.auth import Actor


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


def entries(
    session: Session,
    actor: Actor,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    who: str = "",
    action: str = "",
    target: str = "",
    limit: int = 5000,
) -> pd.DataFrame:
    """The newest audit entries matching the filters (owner only): at, actor, action, target,
    detail. ``action`` matches a prefix (``user.`` for every user change)."""
    import pandas as pd

    from core.auth import Action, require

    require(actor, Action.MANAGE_USERS)
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= dt.datetime.combine(since, dt.time(), dt.UTC))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
        stmt = stmt.where(AuditEntry.at < end)
    if who.strip():
        stmt = stmt.where(AuditEntry.actor.contains(who.strip().lower()))
    if action.strip():
        stmt = stmt.where(AuditEntry.action.startswith(action.strip()))
    if target.strip():
        stmt = stmt.where(AuditEntry.target.contains(target.strip()))
    rows = [
        {
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "target": e.target or "",
            "detail": ", ".join(f"{k}={v}" for k, v in sorted((e.detail or {}).items())),
        }
        for e in session.scalars(stmt)
    ]
    return pd.DataFrame(rows, columns=["at", "actor", "action", "target", "detail"])


def actions(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(AuditEntry.action).distinct())))
