from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core.messaging import withdrawals
from core.messaging.unsubscribe import make_token
from core.models import Customer
from dashboard.server import embedded_worker_wanted, lifespan
from tests.core.messaging.conftest import add_customer


def test_embedded_worker_runs_only_on_the_embedded_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("ORDERFLOW_EMBEDDED_WORKER", raising=False)
    assert embedded_worker_wanted()
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", "postgresql+psycopg://shop@db/shop")
    assert not embedded_worker_wanted()
    monkeypatch.setenv("ORDERFLOW_EMBEDDED_WORKER", "1")
    assert embedded_worker_wanted()
    monkeypatch.delenv("ORDERFLOW_DATABASE_URL")
    monkeypatch.setenv("ORDERFLOW_EMBEDDED_WORKER", "0")
    assert not embedded_worker_wanted()


def test_the_web_process_drains_its_spooled_unsubscribes_without_a_worker(
    monkeypatch: pytest.MonkeyPatch, use_database: Engine, tmp_path: Path
) -> None:
    """A web host without a worker (several web hosts on PostgreSQL): its lifespan applies the
    unsubscribes spooled on its disk while the database was busy."""
    monkeypatch.setenv("ORDERFLOW_EMBEDDED_WORKER", "0")
    monkeypatch.setenv("ORDERFLOW_SPOOL_DIR", str(tmp_path / "spool"))
    with Session(use_database) as s:
        customer_id = add_customer(s, "spooled", "de_DE").id
        s.commit()
    token = make_token(0, customer_id)
    withdrawals.spool(token, "one_click", dt.datetime.now(dt.UTC))  # the database was busy

    def unsubscribed() -> bool:
        with Session(use_database) as s:
            customer = s.get(Customer, customer_id)
            return customer is not None and customer.unsubscribed_at is not None

    async def serve() -> tuple[bool, set[str]]:
        async with lifespan(None):
            threads = {t.name for t in threading.enumerate()}
            deadline = time.monotonic() + 20
            while not unsubscribed() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return unsubscribed(), threads

    assert not unsubscribed()
    # In its own thread: the browser journeys' sync Playwright leaves an event loop running in
    # this one, where asyncio.run() refuses to start.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        done, threads = pool.submit(asyncio.run, serve()).result(timeout=60)
    assert done and withdrawals.spool_path().read_text() == ""
    assert "orderflow-spool-drain" in threads and "orderflow-worker" not in threads
    assert not [t for t in threading.enumerate() if t.name == "orderflow-spool-drain"]
