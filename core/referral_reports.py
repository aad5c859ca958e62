"""What the Referrals page shows: per code its uses, conversions, rewards, refusals and flags,
and the revenue from referred customers; the list of uses with their status and reason.

A conversion is a use that was not refused (the friend's first order). Revenue from referred
customers is, per code, the net revenue (total - refunds, store currency, cancelled and test
orders excluded) of every order its converted friends placed from their referred order on.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from core.models import Coupon, Customer, Order, ReferralCode, ReferralUse
from core.settings import StoreSettings

CODE_COLUMNS = [
    "code",
    "advocate",
    "uses",
    "conversions",
    "rewards",
    "refusals",
    "flagged",
    "revenue_from_referred",
]
USE_COLUMNS = [
    "used_at",
    "code",
    "order",
    "friend",
    "status",
    "reason",
    "flagged",
    "friend_discount",
    "reward_coupon",
]


@dataclass
class ReferralTotals:
    codes: int = 0
    conversions: int = 0
    rewards: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    flagged: int = 0
    revenue_from_referred: Decimal = Decimal(0)


def _revenue(session: Session, settings: StoreSettings) -> dict[int, Decimal]:
    """Per code id: net revenue of its converted friends' orders since their referral."""
    firsts = session.execute(
        select(
            ReferralUse.referral_code_id, ReferralUse.friend_customer_id, ReferralUse.used_at
        ).where(ReferralUse.status != "refused")
    ).all()
    if not firsts:
        return {}
    since = {friend: (code, at) for code, friend, at in firsts}
    out: dict[int, Decimal] = {}
    friends = list(since)
    for start in range(0, len(friends), 500):
        chunk = friends[start : start + 500]
        rows = session.execute(
            select(
                Order.customer_id,
                Order.placed_at,
                Order.total,
                Order.refunded_amount,
                Order.currency,
            ).where(
                Order.customer_id.in_(chunk),
                Order.status != "cancelled",
                Order.cancelled_at.is_(None),
                Order.is_test.is_(False),
            )
        )
        for customer_id, placed_at, total, refunded, currency in rows:
            code, at = since[customer_id]
            if placed_at >= at:
                net = (Decimal(total) - Decimal(refunded or 0)) * settings.rate(currency)
                out[code] = out.get(code, Decimal(0)) + net
    return {k: v.quantize(Decimal("0.01")) for k, v in out.items()}


def codes(session: Session, settings: StoreSettings) -> pd.DataFrame:
    """One row per referral code, the most used first."""
    stats: dict[int, Counter[str]] = {}
    for code_id, status, flagged in session.execute(
        select(ReferralUse.referral_code_id, ReferralUse.status, ReferralUse.flagged)
    ):
        c = stats.setdefault(code_id, Counter())
        c["uses"] += 1
        c["conversions"] += status != "refused"
        c["rewards"] += status == "rewarded"
        c["refusals"] += status == "refused"
        c["flagged"] += bool(flagged)
    revenue = _revenue(session, settings)
    rows = [
        {
            "code": code,
            "advocate": email,
            **{k: int(stats.get(cid, Counter())[k]) for k in CODE_COLUMNS[2:7]},
            "revenue_from_referred": revenue.get(cid, Decimal("0.00")),
        }
        for cid, code, email in session.execute(
            select(ReferralCode.id, ReferralCode.code, Customer.email).join(
                Customer, Customer.id == ReferralCode.customer_id
            )
        )
    ]
    frame = pd.DataFrame(rows, columns=CODE_COLUMNS)
    return frame.sort_values(["uses", "code"], ascending=[False, True]).reset_index(drop=True)


def uses(session: Session, status: str | None = None, limit: int = 1000) -> pd.DataFrame:
    """The latest referral uses, newest first (optionally of one status)."""
    friend = aliased(Customer)
    stmt = (
        select(
            ReferralUse.used_at,
            ReferralCode.code,
            Order.number,
            friend.email,
            ReferralUse.status,
            ReferralUse.reason,
            ReferralUse.flagged,
            ReferralUse.friend_discount,
            Coupon.code,
        )
        .join(ReferralCode, ReferralCode.id == ReferralUse.referral_code_id)
        .join(Order, Order.id == ReferralUse.order_id)
        .join(friend, friend.id == ReferralUse.friend_customer_id)
        .outerjoin(Coupon, Coupon.id == ReferralUse.reward_coupon_id)
        .order_by(ReferralUse.used_at.desc(), ReferralUse.id.desc())
        .limit(limit)
    )
    if status:
        stmt = stmt.where(ReferralUse.status == status)
    return pd.DataFrame.from_records(session.execute(stmt).all(), columns=USE_COLUMNS)


def totals(frame: pd.DataFrame, session: Session) -> ReferralTotals:
    """Headline figures from :func:`codes` and the refusal reasons."""
    reasons = Counter(
        str(r)
        for r in session.scalars(select(ReferralUse.reason).where(ReferralUse.status == "refused"))
    )
    return ReferralTotals(
        codes=len(frame),
        conversions=int(frame["conversions"].sum()) if len(frame) else 0,
        rewards=int(frame["rewards"].sum()) if len(frame) else 0,
        refusals=dict(reasons),
        flagged=int(frame["flagged"].sum()) if len(frame) else 0,
        revenue_from_referred=sum(frame["revenue_from_referred"], Decimal(0)),
    )
