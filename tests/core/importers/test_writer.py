"""The bulk writer's SQLite path for large inserts: secondary indexes are dropped and rebuilt."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from core import importers
from core.auth import Actor
from core.importers import writer
from core.models import Order


def _indexes(engine: Engine) -> set[tuple[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        )
        return {(name, sql) for name, sql in rows}


def test_large_inserts_rebuild_the_indexes(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _indexes(sqlite_engine)
    assert any(name == "ix_orders_placed_date" for name, _ in before)
    monkeypatch.setattr(writer, "REINDEX_MIN_ROWS", 2)
    rows = "".join(f"L-{i},C-{i % 3},2024-01-{i + 1:02d},{i}.5\n" for i in range(20))
    with Session(sqlite_engine) as session:
        summary = importers.import_csv(
            session, Actor.cli(), ("order_id,customer_id,placed_at,total\n" + rows).encode()
        )
        session.commit()
        assert summary.orders_created == 20
        plan = session.execute(
            text("EXPLAIN QUERY PLAN SELECT id FROM orders WHERE placed_date = '2024-01-05'")
        ).all()
        assert "ix_orders_placed_date" in str(plan)
        assert len(session.scalars(select(Order)).all()) == 20
    assert _indexes(sqlite_engine) == before


def test_constant_columns_become_literals_only_when_safe(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "CONSTANT_MIN_ROWS", 2)
    head = "order_id,customer_id,placed_at,total,currency,channel,discount_code\n"
    rows = "".join(
        f"K-{i},C-1,2024-02-0{i + 1},5,SEK,o'hara; DROP TABLE orders,\n" for i in range(3)
    )
    with Session(sqlite_engine) as session:
        importers.import_csv(session, Actor.cli(), (head + rows).encode())
        session.commit()
        stored = session.execute(
            select(Order.currency, Order.channel, Order.discount_code, Order.is_demo)
        ).all()
    assert [tuple(r) for r in stored] == [("SEK", "o'hara; DROP TABLE orders", None, False)] * 3
