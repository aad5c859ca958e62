"""Exports: every table, one row per order, European CSV, round trip, roles."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from core import exporting, importers
from core.auth import Actor, Role
from core.csvout import CsvFormat
from core.errors import PermissionDenied, ValidationError
from tests.core.importers.conftest import FIXTURES, table_counts

CLI = Actor.cli()


@pytest.fixture
def shop(session: Session) -> Session:
    importers.import_csv(session, CLI, (FIXTURES / "shopify_orders_export.csv").read_bytes())
    reviews = b'order_id,rating,nps,comment,created_at\n#1001,5,9,"Schnell, gut",2024-01-20\n'
    importers.import_csv(session, CLI, reviews, kind="reviews")
    session.commit()
    return session


def test_orders_export_one_row_per_order_with_customer(shop: Session) -> None:
    frame = exporting.export_table(shop, CLI, "orders")
    assert len(frame) == 6 and frame["order_id"].is_unique
    first = frame.set_index("order_id").loc["#1001"]
    assert (first["customer_id"], first["email"]) == ("anna.schmidt@example.com",) * 2
    assert first["total"] == Decimal("59.80") and first["currency"] == "EUR"
    assert str(first["shipped_at"]) == "2024-01-16 08:00:00+00:00"
    assert pd.isna(frame.set_index("order_id").loc["#1002", "email"])
    assert list(frame.columns[:4]) == ["order_id", "number", "customer_id", "email"]


def test_every_table_exports(shop: Session) -> None:
    sizes = {table: len(exporting.export_table(shop, CLI, table)) for table in exporting.TABLES}
    assert sizes["customers"] == 5 and sizes["lines"] == 9 and sizes["reviews"] == 1
    assert sizes["events"] == table_counts(shop)["order_events"]
    assert sizes["shipments"] == 3 and sizes["messages"] == 0
    events = exporting.export_table(shop, CLI, "events")
    assert json.loads(events["payload"].iloc[0]) == {}
    assert set(events["order_id"]) <= {f"#{n}" for n in range(1001, 1007)}
    audit = exporting.export_table(shop, CLI, "audit_log")
    assert "data.import" in set(audit["action"])
    with pytest.raises(ValidationError):
        exporting.export_table(shop, CLI, "users")


def test_european_csv_and_round_trip(shop: Session, tmp_path: Path) -> None:
    frame = exporting.export_table(shop, CLI, "orders")
    path = exporting.write_csv(frame, tmp_path / "out" / "orders.csv", CsvFormat.european())
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header, first = data.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("order_id;number;customer_id;email;placed_at")
    assert ";59,80;" in first and ";54,90;" in first
    before = table_counts(shop)
    summary = importers.import_csv(shop, CLI, data)
    shop.commit()
    assert (summary.orders_created, summary.orders_updated) == (0, 6)
    again = exporting.export_table(shop, CLI, "orders")
    columns = ["order_id", "customer_id", "placed_at", "total", "currency", "status"]
    pd.testing.assert_frame_equal(frame[columns], again[columns])
    after = table_counts(shop)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }


def test_export_by_role(shop: Session) -> None:
    for role in (Role.OWNER, Role.MERCHANT, Role.ANALYST):
        actor = Actor(f"{role.value}@example.com", role)
        assert len(exporting.export_table(shop, actor, "orders")) == 6
    with pytest.raises(PermissionDenied, match="manager"):
        exporting.export_table(shop, Actor("m@example.com", Role.MANAGER), "orders")


def test_a_page_download_is_audited_only_for_roles_that_may_export(session: Session) -> None:
    from sqlalchemy import select

    from core.models import AuditEntry

    with pytest.raises(PermissionDenied):
        exporting.record_download(session, Actor("m@example.com", Role.MANAGER), "outbox.csv", 2)
    exporting.record_download(session, Actor("a@example.com", Role.ANALYST), "outbox.csv", 2)
    session.flush()
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.download"))
    assert [(r.actor, r.target, r.detail) for r in rows] == [
        ("a@example.com", "outbox.csv", {"rows": 2})
    ]
