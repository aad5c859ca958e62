"""A rehearsal: one worker cycle as of a later moment that writes nothing and sends nothing.

``python -m core worker --once --at ISO`` answers "what would the worker do by then?". The cycle
runs the real code (enrolment, steps, the sending policy) but:

- on PostgreSQL inside ONE transaction on one connection that is rolled back at the end (the
  worker's own commits become savepoints, :func:`core.engine.sqlutil.open_session`);
- on SQLite on a temporary copy made with SQLite's online backup (a read of the live file: no
  write lock is held on it, so unsubscribes and the live worker go on), deleted afterwards;
- no mail transport is opened (messages that would go stay claimed in the rolled-back state) and
  no step reaches outside the process (webhooks are reported, not called).

What would be sent and what would be skipped (with the reason) is read from the rehearsed state
just before it is thrown away.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select

from core import db
from core.engine import worker as worker_mod
from core.engine.clock import ManualClock
from core.engine.sqlutil import Bind, open_session
from core.errors import ConfigError
from core.models import Message, Order, Workflow


@dataclass
class Rehearsal:
    at: dt.datetime
    stats: worker_mod.CycleStats
    would_send: list[dict[str, Any]] = field(default_factory=list)
    would_skip: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The worker's usual figures, plus what the rehearsal found."""
        return {
            **self.stats.as_dict(),
            "rehearsal": True,
            "at": self.at.isoformat(),
            "would_send": self.would_send,
            "would_skip": self.would_skip,
        }


def rehearse(engine: Engine, at: dt.datetime) -> Rehearsal:
    """Run one cycle as of ``at`` and throw its effects away (see the module docstring)."""
    if engine.dialect.name == "sqlite":
        return _on_copy(engine, at)
    with engine.connect() as conn:
        outer = conn.begin()
        try:
            return _cycle(conn, at)
        finally:
            outer.rollback()


def _sqlite_path(engine: Engine) -> Path:
    name = engine.url.database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise ConfigError(
            "A rehearsal needs a database file to copy.",
            field="ORDERFLOW_DATABASE_URL",
            hint="Use sqlite:///path/to/file.db (or PostgreSQL).",
        )
    return Path(name)


def _on_copy(engine: Engine, at: dt.datetime) -> Rehearsal:
    live = _sqlite_path(engine)
    with tempfile.TemporaryDirectory(prefix="orderflow-rehearsal-") as folder:
        copy_path = Path(folder) / "rehearsal.db"
        source = sqlite3.connect(f"{live.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(copy_path)
        try:
            source.backup(target)  # online backup: page reads, never a write lock on the live file
        finally:
            target.close()
            source.close()
        copy = db.make_engine(f"sqlite:///{copy_path}")
        try:
            return _cycle(copy, at)
        finally:
            copy.dispose()


def _cycle(bind: Bind, at: dt.datetime) -> Rehearsal:
    name = f"rehearsal:{worker_mod.worker_name()}"[:64]
    with open_session(bind) as session:
        before = int(session.scalar(select(func.max(Message.id))) or 0)
    stats = worker_mod.run_once(bind, clock=ManualClock(at), worker=name, rehearsal=True)
    result = Rehearsal(at=at.astimezone(dt.UTC), stats=stats)
    with open_session(bind) as session:
        rows = session.execute(
            select(Message, Order.number, Order.external_id, Workflow.name)
            .outerjoin(Order, Order.id == Message.order_id)
            .outerjoin(Workflow, Workflow.id == Message.workflow_id)
            .where(
                or_(
                    Message.id > before,
                    Message.claimed_by == name,
                    and_(Message.state == "deferred", Message.sending_at == at),  # quiet hours
                )
            )
            .order_by(Message.id)
        )
        for m, number, external_id, workflow in rows:
            item = {
                "workflow": workflow,
                "step": m.step_id,
                "template": m.template_name,
                "to": m.to_address,
                "order": number or external_id,
                "category": m.category,
            }
            if m.state == "sending" and m.claimed_by == name:
                result.would_send.append(item)
            elif m.state == "suppressed":
                result.would_skip.append({**item, "reason": m.suppression_reason})
            elif m.state == "deferred":
                result.would_skip.append(
                    {**item, "reason": m.suppression_reason, "until": m.due_at.isoformat()}
                )
    return result
