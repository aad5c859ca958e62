"""Referral uses: which orders came through a referral code, which were refused and why, and
the advocate's reward.

An order whose discount code field names a referral code becomes one ``ReferralUse`` (one per
order). The friend's discount counts only on the friend's first order; the use is refused, with
its reason recorded, when it is:

- ``self_referral_customer``: placed by the advocate;
- ``self_referral_email``: by a customer whose email is the advocate's after normalisation
  (case, ``+tags``, and dots for providers that ignore them such as Gmail; see
  :func:`normalize_email`);
- ``self_referral_address``: shipped to an address the advocate's orders were shipped to;
- ``repeat_use``: the friend already had a referral accepted (any code);
- ``friend_already_ordered``: the friend had an earlier order that was not cancelled.

An accepted use keeps the friend's discount (the order's discount amount). The advocate's
reward coupon (the code's ``reward_value``, else the ``referral_reward_amount`` setting, fixed,
in the store currency) is issued by :func:`settle_rewards` once the order is paid and
``referral_reward_days`` have passed since payment without a refund or cancellation; a refunded
or cancelled order ends as ``not_rewarded`` with reason ``refunded``/``cancelled``. A use is
``flagged`` when its code had ``referral_flag_uses`` or more uses in the 7 days before it.

Entry points: ``match_orders(session, order_ids=None, now=None)`` (imports and the live ingest
call it after writing orders; idempotent), ``settle_rewards(session, now)`` (the worker calls it
every cycle), ``record_live_order(session, order, codes, now=None)`` for a received order's
``discount_codes``. Two workers never reward the same use: ``settle_rewards`` locks the rows
it decides (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite writers are serialised).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.coupons import split_codes
from core.models import Coupon, Customer, Order, ReferralCode, ReferralUse

FLAG_WINDOW = dt.timedelta(days=7)
REWARD_EXPIRY = dt.timedelta(days=90)
DOTLESS_PROVIDERS = frozenset({"gmail.com", "googlemail.com"})
_NON_ALNUM = re.compile(r"[\W_]+")


@dataclass
class ReferralSummary:
    accepted: int = 0
    refused: int = 0
    flagged: int = 0


@dataclass
class SettleSummary:
    rewarded: int = 0
    not_rewarded: int = 0


def normalize_email(email: str | None) -> str | None:
    """``Ann.A+promo@GoogleMail.com`` -> ``anna@gmail.com``: lower case, the ``+tag`` dropped,
    dots dropped where the provider ignores them."""
    if not email or "@" not in email:
        return None
    local, domain = email.strip().lower().rsplit("@", 1)
    local = local.split("+", 1)[0]
    if domain in DOTLESS_PROVIDERS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def address_key(order: Order) -> str | None:
    """The shipping address as letters and digits only, with its postcode and country."""
    if not order.shipping_address:
        return None
    street = _NON_ALNUM.sub("", order.shipping_address.casefold())
    postcode = _NON_ALNUM.sub("", (order.shipping_postcode or "").casefold())
    return f"{street}|{postcode}|{(order.shipping_country or '').upper()}" if street else None


def _valid(order: Order) -> bool:
    return order.status != "cancelled" and order.cancelled_at is None


def _refusal(session: Session, code: ReferralCode, order: Order) -> str | None:
    advocate = session.get(Customer, code.customer_id)
    friend = session.get(Customer, order.customer_id)
    if advocate is None or friend is None or advocate.id == friend.id:
        return "self_referral_customer"
    mine = normalize_email(advocate.email)
    if mine is not None and mine == normalize_email(friend.email):
        return "self_referral_email"
    key = address_key(order)
    if key is not None:
        advocate_orders = session.scalars(select(Order).where(Order.customer_id == advocate.id))
        if any(address_key(o) == key for o in advocate_orders):
            return "self_referral_address"
    earlier_use = session.scalar(
        select(ReferralUse.id).where(
            ReferralUse.friend_customer_id == friend.id,
            ReferralUse.status.in_(("accepted", "rewarded", "not_rewarded")),
        )
    )
    if earlier_use is not None:
        return "repeat_use"
    earlier = session.scalars(
        select(Order).where(
            Order.customer_id == friend.id,
            Order.id != order.id,
            Order.placed_at <= order.placed_at,
        )
    ).all()
    if any(_valid(o) and (o.placed_at, o.id) < (order.placed_at, order.id) for o in earlier):
        return "friend_already_ordered"
    return None


def _flagged(session: Session, code: ReferralCode, at: dt.datetime, threshold: int) -> bool:
    recent = session.scalar(
        select(func.count()).where(
            ReferralUse.referral_code_id == code.id,
            ReferralUse.used_at >= at - FLAG_WINDOW,
            ReferralUse.used_at <= at,
        )
    )
    return int(recent or 0) >= threshold


def _record(
    session: Session, code: ReferralCode, order: Order, now: dt.datetime, threshold: int
) -> ReferralUse:
    reason = _refusal(session, code, order)
    use = ReferralUse(
        referral_code_id=code.id,
        order_id=order.id,
        friend_customer_id=order.customer_id,
        status="refused" if reason else "accepted",
        reason=reason,
        friend_discount=None if reason else Decimal(order.discount_amount or 0),
        currency=None if reason else order.currency,
        flagged=_flagged(session, code, order.placed_at, threshold),
        used_at=order.placed_at,
        decided_at=now,
        is_demo=order.is_demo,
    )
    session.add(use)
    session.flush()
    if not reason:
        code.uses = (code.uses or 0) + 1
    return use


def _codes_by_text(session: Session, texts: Iterable[str]) -> dict[str, ReferralCode]:
    wanted = sorted(set(texts))
    found: dict[str, ReferralCode] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stmt = select(ReferralCode).where(func.upper(ReferralCode.code).in_(chunk))
        found.update({c.code.upper(): c for c in session.scalars(stmt)})
    return found


def match_orders(
    session: Session, order_ids: Iterable[int] | None = None, now: dt.datetime | None = None
) -> ReferralSummary:
    """Record a use for every order with a referral code that has none (module docstring)."""
    now = now or dt.datetime.now(dt.UTC)
    stmt = select(Order.id, Order.discount_code).where(
        Order.discount_code.is_not(None),
        Order.discount_code != "",
        Order.id.not_in(select(ReferralUse.order_id)),
    )
    ids = None if order_ids is None else list(order_ids)
    if ids is not None:
        stmt = stmt.where(Order.id.in_(ids))
    fields = {int(i): split_codes(text) for i, text in session.execute(stmt)}
    by_text = _codes_by_text(session, {c for codes in fields.values() for c in codes})
    summary = ReferralSummary()
    wanted = [i for i, codes in fields.items() if by_text.keys() & set(codes)]
    if not wanted:
        return summary
    threshold = store_settings.load(session).referral_flag_uses
    orders = session.scalars(
        select(Order).where(Order.id.in_(wanted)).order_by(Order.placed_at, Order.id)
    ).all()
    for order in orders:
        code = next(by_text[c] for c in fields[order.id] if c in by_text)
        use = _record(session, code, order, now, threshold)
        summary.accepted += use.status == "accepted"
        summary.refused += use.status == "refused"
        summary.flagged += use.flagged
    return summary


def record_live_order(
    session: Session, order: Order, codes: Sequence[str], now: dt.datetime | None = None
) -> ReferralUse | None:
    """For the live ingest: ``codes`` are the received ``discount_codes``' codes of an order
    already written (flushed). Records its referral use, if a code is a referral code."""
    by_text = _codes_by_text(session, (c.strip().upper() for c in codes if c.strip()))
    exists = session.scalar(select(ReferralUse.id).where(ReferralUse.order_id == order.id))
    if not by_text or exists is not None:
        return None
    code = next(by_text[c.strip().upper()] for c in codes if c.strip().upper() in by_text)
    threshold = store_settings.load(session).referral_flag_uses
    return _record(session, code, order, now or dt.datetime.now(dt.UTC), threshold)


def _reward_code(session: Session) -> str:
    while True:
        code = f"REWARD-{secrets.token_hex(4).upper()}"
        if session.scalar(select(Coupon.id).where(Coupon.code == code)) is None:
            return code


def _reward(session: Session, use: ReferralUse, now: dt.datetime) -> Coupon:
    code = session.get(ReferralCode, use.referral_code_id)
    assert code is not None  # the foreign key cascades
    st = store_settings.load(session)
    value = code.reward_value if code.reward_value else Decimal(st.referral_reward_amount)
    coupon = Coupon(
        code=_reward_code(session),
        customer_id=code.customer_id,
        workflow_id=code.workflow_id,
        kind="fixed",
        value=value,
        currency=code.reward_currency or st.currency,
        issued_at=now,
        expires_at=now + REWARD_EXPIRY,
        cost=value,
        note=f"referral reward: {code.code}, order {use.order_id}",
        is_demo=use.is_demo,
    )
    session.add(coupon)
    session.flush()
    return coupon


def _refunded_in_window(order: Order, days: dt.timedelta) -> bool:
    if order.refunded_at is None and not (order.refunded_amount or 0) > 0:
        return False
    if order.paid_at is None or order.refunded_at is None:
        return True
    return order.refunded_at <= order.paid_at + days


def settle_rewards(session: Session, now: dt.datetime | None = None) -> SettleSummary:
    """Reward or close every accepted use whose order is decided (module docstring)."""
    now = now or dt.datetime.now(dt.UTC)
    days = dt.timedelta(days=store_settings.load(session).referral_reward_days)
    summary = SettleSummary()
    rows = session.execute(
        select(ReferralUse, Order)
        .join(Order, Order.id == ReferralUse.order_id)
        .where(ReferralUse.status == "accepted")
        .with_for_update(of=ReferralUse, skip_locked=True)
    ).all()
    for use, order in rows:
        if not _valid(order):
            use.status, use.reason = "not_rewarded", "cancelled"
        elif _refunded_in_window(order, days):
            use.status, use.reason = "not_rewarded", "refunded"
        elif order.paid_at is not None and order.paid_at + days <= now:
            use.reward_coupon_id = _reward(session, use, now).id
            use.status = "rewarded"
        else:
            continue
        use.decided_at = now
        summary.rewarded += use.status == "rewarded"
        summary.not_rewarded += use.status == "not_rewarded"
    session.flush()
    return summary
