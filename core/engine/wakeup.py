"""Waking workers when work arrives, instead of waiting for the next poll.

In one process (the embedded worker of the dashboard) :func:`wake` sets an event the worker
waits on. Across processes on PostgreSQL, :func:`announce` sends ``NOTIFY orderflow_work`` in
the writer's transaction (delivered when it commits) and each worker waits with ``LISTEN`` on
its own connection. SQLite has no such channel: there the embedded worker is woken in-process,
and every worker also looks for new events every ``PROBE`` seconds (the highest event id, one
indexed read), so a separate ``python -m core worker`` process starts a cycle within a fraction
of a second of an event stored by another process, without waiting for its poll interval.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CHANNEL = "orderflow_work"
SLICE = 0.5  # seconds between checks of the in-process event while listening
PROBE = 0.2  # seconds between looks for new events on SQLite
_NEWEST_EVENT = text("SELECT MAX(id) FROM order_events")
_event = threading.Event()


def wake() -> None:
    """Start the next cycle of this process's worker now."""
    _event.set()


def announce(session: Session) -> None:
    """Tell workers in other processes, when the session's transaction commits (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {CHANNEL}"))


class Waiter:
    """Waits up to a timeout, returning early on :func:`wake` or (PostgreSQL) a notification."""

    def __init__(self, engine: Engine) -> None:
        self._conn: Any = None
        self._engine: Engine | None = None
        self._seen: int | None = None
        if engine.dialect.name == "postgresql":
            self._conn = self._listen(engine)
        else:
            self._engine = engine

    @staticmethod
    def _listen(engine: Engine) -> Any:
        import psycopg

        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        try:
            conn = psycopg.connect(url, autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
            return conn
        except psycopg.Error:
            log.warning("LISTEN failed; the worker polls instead", exc_info=True)
            return None

    def clear(self) -> None:
        """Called before a cycle: events newer than now wake the next wait."""
        _event.clear()
        if self._engine is not None:
            self._seen = self._newest_event()

    def _newest_event(self) -> int | None:
        assert self._engine is not None
        try:
            with self._engine.connect() as conn:
                return int(conn.execute(_NEWEST_EVENT).scalar() or 0)
        except Exception:  # a busy or missing database: the poll interval still applies
            log.debug("looking for new events failed", exc_info=True)
            return None

    def wait(self, timeout: float) -> None:
        if self._engine is not None:
            self._probe(timeout)
            return
        if self._conn is None:
            _event.wait(timeout)
            return
        deadline = time.monotonic() + timeout
        while not _event.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                if list(self._conn.notifies(timeout=min(left, SLICE), stop_after=1)):
                    return
            except Exception:
                log.warning("LISTEN connection lost; polling", exc_info=True)
                self.close()
                _event.wait(max(deadline - time.monotonic(), 0))
                return

    def _probe(self, timeout: float) -> None:
        """Wait for :func:`wake`, a new event or the timeout, whichever comes first."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or _event.wait(min(left, PROBE)):
                return
            newest = self._newest_event()
            if newest is not None and (self._seen is None or newest > self._seen):
                return

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
