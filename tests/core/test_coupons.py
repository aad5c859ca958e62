"""Coupon redemptions: matching imported and received orders, single use, expiry, another
customer, and the coupon cost of a workflow from its redemptions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import coupons, importers
from core.auth import Actor
from core.coupons import DiscountUse
from core.metrics import workflows as wf_metrics
from core.metrics.types import Period
from core.models import Coupon, CouponRedemption, Customer, Order, Workflow
from core.settings import load, update_settings
from tests.core.messaging.conftest import BASE, add_customer, add_order
from tests.core.shop import order_at

ISSUED = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def _workflow(session: Session, name: str = "Thank you") -> Workflow:
    workflow = Workflow(name=name, draft={})
    session.add(workflow)
    session.flush()
    return workflow


def _coupon(
    session: Session,
    code: str,
    customer: Customer | None,
    workflow: Workflow | None = None,
    *,
    kind: str = "percent",
    value: str = "10",
    expires: dt.datetime | None = dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
) -> Coupon:
    coupon = Coupon(
        code=code,
        customer_id=customer.id if customer else None,
        workflow_id=workflow.id if workflow else None,
        kind=kind,
        value=Decimal(value),
        currency="EUR",
        issued_at=ISSUED,
        expires_at=expires,
    )
    session.add(coupon)
    session.flush()
    return coupon


def _uses(session: Session) -> list[tuple[str, str | None, Decimal, str | None]]:
    rows = session.execute(
        select(Order.number, CouponRedemption.flag, CouponRedemption.value, Coupon.code)
        .join(Order, Order.id == CouponRedemption.order_id)
        .join(Coupon, Coupon.id == CouponRedemption.coupon_id)
        .order_by(Order.placed_at, Order.id)
    )
    return [(n, f, v, c) for n, f, v, c in rows]


def test_native_import_matches_the_discount_code_column(session: Session) -> None:
    anna = add_customer(session, "anna", "de_DE", external_id="C1")
    coupon = _coupon(session, "THANKS-7F3K", anna, _workflow(session))
    session.commit()
    data = (
        b"order_id,customer_id,placed_at,total,currency,discount_code,discount_amount\n"
        b"A-1,C1,2025-03-12T10:00:00+00:00,90.00,EUR,thanks-7f3k,10.00\n"
        b"A-2,C1,2025-03-13T10:00:00+00:00,50.00,EUR,,\n"
    )
    importers.import_csv(session, Actor.cli(), data)
    session.commit()
    assert _uses(session) == [("A-1", None, Decimal("10.00"), "THANKS-7F3K")]
    session.refresh(coupon)
    assert coupon.redeemed_at == dt.datetime(2025, 3, 12, 10, tzinfo=dt.UTC)
    assert coupon.redeemed_order_id == session.scalar(
        select(Order.id).where(Order.external_id == "A-1")
    )
    importers.import_csv(session, Actor.cli(), data)  # the same file again: no second row
    session.commit()
    assert len(_uses(session)) == 1


def test_shopify_import_matches_the_discount_code_column(session: Session) -> None:
    ben = add_customer(session, "ben", "en_IE", external_id="ben@example.org")
    _coupon(session, "WINBACK-AB12", ben, _workflow(session), kind="fixed", value="15")
    session.commit()
    header = (
        "Name,Email,Financial Status,Paid at,Currency,Subtotal,Shipping,Total,Discount Code,"
        "Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name\n"
    )
    rows = (
        "#1001,ben@example.org,paid,2025-03-15 10:00:00 +0100,EUR,100.00,5.00,90.00,"
        "WINBACK-AB12,15.00,2025-03-15 10:00:00 +0100,1,Shoe,100.00,Ben Byrne\n"
    )
    importers.import_csv(session, Actor.cli(), (header + rows).encode(), fmt="shopify")
    session.commit()
    assert _uses(session) == [("#1001", None, Decimal("15.00"), "WINBACK-AB12")]


def test_single_use_expiry_and_another_customer_are_flagged(session: Session) -> None:
    anna = add_customer(session, "anna", "de_DE")
    ben = add_customer(session, "ben", "en_IE")
    _coupon(session, "THANKS-1", anna)
    day = dt.timedelta(days=1)
    order_at(session, anna, "1", BASE, discount_code="THANKS-1")
    order_at(session, anna, "2", BASE + day, discount_code="THANKS-1")
    order_at(session, ben, "3", BASE + 2 * day, discount_code="THANKS-1")
    order_at(session, anna, "4", BASE + 30 * day, discount_code="THANKS-1")
    summary = coupons.match_orders(session)
    session.commit()
    assert (summary.redemptions, summary.flagged) == (4, 3)
    assert [(n, f) for n, f, _, _ in _uses(session)] == [
        ("1", None),
        ("2", "repeat_use"),
        ("3", "other_customer"),
        ("4", "expired"),
    ]
    # the percentage of the subtotal when the order reports no discount
    assert _uses(session)[0][2] == Decimal("123.46")


def test_an_earlier_order_arriving_later_becomes_the_valid_use(session: Session) -> None:
    anna = add_customer(session, "anna", "de_DE")
    coupon = _coupon(session, "THANKS-2", anna)
    later = order_at(session, anna, "L", BASE, discount_code="THANKS-2")
    coupons.match_orders(session)
    earlier = order_at(session, anna, "E", BASE - dt.timedelta(hours=2), discount_code="THANKS-2")
    coupons.match_orders(session, [earlier.id])
    session.commit()
    assert [(n, f) for n, f, _, _ in _uses(session)] == [("E", None), ("L", "repeat_use")]
    assert coupon.redeemed_order_id == earlier.id and later.id != earlier.id


def test_received_discount_codes_are_recorded_with_their_amount(session: Session) -> None:
    anna = add_customer(session, "anna", "de_DE")
    _coupon(session, "THANKS-3", anna, kind="fixed", value="20")
    order = add_order(session, anna, "W1")
    uses = [DiscountUse("thanks-3", Decimal("18.50")), DiscountUse("SUMMER10", Decimal("5"))]
    recorded = coupons.record_order_codes(session, order, uses)
    again = coupons.record_order_codes(session, order, uses)
    session.commit()
    assert [(r.value, r.source, r.flag) for r in recorded] == [(Decimal("18.50"), "live", None)]
    assert again == []


def test_cost_per_workflow_is_the_value_of_its_redeemed_coupons(
    session: Session, engine: Engine
) -> None:
    update_settings(session, Actor.cli(), {"rate.PLN": "0.25"})
    thanks, winback = _workflow(session, "Thanks"), _workflow(session, "Win-back")
    anna = add_customer(session, "anna", "de_DE")
    piotr = add_customer(session, "piotr", "pl_PL")
    _coupon(session, "T-1", anna, thanks)
    _coupon(session, "T-2", piotr, thanks)
    _coupon(session, "W-1", anna, winback, kind="fixed", value="7")
    _coupon(session, "T-UNUSED", anna, thanks)  # issued, never used: costs nothing
    add_order(session, anna, "1", discount_code="T-1", discount_amount=Decimal("12.00"))
    add_order(
        session, piotr, "2", currency="PLN", discount_code="T-2", discount_amount=Decimal("40")
    )
    add_order(session, anna, "3", discount_code="W-1")
    coupons.match_orders(session)
    session.commit()
    lo = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    hi = dt.datetime(2025, 4, 1, tzinfo=dt.UTC)
    costs = coupons.redeemed_value_by_workflow(session, lo, hi, load(session))
    assert costs == {thanks.id: Decimal("22.00"), winback.id: Decimal("7.00")}
    period = Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    report = wf_metrics.report(engine, thanks.id, period)
    assert report.funnel["coupon_cost"] == 22.0
