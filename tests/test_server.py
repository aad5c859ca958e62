from __future__ import annotations

import pytest

from dashboard.server import embedded_worker_wanted


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
