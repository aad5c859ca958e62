"""Shopify's "Export orders" CSV with every quirk (see fixtures/shopify_orders_export.csv):
a BOM, one record per line item with order fields on the first only, quoted multi-line Notes
and Note Attributes, empty emails, five currencies, cancelled/refunded orders and offsets that
change with daylight saving time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import importers
from core.errors import ImportRejected, ValidationError
from core.models import Customer, Order, OrderEvent, OrderLine
from tests.core.importers.conftest import Importer, table_counts

UTC = dt.UTC


def _orders(session: Session) -> dict[str, Order]:
    return {o.external_id: o for o in session.scalars(select(Order))}


def test_the_fixture_has_the_quirks(shopify_csv: bytes) -> None:
    assert shopify_csv.startswith(b"\xef\xbb\xbf")
    preview = importers.read_csv_preview(shopify_csv)
    assert preview.columns[0] == "Name" and len(preview) == 9
    assert importers.detect_format(list(preview.columns)) == "shopify"
    assert shopify_csv.count(b"\n") > 10  # more physical lines than records


def test_orders_totals_and_currencies(
    session: Session, run_import: Importer, shopify_csv: bytes
) -> None:
    summary = run_import(shopify_csv)
    assert summary.format == "shopify" and summary.rows_read == 9
    assert (summary.orders_created, summary.customers_created, summary.lines_written) == (6, 5, 9)
    orders = _orders(session)
    assert {k: (o.total, o.currency) for k, o in orders.items()} == {
        "#1001": (Decimal("59.80"), "EUR"),
        "#1002": (Decimal("144.00"), "PLN"),
        "#1003": (Decimal("747.00"), "SEK"),
        "#1004": (Decimal("37.00"), "EUR"),
        "#1005": (Decimal("46.50"), "GBP"),
        "#1006": (Decimal("98.90"), "CHF"),
    }
    first = orders["#1001"]
    assert (first.subtotal, first.shipping_amount, first.tax_amount) == (
        Decimal("54.90"),
        Decimal("4.90"),
        Decimal("9.55"),
    )
    assert (first.discount_code, first.discount_amount) == ("WELCOME10", Decimal("6.10"))
    assert (first.delivery_option, first.channel, first.number) == ("dhl_standard", "web", "#1001")
    lines = session.execute(
        select(OrderLine.line_no, OrderLine.sku, OrderLine.quantity, OrderLine.unit_price)
        .where(OrderLine.order_id == first.id)
        .order_by(OrderLine.line_no)
    ).all()
    assert [tuple(r) for r in lines] == [
        (1, "KAF-500", 2, Decimal("18.50")),
        (2, "TAS-2", 1, Decimal("24.00")),
    ]
    assert sum(q * p for _, _, q, p in lines) - first.discount_amount == first.subtotal


def test_offsets_that_change_with_daylight_saving(
    session: Session, run_import: Importer, shopify_csv: bytes
) -> None:
    run_import(shopify_csv)
    orders = _orders(session)
    assert orders["#1001"].placed_at == dt.datetime(2024, 1, 15, 9, 30, tzinfo=UTC)  # +0100
    assert orders["#1002"].placed_at == dt.datetime(2024, 7, 3, 16, 45, 12, tzinfo=UTC)  # +0200
    cancelled = orders["#1003"]  # placed before the spring switch, cancelled after it
    assert cancelled.placed_at == dt.datetime(2024, 3, 30, 22, 50, tzinfo=UTC)
    assert cancelled.cancelled_at == dt.datetime(2024, 3, 31, 7, 15, tzinfo=UTC)
    autumn = orders["#1004"]  # 02:30 +0200 is the first of the two 02:30s that night
    assert autumn.placed_at == dt.datetime(2024, 10, 27, 0, 30, tzinfo=UTC)
    assert autumn.paid_at == dt.datetime(2024, 10, 27, 0, 30, 20, tzinfo=UTC)
    new_year = orders["#1005"]  # New Year in Berlin, still 2024 in UTC
    assert new_year.placed_at == dt.datetime(2024, 12, 31, 23, 15, tzinfo=UTC)
    assert (new_year.placed_month, new_year.placed_date) == ("2025-01", dt.date(2025, 1, 1))


def test_cancelled_and_refunded_orders(
    session: Session, run_import: Importer, shopify_csv: bytes
) -> None:
    run_import(shopify_csv)
    orders = _orders(session)
    statuses = {k: o.status for k, o in orders.items()}
    assert statuses == {
        "#1001": "fulfilled",
        "#1002": "paid",
        "#1003": "cancelled",
        "#1004": "refunded",
        "#1005": "fulfilled",
        "#1006": "open",
    }
    assert orders["#1004"].refunded_amount == Decimal("37.00")
    assert orders["#1005"].refunded_amount == Decimal("5.00")
    events: dict[str, set[str]] = {}
    for external_id, kind in session.execute(
        select(Order.external_id, OrderEvent.type).join(Order, Order.id == OrderEvent.order_id)
    ):
        events.setdefault(external_id, set()).add(kind)
    assert events["#1003"] == {"placed", "cancelled"}
    assert events["#1004"] == {"placed", "paid", "shipped", "refunded"}
    assert events["#1005"] == {"placed", "paid", "shipped", "refunded"}
    assert events["#1006"] == {"placed"}


def test_notes_customers_and_empty_emails(
    session: Session, run_import: Importer, shopify_csv: bytes
) -> None:
    run_import(shopify_csv)
    orders = _orders(session)
    note = orders["#1001"].note or ""
    assert 'Der "Hinterhof"-Eingang ist offen.' in note and "\n" in note
    assert "gift_wrap: yes\ndelivery_slot: morning" in note
    assert orders["#1003"].note == 'Customer asked to cancel:\n"wrong grinder, sorry"'
    assert orders["#1001"].customer_id == orders["#1004"].customer_id  # email case differs
    customers = {c.external_id: c for c in session.scalars(select(Customer))}
    assert set(customers) == {
        "anna.schmidt@example.com",
        "sven.larsson@example.com",
        "lea.meier@example.com",
        "shopify:#1002",
        "shopify:#1005",
    }
    assert customers["shopify:#1002"].email is None
    assert (customers["shopify:#1002"].first_name, customers["shopify:#1002"].last_name) == (
        "Piotr",
        "Nowak",
    )
    assert customers["sven.larsson@example.com"].marketing_consent is True
    assert customers["shopify:#1005"].country == "IE"


def test_reimport_updates_and_never_duplicates(
    session: Session, run_import: Importer, shopify_csv: bytes
) -> None:
    run_import(shopify_csv)
    before = table_counts(session)
    summary = run_import(shopify_csv.replace(b"98.90", b"99.90"))
    assert (summary.orders_created, summary.orders_updated, summary.customers_created) == (0, 6, 0)
    after = table_counts(session)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    session.expire_all()
    assert _orders(session)["#1006"].total == Decimal("99.90")


def test_bad_records_are_numbered_as_csv_records(
    session: Session, run_import: Importer, shopify_csv: bytes
) -> None:
    bad = shopify_csv.replace(b",2,Filterpapper,", b",two,Filterpapper,")
    bad = bad.replace(b"2024-05-20 14:00:00 +0200", b"20.05.2024 14:00")
    assert bad != shopify_csv
    before = table_counts(session)
    with pytest.raises(ImportRejected) as caught:
        run_import(bad)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (6, "Lineitem quantity"),  # record 6, although it starts on a later physical line
        (10, "Created at"),
    ]
    assert table_counts(session) == before


def test_shopify_files_hold_orders_only(run_import: Importer, shopify_csv: bytes) -> None:
    with pytest.raises(ValidationError):
        run_import(shopify_csv, kind="lines")
    with pytest.raises(ValidationError):
        run_import(shopify_csv, mapping={"Name": "order_id"})
    with pytest.raises(ImportRejected) as caught:
        run_import(shopify_csv, fmt="native")
    assert {e.column for e in caught.value.errors} >= {"order_id", "placed_at"}
