"""The Coupons, Referrals and Reviews pages' figures, and the notify-merchant action."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import coupon_reports, referral_reports, reviews_inbox
from core.auth import Actor, Role
from core.errors import PermissionDenied
from core.models import Message, Review
from core.settings import load
from tests.core.post_purchase_seed import seed


def test_coupon_summary_counts_uses_flags_and_value(session: Session) -> None:
    seed(session)
    summary = coupon_reports.workflow_summary(session, load(session))
    assert summary.to_dict("records") == [
        {
            "workflow": "Thank you",
            "issued": 1,
            "redeemed": 2,
            "flagged": 1,
            "in_shop": 0,
            "value_of_redeemed_coupons": Decimal("20.00"),
        },
        {
            "workflow": coupon_reports.NO_WORKFLOW,  # the referral reward
            "issued": 1,
            "redeemed": 0,
            "flagged": 0,
            "in_shop": 0,
            "value_of_redeemed_coupons": Decimal("0.00"),
        },
    ]
    flagged = coupon_reports.uses(session, flagged_only=True)
    assert list(flagged[["code", "order", "flag"]].itertuples(index=False)) == [
        ("THANKS-1", "2", "repeat_use")
    ]


def test_referral_codes_conversions_refusals_and_referred_revenue(session: Session) -> None:
    seed(session)
    codes = referral_reports.codes(session, load(session))
    row = codes.iloc[0].to_dict()
    assert {k: row[k] for k in ("code", "uses", "conversions", "rewards", "refusals")} == {
        "code": "ANNA-1",
        "uses": 2,
        "conversions": 1,
        "rewards": 1,
        "refusals": 1,
    }
    assert row["revenue_from_referred"] == Decimal("1239.46")  # Ben's order total
    totals = referral_reports.totals(codes, session)
    assert totals.refusals == {"self_referral_customer": 1}
    uses = referral_reports.uses(session)
    assert list(uses["status"]) == ["rewarded", "refused"]
    assert uses.iloc[0]["reward_coupon"].startswith("REWARD-")


def test_inbox_filters_and_flags_low_ratings(session: Session) -> None:
    seed(session)
    everything = reviews_inbox.inbox(session)
    assert list(everything["rating"]) == [1, 5] or list(everything["rating"]) == [5, 1]
    late = reviews_inbox.inbox(session, reviews_inbox.InboxFilter(punctuality="late"))
    assert list(late["rating"]) == [1] and bool(late.iloc[0]["needs_reply"])
    on_time = reviews_inbox.inbox(session, reviews_inbox.InboxFilter(punctuality="on_time"))
    assert list(on_time[["rating", "delivery_option", "needs_reply"]].itertuples(index=False)) == [
        (5, "express", False)
    ]
    assert reviews_inbox.inbox(session, reviews_inbox.InboxFilter(ratings=(2, 3))).empty
    by_product = reviews_inbox.inbox(session, reviews_inbox.InboxFilter(product="Trail shoe"))
    assert len(by_product) == 2
    assert reviews_inbox.options(session) == (["Trail shoe"], ["express", "standard"])


def test_notify_merchant_queues_one_email_per_low_review(session: Session) -> None:
    seed(session)
    waiting = reviews_inbox.inbox(session, reviews_inbox.InboxFilter(needs_reply_only=True))
    ids = [int(i) for i in waiting["review_id"]]
    with pytest.raises(PermissionDenied):
        reviews_inbox.notify_merchant(session, Actor("a@example.org", Role.ANALYST), ids)
    assert reviews_inbox.notify_merchant(session, Actor.cli(), ids) == 1
    assert reviews_inbox.notify_merchant(session, Actor.cli(), ids) == 0  # once
    session.commit()
    message = session.scalars(select(Message)).one()
    assert (message.to_address, message.state) == ("shop@example.com", "queued")
    assert "1/5" in (message.subject or "") and "Arrived three days late" in (message.text or "")
    assert session.scalar(select(Review.merchant_notified_at).where(Review.rating == 1))
    assert reviews_inbox.inbox(session, reviews_inbox.InboxFilter(needs_reply_only=True)).empty
