"""Received orders' ``discount_codes`` become coupon redemptions (with the shop's amount) and
referral uses, through the Shopify webhook route on the test database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from starlette.testclient import TestClient

from core.models import Coupon, CouponRedemption, Customer, ReferralCode, ReferralUse
from tests.test_ingest_routes import client, fixture, shopify  # noqa: F401 - the client fixture


def test_received_codes_are_redeemed_and_referrals_recorded(
    client: TestClient,  # noqa: F811
    use_database: Engine,
) -> None:
    with Session(use_database) as s:
        jon = Customer(external_id="jon@example.com", email="jon@example.com", tags=[])
        anna = Customer(external_id="anna@example.org", email="anna@example.org", tags=[])
        s.add_all([jon, anna])
        s.flush()
        s.add(
            Coupon(
                code="WELCOME20",
                customer_id=jon.id,
                kind="fixed",
                value=Decimal("25"),
                currency="EUR",
                issued_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
            )
        )
        s.add(ReferralCode(code="ANNA-1", customer_id=anna.id))
        s.commit()
    assert shopify(client, "orders/create", fixture("shopify_order.json"), "w-1").status_code == 200
    friend = fixture("shopify_order.json")
    friend.update(
        name="#10000",
        id=1,
        email="kim@example.net",
        discount_codes=[{"code": "anna-1", "amount": "10.00", "type": "fixed_amount"}],
    )
    friend["customer"]["email"] = "kim@example.net"
    assert shopify(client, "orders/create", friend, "w-2").status_code == 200
    with Session(use_database) as s:
        use = s.scalars(select(CouponRedemption)).one()
        assert (use.value, use.currency, use.source, use.flag) == (
            Decimal("20.00"),  # the amount the shop took off, not the coupon's 25
            "EUR",
            "shopify",
            None,
        )
        referral = s.scalars(select(ReferralUse)).one()
        assert (referral.status, referral.reason) == ("accepted", None)
