"""The bulk writer's SQLite path: secondary indexes dropped and rebuilt around large inserts,
constant columns as literals, and an import's own transaction (write lock taken first, foreign
keys checked by the importer, all-or-nothing)."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import importers
from core.auth import Actor
from core.importers import store, writer
from core.meta import set_meta
from core.models import Order
from tests.core.importers.conftest import table_counts


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
        for query, index in (
            ("SELECT id FROM orders WHERE is_demo = 1", "ix_orders_is_demo"),
            ("SELECT id FROM orders WHERE platform_id = 'shopify:1'", "ix_orders_platform_id"),
        ):  # partial indexes (migration 0017), kept through the insert
            assert index in str(session.execute(text(f"EXPLAIN QUERY PLAN {query}")).all())
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


ORDERS = b"order_id,customer_id,placed_at,total,status\nF-1,C-1,2024-03-01,5,paid\nF-2,C-2,2024-03-02,6,cancelled\n"


def _foreign_keys(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one())


def test_an_import_opening_the_transaction_checks_references_itself(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        importers.import_csv(session, Actor.cli(), ORDERS)
        assert _foreign_keys(session.connection()) == 0  # this transaction only
        session.commit()
        assert _foreign_keys(session.connection()) == 1
        assert session.connection().exec_driver_sql("PRAGMA foreign_key_check").all() == []
    with sqlite_engine.connect() as conn:  # a connection held across transactions
        with Session(bind=conn) as session:
            importers.import_csv(session, Actor.cli(), ORDERS.replace(b"F-", b"G-"))
            session.commit()
        assert _foreign_keys(conn) == 1
        with pytest.raises(IntegrityError):
            conn.exec_driver_sql(
                "INSERT INTO order_events (order_id, customer_id, type, occurred_at, "
                "recorded_at, source, payload) VALUES (1, 999, 'x', '2024-01-01', "
                "'2024-01-01', 'test', '{}')"
            )


def test_a_failure_after_the_first_writes_leaves_nothing(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(sqlite_engine) as session:
        before = table_counts(session)

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "new_order_events", fail)
    with Session(sqlite_engine) as session:
        with pytest.raises(RuntimeError):
            importers.import_csv(session, Actor.cli(), ORDERS)
        session.rollback()
        assert table_counts(session) == before
        assert _foreign_keys(session.connection()) == 1


def test_inside_an_open_transaction_the_checks_stay_on(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        set_meta(session, "_test_marker", 1)
        session.flush()
        importers.import_csv(session, Actor.cli(), ORDERS)
        assert _foreign_keys(session.connection()) == 1
        session.commit()
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
