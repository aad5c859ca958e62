"""Helpers for import tests: run an import and commit as the CLI does (then check that the
per-customer facts equal a full recomputation and that every reference holds), count every
table."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import facts, importers
from core.auth import Actor
from core.importers import ImportSummary
from core.models import Base

FIXTURES = Path(__file__).parent / "fixtures"
Importer = Callable[..., ImportSummary]


@pytest.fixture
def run_import(session: Session) -> Importer:
    def run(data: bytes | str, **options: Any) -> ImportSummary:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        try:
            summary = importers.import_csv(session, Actor.cli(), raw, **options)
        except Exception:
            session.rollback()
            raise
        session.commit()
        assert facts.check(session.connection()) == []
        assert_references_hold(session)
        return summary

    return run


def assert_references_hold(session: Session) -> None:
    """On SQLite, where an import's own transaction skips the foreign key checks: every
    reference it wrote points at a row, and the checks are on again."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def table_counts(session: Session) -> dict[str, int]:
    """Rows in every table: what an import may touch must be unchanged after a rejection."""
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def shopify_csv() -> bytes:
    return (FIXTURES / "shopify_orders_export.csv").read_bytes()
