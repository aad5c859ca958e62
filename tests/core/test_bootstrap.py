from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import bootstrap
from core.models import MessageTemplate, Order


def test_configured_database_gets_the_library_but_never_demo_data(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", "postgresql+psycopg://merchant@db/shop")
    monkeypatch.delenv("ORDERFLOW_DEMO", raising=False)
    assert not bootstrap.should_seed_demo(engine)
    bootstrap.prepare(engine)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0
        names = set(s.scalars(select(MessageTemplate.name)))
    assert {"order_confirmation", "review_request", "win_back"} <= names
    assert bootstrap.install_library_once(engine) == 0


def test_demo_requested_explicitly(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("ORDERFLOW_DEMO", "1")
    assert bootstrap.should_seed_demo(engine)


def test_embedded_default_seeds_when_empty(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDERFLOW_DATABASE_URL", raising=False)
    monkeypatch.delenv("ORDERFLOW_DEMO", raising=False)
    assert bootstrap.should_seed_demo(engine)
