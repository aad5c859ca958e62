"""Loading and clearing the demo shop on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import demo, events
from core import settings as store_settings
from core.auth import Actor, PermissionDenied, Role
from core.demo import catalog
from core.errors import ConflictError, ValidationError
from core.models import (
    ConsentEvent,
    Coupon,
    Customer,
    DeliveryOption,
    Enrolment,
    Message,
    Order,
    OrderEvent,
    OrderLine,
    PickupLocation,
    Product,
    ReferralCode,
    Review,
    Setting,
    Shipment,
    StepRun,
    Workflow,
)

UNTIL = dt.date(2025, 6, 30)
SMALL = demo.DemoOptions(customers=300, seed=5, until=UNTIL)


def _merchant_rows(session: Session) -> None:
    """A customer and an order the merchant imported, with an event."""
    customer = Customer(external_id="C-1", email="real@shop.eu", first_name="Real")
    session.add(customer)
    session.flush()
    placed = dt.datetime(2025, 5, 2, 10, tzinfo=dt.UTC)
    order = Order(
        external_id="1001", customer_id=customer.id, placed_at=placed, placed_date=placed.date(),
        placed_month="2025-05", currency="EUR", total=Decimal("10.00"),
    )  # fmt: skip
    session.add(order)
    session.flush()
    events.record(session, [events.event_row(order.id, customer.id, "placed", placed, "import")])
    session.commit()


def _fingerprint(session: Session) -> dict[str, object]:
    totals = session.execute(
        select(Order.currency, func.count(), func.sum(Order.total))
        .where(Order.is_demo)
        .group_by(Order.currency)
        .order_by(Order.currency)
    ).all()
    return {
        "totals": [(c, n, Decimal(s).quantize(Decimal("0.01"))) for c, n, s in totals],
        "reviews": session.scalar(select(func.count()).select_from(Review)),
        "events": session.scalar(select(func.count()).select_from(OrderEvent)),
        "emails": session.scalars(
            select(Customer.email).where(Customer.is_demo).order_by(Customer.id)
        ).all()[:20],
    }


def test_load_writes_a_flagged_european_shop(engine: Engine) -> None:
    summary = demo.load(engine, SMALL)
    with Session(engine) as s:
        assert demo.is_demo_loaded(s)
        assert s.scalar(select(func.count()).select_from(Customer)) == 300
        assert s.scalar(select(func.count()).select_from(Order)) == summary.counts["orders"] > 900
        assert not s.scalar(select(func.count()).select_from(Customer).where(~Customer.is_demo))
        assert all(
            e.rsplit("@")[1] in catalog.EMAIL_DOMAINS for e in s.scalars(select(Customer.email))
        )
        ids = list(s.scalars(select(Order.external_id))) + list(
            s.scalars(select(Customer.external_id))
        )
        assert all(i.startswith("DEMO-") for i in ids)
        assert len(set(s.scalars(select(Customer.country)))) >= 8
        assert set(s.scalars(select(Order.currency))) == {"EUR", "PLN", "SEK"}
        current = store_settings.load(s)
        assert current.currency == "EUR" and "demo" in current.name.lower()
        assert set(current.exchange_rates) == {"PLN", "SEK"}
        assert current.sender_email.endswith("example.com")
        meta = store_settings.get_meta(s, store_settings.DEMO_META_KEY)
        assert meta["seed"] == 5 and meta["until"] == "2025-06-30"
        assert meta["counts"] == summary.counts
        assert store_settings.data_version(s) >= 1
        assert s.scalar(select(func.count()).select_from(PickupLocation)) == 3
        options = set(s.scalars(select(DeliveryOption.code)))
        assert options == {"standard", "express", "click_collect", "scheduled"}
        assert s.scalar(select(func.count()).select_from(Product)) == len(catalog.product_rows())
        sources = set(s.scalars(select(OrderEvent.source)))
        assert sources == {"demo"}


def test_orm_reads_exact_money_and_comparable_timestamps(engine: Engine) -> None:
    demo.load(engine, dataclasses.replace(SMALL, workflows=False))
    with Session(engine) as s:
        orders = s.scalars(select(Order).where(Order.is_demo)).all()
        for order in orders:
            assert order.total == order.subtotal - order.discount_amount + order.shipping_amount
            lines = sum(line.quantity * line.unit_price for line in order.lines)
            assert lines == order.subtotal
            assert order.placed_at.tzinfo is not None
            assert order.placed_month == order.placed_at.astimezone(
                store_settings.load(s).tz
            ).strftime("%Y-%m")
        boundary = dt.datetime(2024, 12, 1, tzinfo=dt.UTC)
        in_sql = s.scalar(
            select(func.count()).select_from(Order).where(Order.placed_at >= boundary)
        )
        assert in_sql == sum(1 for o in orders if o.placed_at >= boundary)
        shipment = s.scalars(select(Shipment).where(Shipment.tracking_url.is_not(None))).first()
        assert shipment is not None and shipment.tracking_url.startswith(
            "https://track.example.com/"
        )
        assert s.scalar(select(func.count()).select_from(ConsentEvent)) > 150
        assert s.scalar(select(func.count()).select_from(ReferralCode)) > 0


def test_same_seed_gives_the_same_shop_and_reset_replaces_it(engine: Engine) -> None:
    """Without workflows the shop does not depend on the ids the database hands out (with
    them, the holdout hashes real ids: see test_same_plan_same_history)."""
    options = demo.DemoOptions(customers=300, seed=5, until=UNTIL, workflows=False)
    demo.load(engine, options)
    with Session(engine) as s:
        first = _fingerprint(s)
    with pytest.raises(ConflictError, match="loaded already"):
        demo.load(engine, options)
    demo.load(engine, dataclasses.replace(options, reset=True))
    with Session(engine) as s:
        assert _fingerprint(s) == first
    demo.load(engine, dataclasses.replace(options, seed=6, reset=True))
    with Session(engine) as s:
        assert _fingerprint(s) != first


def test_clear_removes_exactly_the_demo_rows(engine: Engine) -> None:
    with Session(engine) as s:
        store_settings.update_settings(s, Actor.cli(), {"name": "Real shop", "currency": "EUR"})
        s.commit()
        _merchant_rows(s)
    summary = demo.load(engine, SMALL)
    assert summary.counts["enrolments"] > 0  # paused workflows, with their history
    with Session(engine) as s:
        assert store_settings.load(s).name == "Real shop"  # the merchant's settings stay
        assert set(store_settings.load(s).exchange_rates) == {"PLN", "SEK"}
    removed = demo.clear(engine, Actor.cli())
    assert removed >= sum(summary.counts.values())
    with Session(engine) as s:
        assert not demo.is_demo_loaded(s)
        assert s.scalars(select(Customer.email)).all() == ["real@shop.eu"]
        assert s.scalars(select(Order.external_id)).all() == ["1001"]
        assert s.scalars(select(OrderEvent.type)).all() == ["placed"]
        for model in (
            OrderLine,
            Shipment,
            Review,
            ReferralCode,
            Product,
            PickupLocation,
            DeliveryOption,
            Workflow,
            Enrolment,
            Message,
            StepRun,
            Coupon,
        ):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert store_settings.load(s).name == "Real shop"
        assert s.get(Setting, store_settings.DEMO_META_KEY) is None
        # ids keep working after the bulk load (PostgreSQL sequences were advanced)
        s.add(Customer(external_id="C-2", email="second@shop.eu"))
        s.commit()


def test_clear_drops_the_demo_settings_of_an_unconfigured_store(engine: Engine) -> None:
    demo.load(engine, dataclasses.replace(SMALL, customers=50))
    demo.clear(engine, Actor.cli())
    with Session(engine) as s:
        assert store_settings.load(s) == store_settings.StoreSettings()


@pytest.mark.parametrize("role", list(Role))
def test_roles_allowed_to_load_and_clear(sqlite_engine: Engine, role: Role) -> None:
    actor = Actor("someone@example.com", role)
    options = demo.DemoOptions(customers=20, until=UNTIL)
    if role in (Role.OWNER, Role.MERCHANT):
        demo.load(sqlite_engine, options, actor=actor)
        assert demo.clear(sqlite_engine, actor) > 0
    else:
        with pytest.raises(PermissionDenied):
            demo.load(sqlite_engine, options, actor=actor)
        with pytest.raises(PermissionDenied):
            demo.clear(sqlite_engine, actor)


def test_bad_options_are_refused(sqlite_engine: Engine) -> None:
    now = dt.datetime(2025, 7, 1, 12, tzinfo=dt.UTC)
    with pytest.raises(ValidationError, match="future"):
        demo.load(sqlite_engine, demo.DemoOptions(customers=10, until=dt.date(2025, 7, 9)), now=now)
    with pytest.raises(ValidationError) as info:
        demo.load(sqlite_engine, demo.DemoOptions(customers=0))
    assert info.value.field == "customers"
    with Session(sqlite_engine) as s:
        assert not demo.is_demo_loaded(s)
    demo.load(sqlite_engine, demo.DemoOptions(customers=10, until=UNTIL, workflows=False))
    with pytest.raises(ValidationError):
        demo.load(sqlite_engine, demo.DemoOptions(customers=0, reset=True))
    with Session(sqlite_engine) as s:
        assert demo.is_demo_loaded(s)  # the refused reset cleared nothing


@pytest.mark.parametrize(("customers", "orders"), [(1, None), (3, 1), (2, 2)])
def test_tiny_shops_load(sqlite_engine: Engine, customers: int, orders: int | None) -> None:
    summary = demo.load(
        sqlite_engine, demo.DemoOptions(customers=customers, orders=orders, until=UNTIL)
    )
    assert summary.counts["customers"] == customers
    assert summary.counts["orders"] >= (orders or customers)
