"""Referral uses: every abuse case refused with its reason, frequent codes flagged, and the
advocate's reward only after the friend's first order is paid and not refunded in time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import referral_program as rp
from core.auth import Actor
from core.models import Coupon, Customer, Order, ReferralCode, ReferralUse
from core.settings import update_settings
from tests.core.messaging.conftest import BASE, add_customer
from tests.core.shop import order_at

DAY = dt.timedelta(days=1)


def _advocate(
    session: Session, email: str = "anna.berg@gmail.com"
) -> tuple[Customer, ReferralCode]:
    anna = add_customer(session, "anna", "de_DE", email=email)
    order_at(
        session,
        anna,
        "A0",
        BASE - 30 * DAY,
        shipping_address="Hauptstraße 5",
        shipping_postcode="10115",
        shipping_country="DE",
    )
    code = ReferralCode(
        code="ANNA-K2P9", customer_id=anna.id, reward_value=Decimal("15"), reward_currency="EUR"
    )
    session.add(code)
    session.flush()
    return anna, code


def _use(session: Session, order: Order) -> ReferralUse:
    use = session.scalar(select(ReferralUse).where(ReferralUse.order_id == order.id))
    assert use is not None
    return use


def test_emails_are_normalised_as_providers_read_them() -> None:
    assert rp.normalize_email("Anna.Berg+promo@GoogleMail.com") == "annaberg@gmail.com"
    assert rp.normalize_email("a.b+x@Example.org") == "a.b@example.org"
    assert rp.normalize_email("not an email") is None


def test_every_abuse_case_is_refused_with_its_reason(session: Session) -> None:
    anna, _ = _advocate(session)
    alias = add_customer(session, "alias", "de_DE", email="Anna.Berg+deals@googlemail.com")
    flatmate = add_customer(session, "flat", "de_DE", email="jonas@example.org")
    regular = add_customer(session, "regular", "de_DE", email="rita@example.org")
    order_at(session, regular, "R0", BASE - 10 * DAY)
    friend = add_customer(session, "friend", "fr_FR", email="claire@example.org")
    orders = {
        "own": order_at(session, anna, "1", BASE, discount_code="ANNA-K2P9"),
        "alias": order_at(session, alias, "2", BASE + DAY, discount_code="anna-k2p9"),
        "address": order_at(
            session,
            flatmate,
            "3",
            BASE + 2 * DAY,
            discount_code="ANNA-K2P9",
            shipping_address="  HAUPTSTRASSE 5 ",
            shipping_postcode="10 115",
            shipping_country="DE",
        ),
        "regular": order_at(session, regular, "4", BASE + 3 * DAY, discount_code="ANNA-K2P9"),
        "first": order_at(
            session,
            friend,
            "5",
            BASE + 4 * DAY,
            discount_code="ANNA-K2P9",
            discount_amount=Decimal("10.00"),
        ),
        "again": order_at(session, friend, "6", BASE + 5 * DAY, discount_code="ANNA-K2P9"),
    }
    summary = rp.match_orders(session, now=BASE + 6 * DAY)
    session.commit()
    got = {k: (_use(session, o).status, _use(session, o).reason) for k, o in orders.items()}
    assert got == {
        "own": ("refused", "self_referral_customer"),
        "alias": ("refused", "self_referral_email"),
        "address": ("refused", "self_referral_address"),
        "regular": ("refused", "friend_already_ordered"),
        "first": ("accepted", None),
        "again": ("refused", "repeat_use"),
    }
    first = _use(session, orders["first"])
    assert (first.friend_discount, first.currency) == (Decimal("10.00"), "EUR")
    assert (summary.accepted, summary.refused) == (1, 5)
    assert rp.match_orders(session).accepted == 0  # idempotent: every order has its use


def test_a_code_used_unusually_often_is_flagged(session: Session) -> None:
    update_settings(session, Actor.cli(), {"referral_flag_uses": "3"})
    _advocate(session)
    orders = [
        order_at(
            session,
            add_customer(session, f"f{i}", "de_DE", email=f"f{i}@example.org"),
            f"F{i}",
            BASE + i * dt.timedelta(hours=6),
            discount_code="ANNA-K2P9",
        )
        for i in range(5)
    ]
    rp.match_orders(session)
    session.commit()
    assert [_use(session, o).flagged for o in orders] == [False, False, False, True, True]
    assert all(_use(session, o).status == "accepted" for o in orders)


def test_reward_only_after_the_paid_unrefunded_first_order(session: Session) -> None:
    update_settings(session, Actor.cli(), {"referral_reward_days": "14"})
    anna, code = _advocate(session)
    claire = add_customer(session, "claire", "fr_FR", email="claire@example.org")
    david = add_customer(session, "david", "nl_NL", email="david@example.org")
    paid = order_at(session, claire, "C1", BASE, discount_code="ANNA-K2P9")
    refunded = order_at(session, david, "D1", BASE, discount_code="ANNA-K2P9")
    rp.match_orders(session)
    assert rp.settle_rewards(session, BASE + 30 * DAY).rewarded == 0  # not paid yet
    paid.paid_at = refunded.paid_at = BASE + DAY
    assert rp.settle_rewards(session, BASE + 10 * DAY).rewarded == 0  # inside the window
    refunded.refunded_at, refunded.refunded_amount = BASE + 5 * DAY, Decimal("100")
    summary = rp.settle_rewards(session, BASE + 15 * DAY)
    session.commit()
    assert (summary.rewarded, summary.not_rewarded) == (1, 1)
    assert (_use(session, refunded).status, _use(session, refunded).reason) == (
        "not_rewarded",
        "refunded",
    )
    use = _use(session, paid)
    assert use.status == "rewarded"
    reward = session.get(Coupon, use.reward_coupon_id)
    assert reward is not None
    assert (reward.customer_id, reward.kind, reward.value, reward.currency) == (
        anna.id,
        "fixed",
        Decimal("15"),
        "EUR",
    )
    assert rp.settle_rewards(session, BASE + 40 * DAY).rewarded == 0  # once
    assert session.scalar(select(ReferralCode.uses).where(ReferralCode.id == code.id)) == 2
