"""Small SQL helpers shared by the engine: insert-or-ignore and claiming rows for a worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Select, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_ignore(
    session: Session, model: Any, rows: Sequence[Mapping[str, Any]], unique: list[str]
) -> None:
    """Insert rows, silently skipping any that would break the unique constraint on
    ``unique`` (the idempotency of enrolments, trigger marks and messages)."""
    if not rows:
        return
    name = dialect(session)
    if name == "postgresql":
        stmt: Any = pg_insert(model).on_conflict_do_nothing(index_elements=unique)
    elif name == "sqlite":
        stmt = sqlite_insert(model).on_conflict_do_nothing(index_elements=unique)
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        stmt = insert(model)
    session.execute(stmt, list(rows))


def lock_skip_locked(stmt: Select[Any], session: Session) -> Select[Any]:
    """``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serialises writers instead (a second
    worker waits for the first one's write transaction)."""
    if dialect(session) == "postgresql":
        return stmt.with_for_update(skip_locked=True)
    return stmt


def try_singleton_lock(session: Session, key: int) -> bool:
    """A transaction-scoped advisory lock on PostgreSQL (False when another worker holds it);
    always True on SQLite, where the write lock serialises the work anyway."""
    if dialect(session) != "postgresql":
        return True
    from sqlalchemy import text

    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}))
