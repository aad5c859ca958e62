"""An email that shows a coupon is never sent without one: when the coupon step was skipped
(budget cap) or the coupon expired, the email is suppressed as ``coupon_unavailable`` and the run
log says why; the coupon step's "not issued" path lets a workflow send something else. The
backtest and the live engine issue the same coupons under a cap (one rule,
:mod:`core.engine.coupon_cap`)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from core.engine import backtest, worker
from core.engine.coupon_cap import coupon_value, issue_in_order
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.engine.validate import problems_of
from core.models import Coupon, Message, StepRun
from tests.core.engine.conftest import Shop


def _coupon_then_mail(cap: float, *, alt: bool = False, expiry: int = 30) -> WorkflowDefinition:
    return WorkflowDefinition(
        name="thanks",
        triggers=[Trigger(type="order_placed")],
        steps=[
            Step(
                id="coupon",
                type="issue_coupon",
                params={"kind": "fixed", "value": 4, "budget_cap": cap, "expiry_days": expiry},
                next="wait",
                alt_next="plain" if alt else None,
            ),
            Step(id="wait", type="wait", params={"days": 2}, next="mail"),
            Step(id="mail", type="send_email", params={"template": "thank_you_coupon"}),
            *(
                [Step(id="plain", type="send_email", params={"template": "order_confirmation"})]
                if alt
                else []
            ),
        ],
    )


def _orders(shop: Shop, n: int) -> None:
    for i in range(n):
        shop.order(shop.customer(f"c{i}", locale="en"), total=str(50 + i))
        shop.clock.advance(minutes=1)


def _run_a_week(shop: Shop) -> None:
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(days=3)
    worker.run_once(shop.engine, clock=shop.clock)


def test_the_gift_email_is_suppressed_when_the_cap_stopped_the_coupon(shop: Shop) -> None:
    shop.workflow(_coupon_then_mail(10))
    _orders(shop, 3)
    _run_a_week(shop)
    mails = shop.messages(step_id="mail")
    assert [(m.state, m.suppression_reason) for m in mails] == [
        ("sent", None),
        ("sent", None),
        ("suppressed", "coupon_unavailable"),
    ]
    assert all("-" in (m.text or "") for m in mails[:2])  # the code is in the sent ones
    with shop.session() as s:
        issued = s.scalar(select(func.sum(Coupon.cost)))
        logged = s.scalars(
            select(StepRun.detail).where(StepRun.step_id == "mail", StepRun.outcome == "skipped")
        ).all()
    assert issued == Decimal("8.00")
    assert len(logged) == 1 and "coupon_unavailable" in logged[0]
    assert "budget cap 10" in logged[0] and "'coupon' skipped" in logged[0]


def test_the_not_issued_path_sends_something_else(shop: Shop) -> None:
    d = _coupon_then_mail(10, alt=True)
    assert not [p for p in problems_of(d) if p.step == "coupon"]
    shop.workflow(d)
    _orders(shop, 3)
    _run_a_week(shop)
    got = [(m.step_id, m.state) for m in shop.messages()]
    assert sorted(got) == [("mail", "sent"), ("mail", "sent"), ("plain", "sent")]


def test_a_cap_without_a_not_issued_path_is_flagged() -> None:
    warnings = [p for p in problems_of(_coupon_then_mail(10)) if p.severity == "warning"]
    assert any("coupon_unavailable" in p.message and p.step == "coupon" for p in warnings)


def test_an_expired_coupon_is_not_promised(shop: Shop) -> None:
    shop.workflow(_coupon_then_mail(100, expiry=1))  # the wait (2 days) outlives the coupon
    _orders(shop, 1)
    _run_a_week(shop)
    [mail] = shop.messages(step_id="mail")
    assert (mail.state, mail.suppression_reason) == ("suppressed", "coupon_unavailable")
    with shop.session() as s:
        detail = s.scalar(select(StepRun.detail).where(StepRun.step_id == "mail"))
    assert detail is not None and "expired" in detail


def test_backtest_and_live_engine_issue_the_same_value(shop: Shop) -> None:
    """Fixed 4.00 coupons under a 10.00 cap: two are issued (8.00), live and in the backtest."""
    d = _coupon_then_mail(10)
    wf = shop.workflow(d)
    _orders(shop, 3)
    _run_a_week(shop)
    with shop.session() as s:
        live = s.scalar(select(func.sum(Coupon.cost)).where(Coupon.workflow_id == wf.id))
        report = backtest.backtest(s, d, days=30, now=shop.clock.now, workflow_id=wf.id)
        sent = s.scalar(select(func.count()).select_from(Message).where(Message.state == "sent"))
    assert live == Decimal("8.00") == report.projected_issued_value
    assert report.summary()["projected_issued_value"] == "8.00"
    paths = {(r.step_id, r.path): r.count for r in report.branches.itertuples()}
    assert (paths[("coupon", "issued")], paths[("coupon", "not issued")]) == (2, 1)
    mail = report.messages.set_index("step_id").loc["mail"]
    assert (int(mail["coupon_unavailable"]), int(mail["projected"])) == (1, 2) == (1, sent)


def test_the_rule_counts_issued_value_in_order() -> None:
    values = [coupon_value("percent", Decimal(10), t) for t in (60, 30, 50, 10)]
    assert values == [Decimal("6.00"), Decimal("3.00"), Decimal("5.00"), Decimal("1.00")]
    assert issue_in_order(values, Decimal(10)) == ([True, True, False, True], Decimal("10.00"))
    assert issue_in_order(values, None)[1] == Decimal("15.00")
    assert coupon_value("percent", Decimal(10), None) == 0
