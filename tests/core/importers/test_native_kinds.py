"""Native lines, products, customers and reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import ImportRejected
from core.models import Customer, Order, OrderEvent, OrderLine, Product, Review
from tests.core.importers.conftest import Importer, table_counts

ORDERS = """order_id,customer_id,placed_at,total
O-1,C-1,2024-06-01 10:00,30
O-2,C-2,2024-06-02 10:00,12.50
"""


def test_lines_are_replaced_per_order(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    lines = "order_id,sku,name,quantity,unit_price\nO-1,S-1,Mug,2,10\nO-1,S-2,Spoon,1,10\nO-2,,Gift card,1,12.5\n"
    summary = run_import(lines, kind="lines")
    assert summary.lines_written == 3
    run_import("order_id,sku,name,quantity,unit_price\nO-1,S-3,Teapot,1,30\n", kind="lines")
    rows = session.execute(
        select(
            Order.external_id,
            OrderLine.line_no,
            OrderLine.sku,
            OrderLine.quantity,
            OrderLine.unit_price,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .order_by(Order.external_id, OrderLine.line_no)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("O-1", 1, "S-3", 1, Decimal("30.00")),
        ("O-2", 1, None, 1, Decimal("12.50")),
    ]


def test_lines_of_unknown_orders_are_rejected(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    before = table_counts(session)
    bad = "order_id,sku,name,quantity,unit_price\nO-1,S-1,Mug,2,10\nNOPE,S-1,Mug,x,10\nGONE,S,Cup,1,1\n"
    with pytest.raises(ImportRejected) as caught:
        run_import(bad, kind="lines")
    assert {(e.row, e.column) for e in caught.value.errors} == {(3, "quantity")}
    with pytest.raises(ImportRejected) as caught:
        run_import(bad.replace(",x,", ",1,"), kind="lines")
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [
        (3, "order_id", "NOPE"),
        (4, "order_id", "GONE"),
    ]
    assert table_counts(session) == before


def test_products_upsert_by_sku(session: Session, run_import: Importer) -> None:
    csv = "sku,name,price,currency,category,image_url\nS-1,Mug,9.90,EUR,kitchen,https://example.com/m.png\nS-2,Tea,4,,food,\n"
    assert run_import(csv, kind="products").products_written == 2
    run_import("sku,name,price\nS-1,Big mug,12.00\n", kind="products")
    products = {p.sku: p for p in session.scalars(select(Product))}
    assert (products["S-1"].name, products["S-1"].price) == ("Big mug", Decimal("12.00"))
    assert products["S-1"].category == "kitchen"  # absent from the second file: kept
    assert products["S-2"].currency == "EUR" and len(products) == 2
    with pytest.raises(ImportRejected) as caught:
        run_import("sku,name\nS-9,A\nS-9,B\n,C\n", kind="products")
    assert {(e.row, e.column) for e in caught.value.errors} == {(3, "sku"), (4, "sku")}


def test_products_carry_weight_and_tags(session: Session, run_import: Importer) -> None:
    csv = 'sku,name,weight_grams,tags\nS-1,Mug,350,"Fragile, kitchen"\nS-2,Sofa,40000,bulky\n'
    assert run_import(csv, kind="products").products_written == 2
    products = {p.sku: p for p in session.scalars(select(Product))}
    assert (products["S-1"].weight_grams, products["S-1"].tags) == (350, ["fragile", "kitchen"])
    assert (products["S-2"].weight_grams, products["S-2"].tags) == (40000, ["bulky"])
    with pytest.raises(ImportRejected) as caught:
        run_import("sku,name,weight_grams\nS-3,Lamp,heavy\nS-4,Rug,-5\n", kind="products")
    assert {(e.row, e.column) for e in caught.value.errors} == {
        (2, "weight_grams"),
        (3, "weight_grams"),
    }


def test_customers_create_and_update(session: Session, run_import: Importer) -> None:
    csv = (
        "customer_id,email,first_name,last_name,country,locale,time_zone,marketing_consent\n"
        "C-1,Eva@Example.org,Eva,Nowak,pl,pl-PL,Europe/Warsaw,true\n"
        "C-2,,Jan,,NL,nl,,false\n"
    )
    assert run_import(csv, kind="customers").customers_created == 2
    run_import("customer_id,last_name\nC-2,de Vries\n", kind="customers")
    customers = {c.external_id: c for c in session.scalars(select(Customer))}
    eva, jan = customers["C-1"], customers["C-2"]
    assert (eva.email, eva.country, eva.locale, eva.time_zone) == (
        "eva@example.org",
        "PL",
        "pl_PL",
        "Europe/Warsaw",
    )
    assert eva.marketing_consent is True and eva.consent_source == "import"
    assert (jan.first_name, jan.last_name, jan.marketing_consent) == ("Jan", "de Vries", False)
    with pytest.raises(ImportRejected) as caught:
        run_import("customer_id,email,time_zone\nC-3,not-an-email,Mars/Base\n", kind="customers")
    assert {e.column for e in caught.value.errors} == {"email", "time_zone"}


def test_reviews_one_per_order_latest_wins(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    csv = (
        "order_id,rating,nps,comment,created_at\n"
        "O-1,2,3,Late,2024-06-05 10:00\n"
        "O-1,4,8,Arrived after all,2024-06-06 23:30\n"
        "O-2,5,,Great,2024-06-03\n"
    )
    assert run_import(csv, kind="reviews").reviews_written == 2
    reviews = {r.order_id: r for r in session.scalars(select(Review))}
    orders = {o.external_id: o for o in session.scalars(select(Order))}
    first = reviews[orders["O-1"].id]
    assert (first.rating, first.nps, first.comment) == (4, 8, "Arrived after all")
    assert (
        first.submitted_date == dt.date(2024, 6, 6)
        and first.customer_id == orders["O-1"].customer_id
    )
    assert reviews[orders["O-2"].id].nps is None
    run_import("order_id,rating,created_at\nO-1,1,2024-06-01\n", kind="reviews")  # older: ignored
    session.expire_all()
    assert session.get(Review, first.id).rating == 4  # type: ignore[union-attr]
    run_import("order_id,rating,created_at\nO-1,3,2024-06-10\n", kind="reviews")
    session.expire_all()
    assert session.get(Review, first.id).rating == 3  # type: ignore[union-attr]
    assert len(session.scalars(select(Review)).all()) == 2
    events = session.scalars(select(OrderEvent).where(OrderEvent.type == "review_submitted")).all()
    assert {e.order_id for e in events} == {orders["O-1"].id, orders["O-2"].id}


def test_review_ranges_are_checked(session: Session, run_import: Importer) -> None:
    run_import(ORDERS)
    before = table_counts(session)
    with pytest.raises(ImportRejected) as caught:
        run_import(
            "order_id,rating,nps,created_at\nO-1,6,3,2024-06-05\nO-2,4,11,2024-06-05\nO-2,0,-1,x\n",
            kind="reviews",
        )
    assert {(e.row, e.column) for e in caught.value.errors} == {
        (2, "rating"),
        (3, "nps"),
        (4, "rating"),
        (4, "nps"),
        (4, "created_at"),
    }
    assert table_counts(session) == before
