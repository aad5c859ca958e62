"""Coupon redemptions: which orders used which coupon, what each use was worth, and which uses
break the coupon's terms.

A coupon (``Coupon``, issued by a workflow step or as a referral reward) is single use and
belongs to one customer until it expires. Every order that used its code gets one
``CouponRedemption`` row (unique per coupon and order), whatever the terms say, because the shop
gave the discount; a use that breaks the terms is kept and flagged:

- ``other_customer``: the order's customer is not the one the coupon was issued to;
- ``expired``: the order was placed after ``expires_at``;
- ``repeat_use``: an earlier valid use of the same coupon exists (single use).

The earliest valid use (by order time) marks the coupon redeemed (``redeemed_order_id``,
``redeemed_at``). The ``value`` of a use is what the code took off the order: the amount the
shop reported for that code, else the order's ``discount_amount`` when the order used one code,
else the coupon's own value (a fixed amount, or the percentage of the order's subtotal).

Entry points:

- ``match_orders(session, order_ids=None, source="import")``: match the ``discount_code`` of
  stored orders (the native ``discount_code`` column, Shopify's ``Discount Code`` column; several
  codes separated by commas) with coupon codes. Idempotent; imports call it after writing.
- ``record_order_codes(session, order, uses, source="live")``: for the live ingest, which
  receives an order's ``discount_codes`` (Shopify: ``[{"code": ..., "amount": ..., "type":
  ...}]``): pass ``[DiscountUse(code, amount), ...]`` after the order row is written (flushed),
  in the same transaction. Unknown codes are ignored; returns the redemptions recorded.
- ``redeemed_value_by_workflow(session, lo, hi, settings)``: the value of the redeemed coupons
  (every use, flagged or not, converted to the store currency) per issuing workflow, for uses in
  ``[lo, hi)``. This is the workflow's coupon cost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Coupon, CouponRedemption, Order
from core.settings import StoreSettings

CENT = Decimal("0.01")
_SPLIT = re.compile(r"[,;\s]+")


@dataclass(frozen=True)
class DiscountUse:
    """One discount code an order used, with the amount the shop took off for it (if known)."""

    code: str
    amount: Decimal | None = None


@dataclass
class MatchSummary:
    redemptions: int = 0
    flagged: int = 0


def split_codes(text: str | None) -> list[str]:
    """The codes of an order's discount code field, upper-cased (``"a, b"`` -> ``[A, B]``)."""
    if not text:
        return []
    return [c.upper() for c in _SPLIT.split(text.strip()) if c]


def _use_value(
    coupon: Coupon, order: Order, amount: Decimal | None, codes: int
) -> tuple[Decimal, str]:
    """What the code took off the order, and its currency (see the module docstring)."""
    if amount is not None and amount > 0:
        return Decimal(amount).quantize(CENT), order.currency
    if codes == 1 and order.discount_amount and order.discount_amount > 0:
        return Decimal(order.discount_amount).quantize(CENT), order.currency
    if coupon.kind == "fixed":
        return Decimal(coupon.value).quantize(CENT), coupon.currency or order.currency
    base = order.subtotal if order.subtotal is not None else order.total + order.discount_amount
    return (Decimal(base) * Decimal(coupon.value) / 100).quantize(CENT), order.currency


def _broken_term(coupon: Coupon, customer_id: int | None, at: dt.datetime) -> str | None:
    if coupon.customer_id is not None and customer_id != coupon.customer_id:
        return "other_customer"
    if coupon.expires_at is not None and at > coupon.expires_at:
        return "expired"
    return None


def reflag(session: Session, coupon: Coupon) -> None:
    """Recompute the flags of a coupon's uses in order time, and its redeemed order."""
    uses = session.scalars(
        select(CouponRedemption)
        .where(CouponRedemption.coupon_id == coupon.id)
        .order_by(CouponRedemption.redeemed_at, CouponRedemption.id)
    ).all()
    first: CouponRedemption | None = None
    for use in uses:
        broken = _broken_term(coupon, use.customer_id, use.redeemed_at)
        if broken is None and first is not None:
            broken = "repeat_use"
        if broken is None:
            first = use
        use.flag = broken
    coupon.redeemed_order_id = first.order_id if first else None
    coupon.redeemed_at = first.redeemed_at if first else None


def _redeem(
    session: Session,
    coupon: Coupon,
    order: Order,
    amount: Decimal | None,
    codes: int,
    source: str,
) -> CouponRedemption | None:
    exists = session.scalar(
        select(CouponRedemption.id).where(
            CouponRedemption.coupon_id == coupon.id, CouponRedemption.order_id == order.id
        )
    )
    if exists is not None:
        return None
    value, currency = _use_value(coupon, order, amount, codes)
    use = CouponRedemption(
        coupon_id=coupon.id,
        order_id=order.id,
        customer_id=order.customer_id,
        workflow_id=coupon.workflow_id,
        redeemed_at=order.placed_at,
        value=value,
        currency=currency,
        source=source[:32],
        is_demo=order.is_demo,
    )
    session.add(use)
    session.flush()
    reflag(session, coupon)
    return use


def _coupons_by_code(session: Session, codes: Iterable[str]) -> dict[str, Coupon]:
    wanted = sorted({c.upper() for c in codes})
    found: dict[str, Coupon] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        for coupon in session.scalars(select(Coupon).where(func.upper(Coupon.code).in_(chunk))):
            found[coupon.code.upper()] = coupon
    return found


def record_order_codes(
    session: Session, order: Order, uses: Sequence[DiscountUse], source: str = "live"
) -> list[CouponRedemption]:
    """Record the coupons among ``uses`` (see the module docstring)."""
    by_code = _coupons_by_code(session, (u.code.strip() for u in uses if u.code.strip()))
    out: list[CouponRedemption] = []
    for use in uses:
        coupon = by_code.get(use.code.strip().upper())
        if coupon is None:
            continue
        row = _redeem(session, coupon, order, use.amount, len(uses), source)
        if row is not None:
            out.append(row)
    return out


def _candidates(session: Session, order_ids: list[int] | None) -> dict[int, list[str]]:
    """Orders whose discount code field names an issued coupon (light rows first)."""
    stmt = select(Order.id, Order.discount_code).where(
        Order.discount_code.is_not(None), Order.discount_code != ""
    )
    if order_ids is not None:
        stmt = stmt.where(Order.id.in_(order_ids))
    fields = {int(i): split_codes(text) for i, text in session.execute(stmt)}
    wanted = {c for codes in fields.values() for c in codes}
    if not wanted:
        return {}
    issued = {str(c).upper() for c in session.scalars(select(Coupon.code))}
    return {i: codes for i, codes in fields.items() if issued.intersection(codes)}


def match_orders(
    session: Session, order_ids: Iterable[int] | None = None, source: str = "import"
) -> MatchSummary:
    """Match stored orders' discount codes with coupons (see the module docstring)."""
    ids = None if order_ids is None else list(order_ids)
    candidates = _candidates(session, ids)
    summary = MatchSummary()
    if not candidates:
        return summary
    by_code = _coupons_by_code(session, {c for codes in candidates.values() for c in codes})
    orders = session.scalars(
        select(Order).where(Order.id.in_(list(candidates))).order_by(Order.placed_at, Order.id)
    ).all()
    touched: list[CouponRedemption] = []
    for order in orders:
        order_codes = candidates[order.id]
        for code in order_codes:
            coupon = by_code.get(code)
            if coupon is None:
                continue
            row = _redeem(session, coupon, order, None, len(order_codes), source)
            if row is not None:
                touched.append(row)
    session.flush()
    summary.redemptions = len(touched)
    summary.flagged = sum(1 for r in touched if r.flag)
    return summary


def redeemed_value_by_workflow(
    session: Session, lo: dt.datetime | None, hi: dt.datetime | None, settings: StoreSettings
) -> dict[int, Decimal]:
    """Value (store currency) of every use of each workflow's coupons in ``[lo, hi)``."""
    stmt = select(
        CouponRedemption.workflow_id,
        CouponRedemption.currency,
        func.sum(CouponRedemption.value),
    ).where(CouponRedemption.workflow_id.is_not(None))
    if lo is not None:
        stmt = stmt.where(CouponRedemption.redeemed_at >= lo)
    if hi is not None:
        stmt = stmt.where(CouponRedemption.redeemed_at < hi)
    out: dict[int, Decimal] = {}
    for workflow_id, currency, total in session.execute(
        stmt.group_by(CouponRedemption.workflow_id, CouponRedemption.currency)
    ):
        key = int(workflow_id or 0)
        value = Decimal(str(total or 0)) * settings.rate(str(currency))
        out[key] = (out.get(key, Decimal(0)) + value).quantize(CENT)
    return out
