"""A small shop with coupons, referral uses and reviews for the report and page tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from core import coupons, referral_program
from core.models import Coupon, ReferralCode, Review, Shipment, Workflow
from tests.core.messaging.conftest import BASE, add_customer
from tests.core.shop import order_at

DAY = dt.timedelta(days=1)


def _review(session: Session, order_id: int, customer_id: int, rating: int, comment: str) -> None:
    at = BASE + 5 * DAY
    session.add(
        Review(
            order_id=order_id,
            customer_id=customer_id,
            rating=rating,
            comment=comment,
            submitted_at=at,
            submitted_date=at.date(),
            source="link",
        )
    )


def seed(session: Session) -> dict[str, int]:
    """Anna (advocate), Ben (friend, converted, paid long ago), Anna's own use (refused), a
    coupon used twice (second flagged), and two reviews: 5 stars on time, 1 star late."""
    thanks = Workflow(name="Thank you", draft={})
    session.add(thanks)
    session.flush()
    anna = add_customer(session, "anna", "de_DE")
    ben = add_customer(session, "ben", "en_IE")
    session.add(ReferralCode(code="ANNA-1", customer_id=anna.id, reward_value=Decimal("15")))
    session.add(
        Coupon(
            code="THANKS-1",
            customer_id=anna.id,
            workflow_id=thanks.id,
            kind="fixed",
            value=Decimal("10"),
            currency="EUR",
            issued_at=BASE - DAY,
            expires_at=BASE + 60 * DAY,
        )
    )
    first = order_at(
        session,
        anna,
        "1",
        BASE,
        discount_code="THANKS-1",
        delivery_option="express",
        promised_delivery_at=BASE + 2 * DAY,
    )
    first.shipments.append(Shipment(delivered_at=BASE + DAY))
    order_at(session, anna, "2", BASE + DAY, discount_code="THANKS-1,ANNA-1")
    friend = order_at(
        session,
        ben,
        "3",
        BASE + 2 * DAY,
        discount_code="ANNA-1",
        paid_at=BASE + 2 * DAY,
        delivery_option="standard",
        promised_delivery_at=BASE + 3 * DAY,
        discount_amount=Decimal("10.00"),
    )
    friend.shipments.append(Shipment(delivered_at=BASE + 6 * DAY))
    session.flush()
    coupons.match_orders(session)
    referral_program.match_orders(session)
    referral_program.settle_rewards(session, BASE + 30 * DAY)
    _review(session, first.id, anna.id, 5, "Fast and friendly")
    _review(session, friend.id, ben.id, 1, "Arrived three days late")
    session.commit()
    return {"workflow": thanks.id, "late_order": friend.id}
