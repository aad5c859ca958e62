"""Issue 11 defect 3: a customer's unsubscribe can never fail or be lost because another
process holds the database; the /u/ pages send the same protective headers as the others."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core.engine import worker
from core.engine.clock import ManualClock
from core.messaging import withdrawals
from core.messaging.unsubscribe import make_token
from core.models import ConsentEvent, Customer
from dashboard.routes import unsubscribe as routes
from tests.core.messaging.conftest import add_customer


@pytest.fixture
def spool(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("ORDERFLOW_SPOOL_DIR", str(tmp_path / "spool"))
    monkeypatch.setattr(withdrawals, "WAIT_SECONDS", 0.2)
    return tmp_path / "spool" / withdrawals.SPOOL_FILE


def test_unsubscribe_while_another_process_writes_is_spooled_then_applied(
    use_database: Engine, spool: Path
) -> None:
    if use_database.dialect.name != "sqlite":
        pytest.skip("the SQLite write lock")
    with Session(use_database) as s:
        customer_id = add_customer(s, "busy", "de_DE").id
        s.commit()
    token = make_token(0, customer_id)
    path = use_database.url.database
    assert path is not None
    holder = sqlite3.connect(path, timeout=0.1)
    holder.execute("BEGIN IMMEDIATE")  # e.g. a long import holding the write lock
    try:
        response = TestClient(Starlette(routes=routes.ROUTES)).post(
            f"/u/{token}", content=b"List-Unsubscribe=One-Click"
        )
    finally:
        holder.rollback()
        holder.close()
    assert response.status_code == 200 and "abgemeldet" in response.text
    assert spool.read_text().count(token) == 1  # on disk, not lost
    worker.run_once(use_database, clock=ManualClock(dt.datetime.now(dt.UTC)))
    with Session(use_database) as s:
        customer = s.get(Customer, customer_id)
        events = list(
            s.scalars(select(ConsentEvent).where(ConsentEvent.customer_id == customer_id))
        )
    assert customer is not None and customer.unsubscribed_at is not None
    assert not customer.marketing_consent and len(events) == 1
    assert spool.read_text() == ""


def test_unsubscribe_pages_send_nosniff_and_csp(use_database: Engine, spool: Path) -> None:
    with Session(use_database) as s:
        customer_id = add_customer(s, "hdr", "en_GB").id
        s.commit()
    client = TestClient(Starlette(routes=routes.ROUTES))
    for response in (
        client.get(f"/u/{make_token(0, customer_id)}"),
        client.post(f"/u/{make_token(0, customer_id)}", content=b"List-Unsubscribe=One-Click"),
        client.get("/u/forged"),
    ):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
