"""Waking workers when work arrives, instead of waiting for the next poll.

In one process (the embedded worker of the dashboard) :func:`wake` sets an event the worker
waits on. Across processes on PostgreSQL, :func:`announce` sends ``NOTIFY orderflow_work`` in
the writer's transaction (delivered when it commits) and each worker waits with ``LISTEN`` on
its own connection. SQLite has no such channel: there the embedded worker is woken in-process,
and every worker also looks for unread events every ``PROBE`` seconds (the highest event id and
the enrolment cursor, two indexed reads): events newer than any seen before its last cycle and
still not enrolled on two looks in a row start a cycle. So a lone ``python -m core worker``
process starts within about half a second of an event stored by another process instead of its
poll interval, while a second worker beside a woken embedded one stays out of the way (on two
cores, cycling on every event made both contend for SQLite's write lock and the CPU).
"""

from __future__ import annotations

import json
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
CURSOR_KEY = "_engine_event_cursor"
"""The settings key of the enrolment cursor (the last event id :mod:`core.engine.enrol` read);
kept here, where the probe reads it, so that module needs no pandas."""
_UNREAD = text(
    "SELECT (SELECT MAX(id) FROM order_events), (SELECT value FROM settings WHERE key = :k)"
)
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
            self._seen = self._newest_and_cursor()[0]

    def _newest_and_cursor(self) -> tuple[int | None, int]:
        """The highest event id and the enrolment cursor (None, 0 when they cannot be read)."""
        assert self._engine is not None
        try:
            with self._engine.connect() as conn:
                newest, cursor = conn.execute(_UNREAD, {"k": CURSOR_KEY}).one()
            return int(newest or 0), int(json.loads(cursor) if cursor else 0)
        except Exception:  # a busy or missing database: the poll interval still applies
            log.debug("looking for new events failed", exc_info=True)
            return None, 0

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
        """Wait for :func:`wake`, unread events on two looks in a row, or the timeout."""
        deadline = time.monotonic() + timeout
        pending = False
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or _event.wait(min(left, PROBE)):
                return
            newest, cursor = self._newest_and_cursor()
            unread = newest is not None and newest > max(self._seen or 0, cursor)
            if unread and pending:
                return
            pending = unread

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
