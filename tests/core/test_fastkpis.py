"""The per-customer facts stay equal to a full recomputation after every kind of write, and the
all-time KPIs read from them equal the pandas reference (``kpi_summary``) key for key, and the
RFM segments read from the kept cells equal the per-customer reference."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session

from core import db, demo, facts, fastkpis, importers
from core import settings as store_settings
from core.auth import Actor
from core.fastkpis import _median, kpi_summary_all_time
from core.metrics import frames, kept_retention, views
from core.metrics.summary import kpi_summary
from core.metrics.types import Filters, Period
from core.models import (
    Coupon,
    CurrencyTotal,
    Customer,
    CustomerDay,
    CustomerFact,
    FactCount,
    Order,
    Review,
    RfmCell,
    Shipment,
    Workflow,
)
from tests.core.metrics.conftest import Shop, add_customer, add_order, build, configure, utc

RETAIL_MAP = {
    "InvoiceNo": "order_id",
    "InvoiceDate": "placed_at",
    "CustomerID": "customer_id",
    "TotalPrice": "total",
}


def _check(engine: Engine) -> None:
    with engine.connect() as conn:
        assert facts.check(conn) == []
    assert kpi_summary_all_time(engine) == kpi_summary(engine, None)
    bounds = frames.date_range(engine)
    if bounds is not None:
        period = Period(bounds[1] - dt.timedelta(days=29), bounds[1])
        kept = kept_retention.retention_view(engine, period)
        assert kept is not None
        reference = views.retention_view_from_orders(engine, period, Filters())
        pd.testing.assert_frame_equal(kept.segments, reference.segments, check_exact=False)


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT COUNT(*) FROM customer_facts")) or 0)


def test_empty_database(engine: Engine) -> None:
    data = kpi_summary_all_time(engine)
    assert data == kpi_summary(engine, None)
    assert (data["orders"], data["customers"], data["aov"], data["cohort_sizes"]) == (
        0,
        0,
        None,
        {},
    )


def test_hand_made_shop(engine: Engine) -> None:
    build(engine)
    _check(engine)
    data = kpi_summary_all_time(engine)
    assert (data["orders"], data["customers"], data["gross_revenue"]) == (7, 4, 400.0)
    assert data["repeat_purchase_rate"] == 0.5 and data["median_days_between_orders"] == 34.5
    assert data["cohort_retention"] == {"2024-01": [1.0, 0.5, 0.5], "2024-02": [1.0, 0.0]}
    assert (data["on_time_delivery_rate"], data["review_count"], data["nps"]) == (0.5, 4, 0.0)
    assert _rows(engine) == 4  # one row per customer and currency


def test_orm_writes_keep_the_facts(engine: Engine) -> None:
    shop: Shop = build(engine)
    with Session(engine) as s:  # cancel, refund, move an order to another customer
        o1 = s.get(Order, shop.ids["o1"])
        assert o1 is not None
        o1.status, o1.cancelled_at = "cancelled", utc(2024, 3, 1)
        o4 = s.get(Order, shop.ids["o4"])
        assert o4 is not None
        o4.refunded_amount, o4.refunded_at = Decimal("20"), utc(2024, 3, 5)
        o8 = s.get(Order, shop.ids["o8"])
        assert o8 is not None
        o8.customer_id = shop.ids["C"]
        s.commit()
    _check(engine)
    with Session(engine) as s:  # a delivery, a review, a redeemed workflow coupon
        s.add(Shipment(order_id=shop.ids["o6"], delivered_at=utc(2024, 2, 12)))
        o6 = s.get(Order, shop.ids["o6"])
        assert o6 is not None
        o6.promised_delivery_at = utc(2024, 2, 14)
        s.add(
            Review(
                order_id=shop.ids["o4"],
                customer_id=shop.ids["B"],
                rating=5,
                nps=9,
                submitted_at=utc(2024, 3, 6),
                submitted_date=dt.date(2024, 3, 6),
            )
        )
        wf = Workflow(name="Thanks", draft={})
        s.add(wf)
        s.flush()
        o2 = s.get(Order, shop.ids["o2"])
        assert o2 is not None
        o2.discount_amount = Decimal("5")
        s.add(
            Coupon(
                code="THANKS-1",
                customer_id=shop.ids["A"],
                workflow_id=wf.id,
                issued_at=utc(2024, 1, 1),
                redeemed_order_id=shop.ids["o2"],
                redeemed_at=utc(2024, 2, 1),
                cost=Decimal("5"),
            )
        )
        s.commit()
    _check(engine)
    assert kpi_summary_all_time(engine)["coupon_cost"] == 5.0
    with Session(engine) as s:  # a new customer and order, then deletions (erasure)
        e = add_customer(s, "E", "DE")
        add_order(s, "10", e, utc(2024, 4, 1, 12), "70")
        s.commit()
        _check(engine)
        s.execute(delete(Review).where(Review.order_id == shop.ids["o2"]))
        facts.touch_orders(s, [shop.ids["o2"]])
        victim = s.get(Customer, shop.ids["D"])
        s.delete(victim)
        s.commit()
    _check(engine)


def test_an_object_added_just_before_commit_is_counted(engine: Engine) -> None:
    """``s.add(review)`` then commit, with no flush in between: SQLAlchemy runs the
    before-commit hook before its own final flush, so the facts must flush first to see it."""
    shop = build(engine)
    with Session(engine) as s, s.begin():
        s.add(Review(order_id=shop.ids["o4"], customer_id=shop.ids["B"], rating=4,
                     submitted_at=utc(2024, 3, 6), submitted_date=dt.date(2024, 3, 6)))  # fmt: skip
    _check(engine)


def test_rollback_writes_nothing(engine: Engine) -> None:
    shop = build(engine)
    before = kpi_summary_all_time(engine)
    with Session(engine) as s:
        s.execute(update(Order).where(Order.id == shop.ids["o3"]).values(status="cancelled"))
        facts.touch_orders(s, [shop.ids["o3"]])
        s.rollback()
        s.commit()
    assert kpi_summary_all_time(engine) == before
    _check(engine)


def test_erasure_keeps_the_facts(engine: Engine) -> None:
    from core import gdpr

    build(engine)
    before = kpi_summary_all_time(engine)
    with Session(engine) as s:
        assert gdpr.erase_customer(s, Actor.system(), "a@example.com").customers
        s.commit()
    _check(engine)
    assert kpi_summary_all_time(engine) == before


def test_time_zone_change_rebuilds(engine: Engine) -> None:
    build(engine)
    with Session(engine) as s:
        store_settings.update_settings(s, Actor.cli(), {"timezone": "America/Los_Angeles"})
        s.commit()
    _check(engine)


def test_imports_keep_the_facts(engine: Engine) -> None:
    build(engine)
    csv = (
        b"order_id,customer_id,placed_at,total,currency,status,email\n"
        b"1,A,2024-05-01 10:00:00,30.00,EUR,paid,a@example.com\n"
        b"20,A,2024-05-02 10:00:00,15.00,EUR,paid,a@example.com\n"
        b"21,NEW,2024-05-03 10:00:00,25.00,EUR,cancelled,new@example.com\n"
        b"22,NEW,2024-05-04 10:00:00,45.00,PLN,paid,new@example.com\n"
    )
    with Session(engine) as s:
        importers.import_csv(s, Actor.cli(), csv)
        s.commit()
    _check(engine)
    reviews = b"order_id,rating,nps,created_at\n20,4,10,2024-05-10 10:00:00\n"
    with Session(engine) as s:
        importers.import_csv(s, Actor.cli(), reviews, kind="reviews")
        s.commit()
    _check(engine)


MERGED = (
    b"order_id,customer_id,placed_at,total,currency,status,email,shipped_at,delivered_at,"
    b"promised_delivery_at,refunded_amount,refunded_at,discount_amount\n"
    # A: before, between and on the days of A's stored orders; a second currency
    b"30,A,2023-12-20 10:00:00,10.00,EUR,paid,a@example.com,,,,,,\n"
    b"31,A,2024-01-10 18:00:00,12.50,EUR,delivered,a@example.com,2024-01-11,2024-01-12 10:00:00,"
    b"2024-01-12 10:00:00,,,2.50\n"
    b"32,A,2024-01-20 10:00:00,40.00,PLN,delivered,a@example.com,2024-01-21,2024-01-25,"
    b"2024-01-23,,,\n"
    b"33,A,2024-03-05 10:00:00,5.00,EUR,refunded,a@example.com,,,,5.00,2024-03-06,\n"
    # B's order the same day as a stored one; C's only valid order is cancelled here
    b"34,B,2024-03-02 18:00:00,100.00,PLN,paid,b@example.com,,,,,,\n"
    b"35,C,2024-02-12 10:00:00,9.00,SEK,cancelled,c@example.com,,,,,,\n"
    # new customers: one with a partial refund and two orders a day, one cancelled only
    b"36,N1,2024-04-01 08:00:00,60.00,EUR,paid,n1@example.com,2024-04-02,,,20.00,2024-04-03,\n"
    b"37,N1,2024-04-01 09:00:00,15.00,EUR,paid,n1@example.com,,,,,,\n"
    b"38,N1,2024-06-30 23:30:00,15.00,EUR,paid,n1@example.com,,,,,,\n"
    b"39,N2,2024-04-02 10:00:00,15.00,EUR,cancelled,n2@example.com,,,,,,\n"
)


def test_import_merges_new_orders_into_stored_facts(engine: Engine) -> None:
    """The facts of imported orders are merged from the file, not re-read: known customers
    (days before, between and on their stored days, a new currency), new customers, same-day
    orders, cancelled rows, deliveries on time and late, refunds; then the file again (every
    order known: the customers are recomputed) and a file mixing known and new orders."""
    build(engine)
    for data in (
        MERGED,
        MERGED,
        MERGED.replace(b"\n36,", b"\n46,").replace(b"\n30,", b"\n40,"),
    ):
        with Session(engine) as s:
            importers.import_csv(s, Actor.cli(), data)
            s.commit()
        _check(engine)
    assert kpi_summary_all_time(engine)["orders"] == 7 + 8 + 2


def test_demo_load_and_clear(engine: Engine) -> None:
    build(engine)
    demo.load(engine, demo.DemoOptions(customers=60, workflows=False), actor=Actor.cli())
    _check(engine)
    demo.clear(engine, Actor.cli())
    with Session(engine) as s:  # clearing the demo removes the rates it wrote
        configure(s)
        s.commit()
    _check(engine)
    assert kpi_summary_all_time(engine)["orders"] == 7


def test_ensure_builds_a_database_without_facts(engine: Engine) -> None:
    build(engine)
    with Session(engine) as s:
        s.execute(delete(CustomerFact))
        s.execute(delete(CustomerDay))
        s.execute(delete(CurrencyTotal))
        s.execute(delete(FactCount))
        s.execute(delete(RfmCell))
        store_settings.set_meta(s, facts.FACTS_META_KEY, None)
        s.commit()
    with engine.connect() as conn:
        assert facts.check(conn) != []
    with Session(engine) as s:
        assert facts.ensure(s) is True
        s.commit()
        assert facts.ensure(s) is False
    _check(engine)


def test_check_sees_wrong_rfm_cells(engine: Engine) -> None:
    build(engine)
    _check(engine)
    with Session(engine) as s:
        s.execute(update(RfmCell).where(RfmCell.currency == "EUR").values(gross=RfmCell.gross + 1))
        s.commit()
    with engine.connect() as conn:
        assert [p for p in facts.check(conn) if p.startswith("rfm_cells")]


def test_migration_fills_the_rfm_cells_of_stored_facts(engine: Engine) -> None:
    build(engine)
    db.downgrade(engine, "0015")
    db.migrate(engine)
    _check(engine)
    with engine.connect() as conn:
        assert conn.scalar(select(RfmCell.customers).where(RfmCell.currency == "").limit(1))


def test_real_retail_file(engine: Engine, shared_data: Path) -> None:
    data = (shared_data / "online_retail_invoices.csv").read_bytes()
    with Session(engine) as s:
        store_settings.update_settings(s, Actor.cli(), {"currency": "GBP"})
        importers.import_csv(s, Actor.cli(), data, mapping=RETAIL_MAP, currency="GBP")
        s.commit()
    _check(engine)
    fast = kpi_summary_all_time(engine)
    assert (fast["customers"], fast["orders"]) == (4338, 18532)
    assert (fast["repeat_purchase_rate"], fast["aov"]) == (0.6558, 480.87)
    assert fast["cohort_sizes"]["2010-12"] == 885
    assert fast["cohort_retention"]["2010-12"][1] == 0.3661
    with Session(engine) as s:
        assert s.scalar(select(Order.id).limit(1)) is not None


@pytest.mark.parametrize(
    ("histogram", "median"),
    [([], None), ([(3, 1)], 3.0), ([(1, 1), (5, 1)], 3.0), ([(1, 2), (4, 1), (9, 3)], 6.5)],
)
def test_median_of_a_histogram(histogram: list[tuple[int, int]], median: float | None) -> None:
    assert _median(histogram) == median


def test_constants_written_out_match_their_source() -> None:
    assert store_settings.StoreSettings().currency == fastkpis.DEFAULT_CURRENCY
    assert fastkpis.FACTS_META_KEY == facts.FACTS_META_KEY
    assert fastkpis.FACTS_VERSION == facts.FACTS_VERSION
    assert fastkpis.MONTH_SPAN == facts.MONTH_SPAN


def test_the_fast_path_imports_neither_pandas_nor_the_orm_models(
    use_database: Engine, tmp_path: Path
) -> None:
    build(use_database)
    kpi_summary_all_time(use_database)  # builds the facts of this migrated-only database once
    code = (
        "import sys, json\n"
        "from core.cli import main\n"
        "assert main(['kpis', '--json']) == 0\n"
        "heavy = {'pandas', 'numpy', 'scipy', 'alembic', 'core.models', 'core.settings'}\n"
        "print(json.dumps(sorted(heavy & set(sys.modules))), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []
    assert json.loads(done.stdout)["orders"] == 7
