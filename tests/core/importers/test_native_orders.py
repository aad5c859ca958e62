"""Native orders CSV: create, update, events, time zones, validation, dry run, audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings
from core.auth import Actor
from core.errors import ImportRejected, ValidationError
from core.models import AuditEntry, ConsentEvent, Customer, Order, OrderEvent, Shipment
from tests.core.importers.conftest import Importer, table_counts

UTC = dt.UTC
ORDERS = """order_id,customer_id,placed_at,total,currency,status,email,first_name,country,locale,marketing_consent,shipped_at,delivered_at,refunded_amount,discount_code,discount_amount,channel,delivery_option,promised_delivery_at
A-1,C-1,2024-03-05 10:00,49.90,EUR,delivered,Ana@Example.com,Ana,DE,de_DE,yes,2024-03-06 08:00,2024-03-07T12:30:00+01:00,,SPRING,5.00,web,express,2024-03-07
A-2,C-1,2024-04-01T09:00:00Z,20.00,PLN,paid,ana@example.com,Ana,DE,de,,,,,,,web,standard,
A-3,C-2,20240410,"1.234,56",,cancelled,bo@example.com,Bo,SE,sv,no,,,,,,pos,,
A-4,C-3,2024-05-01,80.00,SEK,refunded,,,,,,2024-05-02,,80.00,,,web,,
"""


def _orders(session: Session) -> dict[str, Order]:
    return {o.external_id: o for o in session.scalars(select(Order))}


def test_orders_create_customers_shipments_and_events(
    session: Session, run_import: Importer
) -> None:
    summary = run_import(ORDERS)
    assert (summary.orders_created, summary.customers_created, summary.rows_read) == (4, 3, 4)
    orders = _orders(session)
    a1, a2, a3, a4 = (orders[k] for k in ("A-1", "A-2", "A-3", "A-4"))
    assert a1.placed_at == dt.datetime(2024, 3, 5, 9, 0, tzinfo=UTC)  # Berlin winter time
    assert (a1.total, a1.currency, a1.status) == (Decimal("49.90"), "EUR", "delivered")
    assert (a1.discount_code, a1.discount_amount, a1.channel) == ("SPRING", Decimal("5.00"), "web")
    assert a1.delivery_option == "express" and a1.shipping_country == "DE"
    assert a1.promised_delivery_at == dt.datetime(2024, 3, 6, 23, 0, tzinfo=UTC)
    assert a2.placed_at == dt.datetime(2024, 4, 1, 9, 0, tzinfo=UTC) and a2.currency == "PLN"
    assert a3.total == Decimal("1234.56") and a3.currency == "EUR"  # the store currency
    assert a3.placed_date == dt.date(2024, 4, 10) and a3.status == "cancelled"
    assert a4.refunded_amount == Decimal("80.00") and a4.refunded_at is not None
    assert a1.customer_id == a2.customer_id != a3.customer_id
    customer = session.get(Customer, a1.customer_id)
    assert customer is not None
    assert (customer.email, customer.first_name, customer.country) == (
        "ana@example.com",
        "Ana",
        "DE",
    )
    assert customer.locale == "de"  # the last non-empty value of the customer's rows
    assert customer.marketing_consent is True and customer.consent_source == "import"
    events = {(e.order_id, e.type): e for e in session.scalars(select(OrderEvent))}
    assert {t for (oid, t) in events if oid == a1.id} == {"placed", "shipped", "delivered"}
    assert {t for (oid, t) in events if oid == a3.id} == {"placed", "cancelled"}
    assert {t for (oid, t) in events if oid == a4.id} >= {"placed", "shipped", "refunded"}
    assert all(e.source == "import" for e in events.values())
    assert events[(a1.id, "delivered")].occurred_at == dt.datetime(2024, 3, 7, 11, 30, tzinfo=UTC)
    shipment = session.scalars(select(Shipment).where(Shipment.order_id == a1.id)).one()
    assert shipment.shipped_at == dt.datetime(2024, 3, 6, 7, 0, tzinfo=UTC)


def test_same_file_twice_updates_and_never_duplicates(
    session: Session, run_import: Importer
) -> None:
    run_import(ORDERS)
    before = table_counts(session)
    again = run_import(ORDERS.replace("49.90", "59.90").replace("Bo,SE", "Bob,SE"))
    after = table_counts(session)
    assert (again.orders_created, again.orders_updated) == (0, 4)
    assert (again.customers_created, again.customers_updated) == (0, 3)
    assert {k: v for k, v in after.items() if k != "audit_log"} == {
        k: v for k, v in before.items() if k != "audit_log"
    }
    session.expire_all()
    orders = _orders(session)
    assert orders["A-1"].total == Decimal("59.90")
    assert session.scalar(select(Customer.first_name).where(Customer.external_id == "C-2")) == "Bob"


MONTH_CASES = [
    ("2024-01-31 23:30", "2024-01", dt.datetime(2024, 1, 31, 22, 30, tzinfo=UTC)),
    ("2024-01-31T23:30:00Z", "2024-02", dt.datetime(2024, 1, 31, 23, 30, tzinfo=UTC)),
    ("2024-02-01", "2024-02", dt.datetime(2024, 1, 31, 23, 0, tzinfo=UTC)),
    ("20240201", "2024-02", dt.datetime(2024, 1, 31, 23, 0, tzinfo=UTC)),
    ("2024-07-31 23:30", "2024-07", dt.datetime(2024, 7, 31, 21, 30, tzinfo=UTC)),
    ("2024-07-31 23:30:00 -0100", "2024-08", dt.datetime(2024, 8, 1, 0, 30, tzinfo=UTC)),
    ("2024-03-31 02:30", "2024-03", dt.datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),  # in the gap
]


def test_month_boundaries_in_the_store_time_zone(session: Session, run_import: Importer) -> None:
    assert settings.load(session).timezone == "Europe/Berlin"
    rows = "".join(f"M-{i},C-1,{placed},10\n" for i, (placed, _, _) in enumerate(MONTH_CASES))
    run_import("order_id,customer_id,placed_at,total\n" + rows)
    orders = _orders(session)
    for i, (_, month, instant) in enumerate(MONTH_CASES):
        order = orders[f"M-{i}"]
        assert (order.placed_month, order.placed_at) == (month, instant), MONTH_CASES[i]
        assert order.placed_date.isoformat()[:7] == month


def test_another_store_time_zone_moves_the_month(session: Session, run_import: Importer) -> None:
    settings.update_settings(session, Actor.cli(), {"timezone": "America/New_York"})
    session.commit()
    run_import("order_id,customer_id,placed_at,total\nM-1,C-1,2024-02-01T03:00:00Z,10\n")
    order = session.scalars(select(Order)).one()
    assert (order.placed_month, order.placed_date) == ("2024-01", dt.date(2024, 1, 31))


BAD = """order_id,customer_id,placed_at,total,currency,marketing_consent,country,locale,status
B-1,C-1,2024-01-01,-5,EUR,yes,DE,de,paid
B-2,C-2,31/01/2024,10,EUR,yes,DE,de,paid
B-3,C-3,2024-01-01,10,XYZ,maybe,Germany,klingon,paid
,C-4,2024-01-01,abc,EUR,,,,shipped-ish
B-1,C-5,2024-01-01,10,EUR,,,,paid
B-6,C-6,2024-01-01,"1,5,0",EUR,,,,paid
"""


def test_a_bad_file_lists_every_bad_row_and_writes_nothing(
    session: Session, run_import: Importer
) -> None:
    run_import(ORDERS)
    before = table_counts(session)
    with pytest.raises(ImportRejected) as caught:
        run_import(BAD)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (2, "total"),
        (3, "placed_at"),
        (4, "currency"),
        (4, "marketing_consent"),
        (4, "country"),
        (4, "locale"),
        (5, "order_id"),
        (5, "total"),
        (5, "status"),
        (6, "order_id"),
        (7, "total"),
    }
    reasons = {(e.row, e.column): e.reason for e in caught.value.errors}
    assert "negative" in reasons[(2, "total")]
    assert "first on row 2" in reasons[(6, "order_id")]
    assert "Unknown currency" in reasons[(4, "currency")]
    assert caught.value.summary.rows_rejected == 6  # type: ignore[attr-defined]
    assert table_counts(session) == before


def test_a_missing_required_column_is_one_error_with_the_mapping_hint(
    session: Session, run_import: Importer
) -> None:
    with pytest.raises(ImportRejected) as caught:
        run_import("order_id,customer_id,total\nX,C,10\n")
    [error] = caught.value.errors
    assert (error.row, error.column) == (1, "placed_at")
    assert "--map SRC=placed_at" in error.reason
    assert table_counts(session)["orders"] == 0


def test_dry_run_validates_counts_and_writes_nothing(
    session: Session, run_import: Importer
) -> None:
    before = table_counts(session)
    summary = run_import(ORDERS, dry_run=True)
    assert summary.dry_run and (summary.orders_created, summary.customers_created) == (4, 3)
    assert table_counts(session) == before
    with pytest.raises(ImportRejected):
        run_import(BAD, dry_run=True)


def test_currency_option_then_store_currency(session: Session, run_import: Importer) -> None:
    run_import(
        "order_id,customer_id,placed_at,total,currency\nX-1,C,2024-01-01,10,\n", currency="GBP"
    )
    settings.update_settings(session, Actor.cli(), {"currency": "SEK"})
    session.commit()
    run_import("order_id,customer_id,placed_at,total\nX-2,C,2024-01-01,10\n")
    assert {o.external_id: o.currency for o in _orders(session).values()} == {
        "X-1": "GBP",
        "X-2": "SEK",
    }
    with pytest.raises(ValidationError):
        run_import("order_id,customer_id,placed_at,total\nX-3,C,2024-01-01,10\n", currency="ZZZ")


def test_consent_changes_are_recorded(session: Session, run_import: Importer) -> None:
    head = "order_id,customer_id,placed_at,total,marketing_consent\n"
    run_import(head + "K-1,C-1,2024-01-01,10,no\n")
    assert session.scalars(select(ConsentEvent)).all() == []
    run_import(head + "K-1,C-1,2024-01-01,10,YES\n")
    run_import(head + "K-1,C-1,2024-01-01,10,true\n")  # no change: no new event
    run_import(head + "K-1,C-1,2024-01-01,10,0\n")
    events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert [(e.granted, e.source) for e in events] == [(True, "import"), (False, "import")]
    customer = session.scalars(select(Customer)).one()
    assert customer.marketing_consent is False and customer.consent_at is not None


def test_an_import_is_audited_and_bumps_the_data_version(
    session: Session, run_import: Importer
) -> None:
    version = settings.data_version(session)
    run_import(ORDERS)
    assert settings.data_version(session) == version + 1
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "data.import")).one()
    assert entry.actor == "cli" and entry.detail["orders_created"] == 4
    run_import(ORDERS, dry_run=True)
    assert settings.data_version(session) == version + 1


def test_a_file_without_status_keeps_a_known_status(session: Session, run_import: Importer) -> None:
    run_import("order_id,customer_id,placed_at,total,status\nS-1,C-1,2024-01-01,10,delivered\n")
    run_import(
        "order_id,customer_id,placed_at,total\nS-1,C-1,2024-01-01,12\nS-2,C-1,2024-01-02,5\n"
    )
    orders = _orders(session)
    assert (orders["S-1"].status, orders["S-1"].total) == ("delivered", Decimal("12.00"))
    assert orders["S-2"].status == "open"


def test_unchanged_rows_are_not_rewritten(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    stamps = {o.external_id: o.updated_at for o in _orders(session).values()}
    customers = {c.external_id: c.updated_at for c in session.scalars(select(Customer))}
    run_import(ORDERS.replace("49.90", "49.9"))  # the same amount, written differently
    session.expire_all()
    assert {o.external_id: o.updated_at for o in _orders(session).values()} == stamps
    assert {c.external_id: c.updated_at for c in session.scalars(select(Customer))} == customers
    run_import(ORDERS.replace("20.00,PLN", "21.00,PLN"))
    session.expire_all()
    changed = {k for k, o in _orders(session).items() if o.updated_at != stamps[k]}
    assert changed == {"A-2"}
