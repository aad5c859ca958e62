"""Crash safety and concurrency of dispatch, with real worker processes and a real SMTP server:
four workers on PostgreSQL send 5,000 messages exactly once; a worker killed with SIGKILL
mid-batch loses nothing, and at most the one message in flight arrives twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from core.models import Message
from tests.smtp_server import LocalSmtp

ROOT = Path(__file__).resolve().parents[3]


class SlowSmtp(LocalSmtp):
    """Accepts every message, taking ``delay`` seconds for each."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    def accept(self, envelope: Any) -> str:
        time.sleep(self.delay)
        return super().accept(envelope)


def _queue(engine: Engine, count: int) -> None:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    rows = [
        {
            "idempotency_key": f"t:{i}",
            "to_address": f"r{i}@example.com",
            "subject": f"Message {i}",
            "html": f"<p>Hello {i}</p>",
            "text": f"Hello {i}",
            "category": "transactional",
            "state": "queued",
            "due_at": now,
            "queued_at": now,
            "headers": {},
            "priority": 100,
        }
        for i in range(count)
    ]
    with engine.begin() as conn:
        conn.execute(insert(Message), rows)


def _spawn(engine: Engine, port: int, lease: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    url = engine.url.render_as_string(hide_password=False)
    return subprocess.Popen(
        [sys.executable, "-m", "tests.core.engine.worker_proc", url, str(port), str(lease)],
        cwd=ROOT,
        env=env,
    )


def _recipients(server: LocalSmtp) -> Counter[str]:
    return Counter(str(m["To"]) for m in server.messages)


def _states(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Message.state, func.count()).group_by(Message.state)).all())


@pytest.mark.postgres
@pytest.mark.slow
def test_four_processes_send_each_message_once(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers claim with SKIP LOCKED on PostgreSQL only")
    _queue(engine, 5000)
    server = LocalSmtp().start()
    try:
        workers = [_spawn(engine, server.port, 300) for _ in range(4)]
        for w in workers:
            assert w.wait(timeout=240) == 0
    finally:
        server.stop()
    received = _recipients(server)
    assert len(received) == 5000 and set(received.values()) == {1}
    assert _states(engine) == {"sent": 5000}
    with engine.connect() as conn:
        claimers = conn.execute(select(func.count(func.distinct(Message.claimed_by)))).scalar()
    assert claimers and claimers > 1  # the work was really shared


@pytest.mark.slow
def test_sigkill_mid_batch_loses_nothing(engine: Engine) -> None:
    total = 300
    _queue(engine, total)
    server = SlowSmtp(delay=0.01).start()
    try:
        first = _spawn(engine, server.port, 1.0)
        deadline = time.monotonic() + 60
        while len(server.messages) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        in_flight = _states(engine).get("sending", 0)
        assert 0 < len(server.messages) < total and in_flight > 0
        time.sleep(1.2)  # the lease of the dead worker's claims runs out
        second = _spawn(engine, server.port, 1.0)
        assert second.wait(timeout=120) == 0
    finally:
        server.stop()
    received = _recipients(server)
    assert set(received) == {f"r{i}@example.com" for i in range(total)}
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= 1  # at most the one message between the 250 reply and its commit
    assert _states(engine) == {"sent": total}
