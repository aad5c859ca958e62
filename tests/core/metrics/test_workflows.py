"""Workflow funnel, attribution and holdout outcomes on the hand-computed shop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.metrics import workflows
from core.models import Coupon, CouponRedemption, Enrolment, Message, Workflow
from tests.core.metrics.conftest import Shop, utc


def _enrol(s: Session, wf: int, customer: int, at: dt.datetime, holdout: bool = False) -> None:
    s.add(
        Enrolment(
            dedupe_key=f"{wf}:{customer}",
            workflow_id=wf,
            version=1,
            customer_id=customer,
            trigger="delivered",
            trigger_at=at,
            is_holdout=holdout,
            entered_at=at,
        )
    )


def _message(
    s: Session, wf: int, key: str, customer: int, step: str, state: str, at: dt.datetime, **kw: Any
) -> None:
    s.add(
        Message(
            idempotency_key=key,
            workflow_id=wf,
            customer_id=customer,
            step_id=step,
            state=state,
            due_at=at,
            queued_at=at,
            sent_at=at if state == "sent" else None,
            **kw,
        )
    )


@pytest.fixture
def wf(shop: Shop) -> int:
    ids = shop.ids
    with Session(shop.engine) as s:
        w, other = Workflow(name="Review request", draft={}), Workflow(name="Other", draft={})
        s.add_all([w, other])
        s.flush()
        _enrol(s, w.id, ids["A"], utc(2024, 1, 5))
        _enrol(s, w.id, ids["B"], utc(2024, 1, 5), holdout=True)
        _enrol(s, w.id, ids["C"], utc(2024, 2, 1))
        _enrol(s, w.id, ids["D"], utc(2024, 2, 15))
        _message(s, w.id, "m1", ids["A"], "ask", "sent", utc(2024, 1, 8, 10), variant="a")
        _message(
            s,
            w.id,
            "m2",
            ids["B"],
            "ask",
            "suppressed",
            utc(2024, 1, 8, 10),
            suppression_reason="holdout",
        )
        _message(s, w.id, "m3", ids["C"], "ask", "sent", utc(2024, 2, 8, 12), variant="b")
        _message(
            s,
            w.id,
            "m4",
            ids["D"],
            "ask",
            "suppressed",
            utc(2024, 2, 16),
            suppression_reason="no_consent",
        )
        _message(s, w.id, "m5", ids["A"], "remind", "sent", utc(2024, 1, 31, 20))
        _message(s, w.id, "m6", ids["D"], "remind", "failed", utc(2024, 2, 18))
        _message(s, w.id, "test", ids["A"], "ask", "sent", utc(2024, 2, 1, 14), is_test=True)
        _message(s, other.id, "o1", ids["A"], "x", "sent", utc(2024, 2, 1, 10))
        coupon = Coupon(
            code="W-1",
            customer_id=ids["C"],
            workflow_id=w.id,
            value=Decimal("5"),
            kind="fixed",
            currency="EUR",
            issued_at=utc(2024, 2, 8),
            cost=Decimal("5"),
            redeemed_order_id=ids["o6"],
            redeemed_at=utc(2024, 2, 11, 12),
        )
        s.add(coupon)
        s.flush()
        # Coupon cost counts real redemptions (matched from orders), not issued codes.
        s.add(
            CouponRedemption(
                coupon_id=coupon.id,
                order_id=ids["o6"],
                customer_id=ids["C"],
                workflow_id=w.id,
                redeemed_at=utc(2024, 2, 11, 12),
                value=Decimal("5"),
                currency="EUR",
            )
        )
        s.commit()
        return w.id


def test_funnel_and_last_touch_attribution(shop: Shop, wf: int) -> None:
    r = workflows.report(shop.engine, wf, as_of=utc(2024, 12, 31))
    f = r.funnel
    assert (f["enrolled"], f["holdout"], f["sent"], f["failed"]) == (4, 1, 3, 1)
    assert f["suppressed_by_reason"] == {"holdout": 1, "no_consent": 1}
    assert f["converted"] == 3 and f["attribution_window_days"] == 5
    # m1 <- order 1 (100, its discount already inside), m3 <- order 6 (50), m5 <- order 2 (50);
    # order 9 goes to the other workflow's later message (last touch). The 5 EUR coupon is
    # shown beside, not subtracted.
    assert f["coupon_cost"] == pytest.approx(5.0)
    assert f["attributed_revenue"] == pytest.approx(200.0)
    assert f["revenue_per_recipient"] == pytest.approx(200.0 / 3)
    steps = r.steps.set_index("step_id")
    assert steps.loc["ask", "sent"] == 2 and steps.loc["ask", "suppressed"] == 2
    assert steps.loc["ask", "suppressed_no_consent"] == 1
    assert steps.loc["ask", "attributed_revenue"] == pytest.approx(150.0)
    assert steps.loc["remind", "failed"] == 1 and steps.loc["remind", "converted"] == 1
    branches = r.branches.set_index("variant")
    assert branches["attributed_revenue"].to_dict() == pytest.approx({"a": 100.0, "b": 50.0})
    assert branches.loc["a", "conversion_rate"] == 1.0 and branches.loc["a", "conversion_low"] < 1.0


def test_holdout_outcomes_intention_to_treat(shop: Shop, wf: int) -> None:
    r = workflows.report(shop.engine, wf, lift_window_days=30, as_of=utc(2024, 12, 31))
    assert r.lift is not None
    assert (r.lift.treated, r.lift.control) == (3, 1)
    assert r.lift.treated_rpc == pytest.approx((170 + 50 + 30) / 3)
    assert r.lift.control_rpc == pytest.approx(50.0)  # 400 PLN - 200 PLN refund, at 0.25
    assert r.lift.conversion.estimate == pytest.approx(0.0)
    # On 10 February only A's and B's 30-day windows (from 5 January) have ended.
    early = workflows.report(shop.engine, wf, lift_window_days=30, as_of=utc(2024, 2, 10))
    assert early.lift is not None and (early.lift.treated, early.lift.control) == (1, 1)
    assert early.lift.revenue_bootstrap.estimate == pytest.approx(170.0 - 50.0)
    too_early = workflows.report(shop.engine, wf, lift_window_days=30, as_of=utc(2024, 1, 20))
    assert too_early.lift is None


def test_unknown_workflow(shop: Shop) -> None:
    with pytest.raises(NotFound):
        workflows.report(shop.engine, 999)
    assert workflows.workflow_ids(shop.engine) == []
