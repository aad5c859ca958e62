"""core.orderstate: one function moves an order's state from its events, and the bulk paths
(imports, the demo) give the same state as applying the events one by one."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import numpy as np
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import demo, importers, orderstate
from core.auth import Actor
from core.errors import ValidationError
from core.models import Customer, Order, OrderEvent, Shipment

UTC = dt.UTC
T0 = dt.datetime(2025, 3, 3, 9, tzinfo=UTC)


def _order(session: Session, ref: str = "O-1", total: str = "30.00") -> Order:
    customer = session.scalar(select(Customer).where(Customer.external_id == "C-1"))
    if customer is None:
        customer = Customer(external_id="C-1", email="ana@example.com")
        session.add(customer)
        session.flush()
    order = Order(
        external_id=ref, customer_id=customer.id, placed_at=T0, placed_date=T0.date(),
        placed_month="2025-03", currency="EUR", total=Decimal(total),
    )  # fmt: skip
    session.add(order)
    session.flush()
    return order


def _apply(session: Session, order: Order, kind: str, hours: int, **kw: object):  # type: ignore[no-untyped-def]
    at = T0 + dt.timedelta(hours=hours)
    return orderstate.apply_event(session, order, kind, at, source="cli", **kw)  # type: ignore[arg-type]


def _types(session: Session, order: Order) -> list[tuple[str, str]]:
    rows = session.execute(
        select(OrderEvent.type, OrderEvent.ref)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.id)
    )
    return [(t, r) for t, r in rows]


def test_status_follows_the_precedence(session: Session) -> None:
    order = _order(session)
    assert _apply(session, order, "placed", 0).created and order.status == "open"
    _apply(session, order, "paid", 1)
    assert (order.status, order.paid_at) == ("paid", T0 + dt.timedelta(hours=1))
    _apply(session, order, "shipped", 2)
    assert order.status == "fulfilled"
    _apply(session, order, "delivered", 30)
    assert order.status == "delivered"
    _apply(session, order, "refunded", 40, ref="r1", amount=Decimal("10"))
    assert order.status == "delivered"  # a partial refund leaves the order delivered
    _apply(session, order, "cancelled", 50)
    assert order.status == "cancelled" and order.cancelled_at == T0 + dt.timedelta(hours=50)
    session.commit()
    assert session.get_one(Order, order.id).status == "cancelled"


def test_cancel_and_full_refund_change_the_order(session: Session) -> None:
    cancelled, refunded = _order(session, "O-1"), _order(session, "O-2")
    _apply(session, cancelled, "cancelled", 3)
    applied = _apply(session, refunded, "refunded", 4)
    session.commit()
    assert (cancelled.status, cancelled.cancelled_at) == ("cancelled", T0 + dt.timedelta(hours=3))
    assert refunded.status == "refunded" and refunded.refunded_amount == Decimal("30.00")
    assert refunded.refunded_at == T0 + dt.timedelta(hours=4)
    assert applied.event.payload == {"amount": "30.00", "full": True}


def test_partial_refunds_add_up_under_their_own_refs(session: Session) -> None:
    order = _order(session)
    _apply(session, order, "delivered", 1)
    assert _apply(session, order, "refunded", 2, ref="R-1", amount=Decimal("10")).created
    again = _apply(session, order, "refunded", 3, ref="R-1", amount=Decimal("10"))
    assert not again.created and order.refunded_amount == Decimal("10.00")
    assert _apply(session, order, "refunded", 5, ref="R-2", amount=Decimal("5.5")).created
    assert order.refunded_amount == Decimal("15.50") and order.status == "delivered"
    assert order.refunded_at == T0 + dt.timedelta(hours=5)
    with pytest.raises(ValidationError, match=r"more than the 14\.50 left"):
        _apply(session, order, "refunded", 6, ref="R-3", amount=Decimal("20"))
    _apply(session, order, "refunded", 7, ref="R-3")  # the rest
    session.commit()
    assert (order.refunded_amount, order.status) == (Decimal("30.00"), "refunded")
    assert [r for t, r in _types(session, order) if t == "refunded"] == ["R-1", "R-2", "R-3"]


def test_delivered_creates_the_shipment_and_a_second_parcel_is_kept(session: Session) -> None:
    order = _order(session)
    _apply(session, order, "delivered", 26)
    session.commit()
    (shipment,) = session.scalars(select(Shipment).where(Shipment.order_id == order.id))
    assert shipment.delivered_at == T0 + dt.timedelta(hours=26)
    assert order.status == "delivered"
    _apply(session, order, "shipped", 30, ref="TRK-2", payload={"carrier": "DHL"})
    # a second parcel on its way: the order is no longer fully delivered
    assert order.status == "fulfilled"
    _apply(session, order, "delivered", 50, ref="TRK-2")
    session.commit()
    parcels = session.scalars(
        select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.id)
    ).all()
    assert [(s.tracking_number, s.carrier) for s in parcels] == [(None, None), ("TRK-2", "DHL")]
    assert parcels[1].delivered_at == T0 + dt.timedelta(hours=50)
    assert order.status == "delivered"
    assert ("delivered", "") in _types(session, order)
    assert ("delivered", "TRK-2") in _types(session, order)


def test_a_repeated_event_changes_nothing_and_says_when_it_was_recorded(session: Session) -> None:
    order = _order(session)
    first_recorded = T0 + dt.timedelta(days=1)
    _apply(session, order, "cancelled", 1, recorded_at=first_recorded)
    again = _apply(session, order, "cancelled", 9)
    assert not again.created and again.recorded_at == first_recorded
    assert order.cancelled_at == T0 + dt.timedelta(hours=1)
    assert _types(session, order) == [("cancelled", "")]


def test_bad_events_write_nothing(session: Session) -> None:
    order = _order(session)
    with pytest.raises(ValidationError, match="takes no reference"):
        _apply(session, order, "paid", 1, ref="x")
    with pytest.raises(ValidationError, match="Only a refund"):
        _apply(session, order, "paid", 1, amount=Decimal("1"))
    with pytest.raises(ValidationError, match="Unknown event type"):
        _apply(session, order, "exploded", 1)
    assert _types(session, order) == [] and order.status == "open"


def test_scalar_and_column_rules_agree() -> None:
    floors: list[str | None] = [None, "open", "paid", "fulfilled", "delivered", "refunded"]
    cases = list(itertools.product([False, True], repeat=5))
    for floor in floors:
        got = orderstate.statuses(
            cancelled=np.array([c[0] for c in cases]),
            fully_refunded=np.array([c[1] for c in cases]),
            delivered=np.array([c[2] for c in cases]),
            shipped=np.array([c[3] for c in cases]),
            paid=np.array([c[4] for c in cases]),
            floor=np.array([floor] * len(cases), dtype=object),
        )
        want = [
            orderstate.order_status(
                cancelled=c[0],
                fully_refunded=c[1],
                delivered=c[2],
                shipped=c[3],
                paid=c[4],
                floor=floor,
            )
            for c in cases
        ]
        assert list(got) == want


FULL = """order_id,customer_id,placed_at,total,currency,status,paid_at,shipped_at,delivered_at,cancelled_at,refunded_amount
{p}1,C-1,2025-03-01 10:00,40.00,EUR,,2025-03-01 10:05,2025-03-02 08:00,2025-03-03 12:00,,
{p}2,C-1,2025-03-01 11:00,40.00,EUR,,2025-03-01 11:05,2025-03-02 08:00,,,
{p}3,C-2,2025-03-01 12:00,40.00,EUR,,2025-03-01 12:05,,,2025-03-01 13:00,
{p}4,C-2,2025-03-01 13:00,40.00,EUR,refunded,2025-03-01 13:05,2025-03-02 09:00,2025-03-03 09:00,,
{p}5,C-3,2025-03-01 14:00,40.00,EUR,,2025-03-01 14:05,2025-03-02 09:00,2025-03-03 10:00,,12.50
{p}6,C-3,2025-03-01 15:00,40.00,EUR,,2025-03-01 15:05,,,,
{p}7,C-3,2025-03-01 16:00,40.00,EUR,,,,,,
"""
PLACED = """order_id,customer_id,placed_at,total,currency
{p}1,C-1,2025-03-01 10:00,40.00,EUR
{p}2,C-1,2025-03-01 11:00,40.00,EUR
{p}3,C-2,2025-03-01 12:00,40.00,EUR
{p}4,C-2,2025-03-01 13:00,40.00,EUR
{p}5,C-3,2025-03-01 14:00,40.00,EUR
{p}6,C-3,2025-03-01 15:00,40.00,EUR
{p}7,C-3,2025-03-01 16:00,40.00,EUR
"""


def _state(session: Session, order: Order) -> tuple[object, ...]:
    shipments = session.scalars(select(Shipment).where(Shipment.order_id == order.id)).all()
    logged = session.scalars(select(OrderEvent).where(OrderEvent.order_id == order.id)).all()
    return (
        order.status,
        order.paid_at,
        order.cancelled_at,
        order.refunded_at,
        order.refunded_amount,
        tuple(sorted((s.shipped_at or T0, s.delivered_at or T0) for s in shipments)),
        tuple(sorted((e.type, e.ref, e.occurred_at) for e in logged)),
    )


def _import(session: Session, text: str) -> None:
    importers.import_csv(session, Actor.cli(), text.encode(), kind="orders")
    session.commit()


def test_imports_give_the_state_that_applying_the_events_gives(session: Session) -> None:
    """Three paths to the same orders: a new import (bulk), an import updating known orders
    (bulk recompute from stored values), and the import's events applied one by one."""
    _import(session, FULL.format(p="N-"))
    _import(session, PLACED.format(p="U-"))
    _import(session, FULL.format(p="U-"))
    _import(session, PLACED.format(p="E-"))
    orders = {o.external_id: o for o in session.scalars(select(Order))}
    amounts = {"4": None, "5": Decimal("12.50")}
    for n in "1234567":
        template = orders[f"N-{n}"]
        twin = orders[f"E-{n}"]
        logged = session.scalars(
            select(OrderEvent)
            .where(OrderEvent.order_id == template.id, OrderEvent.type != "placed")
            .order_by(OrderEvent.occurred_at)
        ).all()
        for event in logged:
            amount = amounts[n] if event.type == "refunded" else None
            orderstate.apply_event(
                session, twin, event.type, event.occurred_at, source="import", amount=amount
            )
    session.commit()
    seen = set()
    for n in "1234567":
        states = {_state(session, orders[f"{p}-{n}"]) for p in "NUE"}
        assert len(states) == 1, (n, states)
        seen.add(orders[f"N-{n}"].status)
    assert seen == {"delivered", "fulfilled", "cancelled", "refunded", "paid", "open"}


def test_reimport_keeps_a_cancellation_raised_by_event(session: Session) -> None:
    _import(session, PLACED.format(p="A-"))
    order = session.scalars(select(Order).where(Order.external_id == "A-1")).one()
    orderstate.apply_event(session, order, "cancelled", T0, source="cli")
    session.commit()
    _import(session, FULL.format(p="A-"))  # the shop's export still shows it delivered
    session.refresh(order)
    assert (order.status, order.cancelled_at) == ("cancelled", T0)


def test_the_demo_stores_the_state_its_events_give(engine: Engine) -> None:
    demo.load(engine, demo.DemoOptions(customers=120, seed=3, until=dt.date(2025, 6, 30)))
    with Session(engine) as s:
        orders = s.scalars(select(Order)).unique().all()
        stored = {o.id: o.status for o in orders}
        assert {"cancelled", "refunded", "delivered"} <= set(stored.values())
        for order in orders:
            order.status = "open"
            orderstate.refresh_status(order)
        assert {o.id: o.status for o in orders} == stored
        s.rollback()
