"""The native shipments kind: carrier, tracking and moments per parcel, events through the
order-state path, idempotent on re-import, unknown orders and bad cells rejected whole."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ImportRejected
from core.models import Order, OrderEvent, PickupLocation, Shipment
from tests.core.importers.conftest import Importer, table_counts

ORDERS = """order_id,customer_id,placed_at,total
O-1,C-1,2024-06-01 10:00,30
O-2,C-2,2024-06-02 10:00,12.50
"""
SHIPMENTS = (
    "order_id,shipped_at,carrier,tracking_number,tracking_url,status,out_for_delivery_at,"
    "delivered_at,pickup_location,ready_for_pickup_at,picked_up_at\n"
    "O-1,2024-06-02 09:00,DHL,JD0001,https://dhl.example/JD0001,delivered,"
    "2024-06-03 08:00,2024-06-03 14:00,,,\n"
    "O-2,2024-06-03 09:00,,,,ready_for_pickup,,,BER-1,2024-06-04 10:00,\n"
)


def test_shipments_import_and_reimport(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    session.add(
        PickupLocation(
            code="BER-1", name="Berlin Mitte", address="Str. 1", city="Berlin", country="DE"
        )
    )
    session.commit()
    summary = run_import(SHIPMENTS, kind="shipments")
    assert summary.shipments_written == 2
    o1 = session.scalars(select(Order).where(Order.external_id == "O-1")).one()
    [parcel] = o1.shipments
    assert (parcel.carrier, parcel.tracking_number, parcel.tracking_url) == (
        "DHL",
        "JD0001",
        "https://dhl.example/JD0001",
    )
    assert parcel.delivered_at is not None and o1.status == "delivered"
    o2 = session.scalars(select(Order).where(Order.external_id == "O-2")).one()
    assert o2.pickup_location_id is not None and o2.shipments[0].ready_for_pickup_at is not None
    types = sorted(session.scalars(select(OrderEvent.type).where(OrderEvent.source == "import")))
    assert types.count("delivered") == 1 and "ready_for_pickup" in types
    before = table_counts(session)
    run_import(SHIPMENTS, kind="shipments")
    after = table_counts(session)
    assert after.pop("audit_log") == before.pop("audit_log") + 1 and after == before
    assert len(session.scalars(select(Shipment)).all()) == 2


def test_bad_rows_reject_the_whole_file(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    before = table_counts(session)
    bad = (
        "order_id,shipped_at,tracking_url,status,delivered_at\n"
        "O-1,2024-06-02 09:00,ftp://x,delivered,\n"
        "O-2,yesterday,,shipped,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        run_import(bad, kind="shipments")
    assert {(e.row, e.column) for e in caught.value.errors} == {
        (2, "tracking_url"),
        (2, "status"),
        (3, "shipped_at"),
        (3, "status"),
    }
    with pytest.raises(ImportRejected) as caught:
        run_import("order_id,shipped_at\nO-1,2024-06-02\nNOPE,2024-06-02\n", kind="shipments")
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [(3, "order_id", "NOPE")]
    assert table_counts(session) == before
