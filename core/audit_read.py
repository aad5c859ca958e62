"""Reading the audit log (owner only); writing is :func:`core.audit.record`. Apart from it, so
that :mod:`core.auth` can record user changes without an import loop."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth import Action, Actor, require
from core.models import AuditEntry


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
