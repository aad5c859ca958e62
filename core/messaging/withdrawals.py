"""A customer's unsubscribe is never lost because the database is busy.

:func:`withdraw` tries the withdrawal in its own short transaction, waiting at most
:data:`WAIT_SECONDS` for the database. When the database stays busy (another process holds the
SQLite write lock, a PostgreSQL row lock, a restart), the signed token is appended to a spool
file (``ORDERFLOW_SPOOL_DIR``, default ``data/spool``; one JSON line each, flushed to disk) and
the customer is told it is done; :func:`apply_pending` records spooled withdrawals with the time
the customer asked. The worker applies them at the start of every cycle, before it sends
anything; the web process applies its own spool by itself (:func:`drain_forever`, in the app's
lifespan), so a web host without a worker never keeps one; and every later unsubscribe request
applies them too. Applying twice is harmless (:func:`core.messaging.unsubscribe.unsubscribe`
changes nothing the second time).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from core import config, db
from core.errors import AuthError, NotFound
from core.messaging import unsubscribe as unsub

log = logging.getLogger(__name__)
WAIT_SECONDS = 5.0
DRAIN_SECONDS = 5.0
SPOOL_FILE = "unsubscribes.jsonl"


@dataclass(frozen=True)
class Withdrawal:
    customer_id: int
    email: str | None
    queued: bool  # True: spooled, recorded as soon as the database answers


def spool_path() -> Path:
    folder = Path(config.get_secret("ORDERFLOW_SPOOL_DIR") or config.DATA_DIR / "spool")
    return folder / SPOOL_FILE


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on the spool (a separate lock file: the spool itself is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def spool(token: str, source: str, at: dt.datetime) -> None:
    """Keep one withdrawal on disk until the database takes it."""
    line = json.dumps({"token": token, "source": source, "at": at.isoformat()}) + "\n"
    path = spool_path()
    with _locked(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)


def _apply(engine: Engine, token: str, source: str, at: dt.datetime, wait: float) -> Withdrawal:
    """One withdrawal in its own short transaction, waiting at most ``wait`` seconds."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        conn.exec_driver_sql(
            f"PRAGMA busy_timeout = {int(wait * 1000)}"
            if sqlite
            else f"SET lock_timeout = '{int(wait * 1000)}ms'"
        )
        conn.commit()
        try:
            with Session(bind=conn, expire_on_commit=False) as session, session.begin():
                result = unsub.unsubscribe(session, token, source, now=at)
            return Withdrawal(result.customer_id, result.email, False)
        finally:
            with contextlib.suppress(DBAPIError):
                conn.rollback()
                conn.exec_driver_sql(
                    f"PRAGMA busy_timeout = {db.SQLITE_BUSY_TIMEOUT_MS}"
                    if sqlite
                    else "RESET lock_timeout"
                )
                conn.commit()


def withdraw(
    engine: Engine,
    token: str,
    source: str,
    now: dt.datetime | None = None,
    wait: float = WAIT_SECONDS,
) -> Withdrawal:
    """Record the withdrawal now, or spool it when the database stays busy. AuthError or
    NotFound for a token that is not ours (checked before anything is written)."""
    parsed = unsub.read_token(token)
    at = now or dt.datetime.now(dt.UTC)
    with contextlib.suppress(DBAPIError):
        apply_pending(engine, wait=min(wait, 1.0))
    try:
        return _apply(engine, token, source, at, wait)
    except DBAPIError:
        log.warning("database busy: unsubscribe of customer %s spooled", parsed.customer_id)
        spool(token, source, at)
        return Withdrawal(parsed.customer_id, None, True)


def apply_pending(engine: Engine, wait: float = WAIT_SECONDS) -> int:
    """Record every spooled withdrawal the database takes now; how many were recorded."""
    path = spool_path()
    if not path.exists() or path.stat().st_size == 0:
        return 0
    done = 0
    with _locked(path):
        lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        left: list[str] = []
        for i, line in enumerate(lines):
            try:
                item = json.loads(line)
                at = dt.datetime.fromisoformat(item["at"])
                _apply(engine, str(item["token"]), str(item["source"]), at, wait)
                done += 1
            except DBAPIError:
                left.extend(lines[i:])  # still busy: keep this one and the rest, in order
                break
            except (ValueError, KeyError, TypeError, AuthError, NotFound):
                log.warning("dropping an unreadable spooled unsubscribe")
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{ln}\n" for ln in left), encoding="utf-8")
        os.replace(tmp, path)
    return done


def drain_forever(engine: Engine, stop: threading.Event, interval: float = DRAIN_SECONDS) -> None:
    """Apply this machine's spool every ``interval`` seconds until ``stop`` is set (the web
    process's own drain: an empty spool costs one ``stat``). A busy database or any error is
    logged and retried at the next turn."""
    while not stop.is_set():
        try:
            done = apply_pending(engine)
            if done:
                log.info("recorded %s spooled unsubscribe(s)", done)
        except Exception:
            log.exception("applying spooled unsubscribes failed; retrying")
        stop.wait(interval)
