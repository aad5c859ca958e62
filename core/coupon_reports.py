"""What the Coupons page shows: per workflow, the coupons issued, their uses, the flagged ones
and the value of the redeemed coupons (the workflow's coupon cost, in the store currency); and
the list of uses with their flags."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import Coupon, CouponRedemption, Customer, Order, Workflow
from core.settings import StoreSettings

NO_WORKFLOW = "(no workflow: referral rewards, by hand)"
SUMMARY_COLUMNS = [
    "workflow",
    "issued",
    "redeemed",
    "flagged",
    "in_shop",
    "value_of_redeemed_coupons",
]
USE_COLUMNS = [
    "redeemed_at",
    "code",
    "workflow",
    "order",
    "customer_email",
    "value",
    "currency",
    "flag",
    "source",
]


def workflow_summary(session: Session, settings: StoreSettings) -> pd.DataFrame:
    """One row per issuing workflow (``NO_WORKFLOW`` for referral rewards and coupons issued
    outside a workflow)."""
    issued = dict(
        session.execute(select(Coupon.workflow_id, func.count()).group_by(Coupon.workflow_id)).all()
    )
    in_shop = dict(
        session.execute(
            select(Coupon.workflow_id, func.count())
            .where(Coupon.shop_pushed_at.is_not(None))
            .group_by(Coupon.workflow_id)
        ).all()
    )
    uses: dict[int | None, list[Decimal]] = {}
    for wid, currency, value, flag in session.execute(
        select(
            CouponRedemption.workflow_id,
            CouponRedemption.currency,
            CouponRedemption.value,
            CouponRedemption.flag,
        )
    ):
        row = uses.setdefault(wid, [Decimal(0), Decimal(0), Decimal(0)])
        row[0] += 1
        row[1] += 1 if flag else 0
        row[2] += Decimal(value) * settings.rate(str(currency))
    names: dict[int | None, str] = {
        int(i): str(n) for i, n in session.execute(select(Workflow.id, Workflow.name))
    }
    rows = []
    for wid in sorted(set(issued) | set(uses), key=lambda w: (w is None, names.get(w, ""))):
        count, flagged, value = uses.get(wid, [Decimal(0)] * 3)
        rows.append(
            {
                "workflow": names.get(wid, NO_WORKFLOW),
                "issued": int(issued.get(wid, 0)),
                "redeemed": int(count),
                "flagged": int(flagged),
                "in_shop": int(in_shop.get(wid, 0)),
                "value_of_redeemed_coupons": value.quantize(Decimal("0.01")),
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def uses(session: Session, flagged_only: bool = False, limit: int = 1000) -> pd.DataFrame:
    """The latest coupon uses, newest first."""
    stmt = (
        select(
            CouponRedemption.redeemed_at,
            Coupon.code,
            Workflow.name,
            Order.number,
            Customer.email,
            CouponRedemption.value,
            CouponRedemption.currency,
            CouponRedemption.flag,
            CouponRedemption.source,
        )
        .join(Coupon, Coupon.id == CouponRedemption.coupon_id)
        .join(Order, Order.id == CouponRedemption.order_id)
        .outerjoin(Workflow, Workflow.id == CouponRedemption.workflow_id)
        .outerjoin(Customer, Customer.id == CouponRedemption.customer_id)
        .order_by(CouponRedemption.redeemed_at.desc(), CouponRedemption.id.desc())
        .limit(limit)
    )
    if flagged_only:
        stmt = stmt.where(CouponRedemption.flag.is_not(None))
    return pd.DataFrame.from_records(session.execute(stmt).all(), columns=USE_COLUMNS)
