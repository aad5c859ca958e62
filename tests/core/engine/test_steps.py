"""Step types: waits (duration, time of day in the customer's zone, event with timeout),
branch, split, coupon with budget cap, tags, referral code, webhook (HMAC), merchant notice,
and exit conditions / the "still true?" filter re-checked before every step."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from sqlalchemy import select

from core import security
from core.engine import worker
from core.engine.schema import SplitPath, Step, Trigger, WorkflowDefinition, rule
from core.engine.steps import next_local_time
from core.models import (
    Coupon,
    Customer,
    Enrolment,
    Message,
    ReferralCode,
    Setting,
    StepRun,
    WebhookCall,
    WebhookSecret,
)
from tests.core.engine.conftest import START, Shop


def _def(*steps: Step, **extra: Any) -> WorkflowDefinition:
    return WorkflowDefinition(
        name="t", triggers=[Trigger(type="order_placed")], steps=list(steps), **extra
    )


def _enrolment(shop: Shop) -> Enrolment:
    with shop.session() as s:
        found = s.scalars(select(Enrolment).order_by(Enrolment.id)).first()
        assert found is not None
        return found


def _runs(shop: Shop) -> list[tuple[str, str]]:
    with shop.session() as s:
        return [(r.step_id, r.outcome) for r in s.scalars(select(StepRun).order_by(StepRun.id))]


def test_wait_duration_then_tag(shop: Shop) -> None:
    anna = shop.customer("anna")
    shop.workflow(
        _def(
            Step(id="w", type="wait", params={"days": 2}, next="t"),
            Step(id="t", type="add_tag", params={"tag": "vip"}),
        )
    )
    shop.order(anna)
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolment(shop).next_due_at == shop.clock.now + dt.timedelta(days=2)
    shop.clock.advance(days=1)
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolment(shop).status == "active"
    shop.clock.advance(days=1)
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolment(shop).status == "completed"
    with shop.session() as s:
        assert s.get(Customer, anna.id).tags == ["vip"]  # type: ignore[union-attr]


def test_wait_until_local_time_and_weekday() -> None:
    friday_late = dt.datetime(2025, 3, 7, 20, 0, tzinfo=dt.UTC)  # Fri 21:00 Berlin
    due = next_local_time(friday_late, "10:00", ["mon", "tue"], "Europe/Berlin")
    assert due == dt.datetime(2025, 3, 10, 9, 0, tzinfo=dt.UTC)  # Mon 10:00 Berlin
    tokyo = next_local_time(friday_late, "10:00", ["sat"], "Asia/Tokyo")
    assert tokyo == dt.datetime(2025, 3, 8, 1, 0, tzinfo=dt.UTC)  # Sat 10:00 Tokyo
    dst = next_local_time(
        dt.datetime(2025, 3, 29, 12, 0, tzinfo=dt.UTC), "10:00", ["sun"], "Europe/Berlin"
    )
    assert dst == dt.datetime(2025, 3, 30, 8, 0, tzinfo=dt.UTC)  # after the DST switch


def test_wait_for_event_and_timeout_paths(shop: Shop) -> None:
    anna, ben = shop.customer("anna"), shop.customer("ben")
    shop.workflow(
        _def(
            Step(
                id="e",
                type="wait_event",
                params={"event": "delivered", "timeout_days": 3},
                next="got",
                alt_next="late",
            ),
            Step(id="got", type="add_tag", params={"tag": "delivered"}),
            Step(id="late", type="add_tag", params={"tag": "late"}),
        )
    )
    a, _b = shop.order(anna), shop.order(ben)
    worker.run_once(shop.engine, clock=shop.clock)
    shop.clock.advance(days=1)
    shop.event(a, "delivered")
    worker.run_once(shop.engine, clock=shop.clock)  # the event wakes anna's enrolment
    shop.clock.advance(days=3)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        assert s.get(Customer, anna.id).tags == ["delivered"]  # type: ignore[union-attr]
        assert s.get(Customer, ben.id).tags == ["late"]  # type: ignore[union-attr]


def test_branch_and_split(shop: Shop) -> None:
    customers = [shop.customer(f"c{i}") for i in range(40)]
    shop.workflow(
        _def(
            Step(
                id="b",
                type="branch",
                condition=rule("order.total", "gt", 50),
                next="s",
                alt_next="small",
            ),
            Step(
                id="s",
                type="split",
                paths=[
                    SplitPath(name="A", weight=50, next="a"),
                    SplitPath(name="B", weight=50, next="bb"),
                ],
            ),
            Step(id="a", type="add_tag", params={"tag": "A"}),
            Step(id="bb", type="add_tag", params={"tag": "B"}),
            Step(id="small", type="add_tag", params={"tag": "small"}),
        )
    )
    for i, c in enumerate(customers):
        shop.order(c, total="80" if i % 4 else "10")
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        tags = {c.id: c.tags for c in s.scalars(select(Customer))}
        variants = {e.customer_id: e.variant for e in s.scalars(select(Enrolment))}
    assert sum(tags[c.id] == ["small"] for c in customers) == 10
    big = [c for i, c in enumerate(customers) if i % 4]
    assert all(tags[c.id] == [variants[c.id]] for c in big)
    assert 5 <= sum(variants[c.id] == "A" for c in big) <= 25


def test_coupon_budget_cap_and_referral(shop: Shop) -> None:
    customers = [shop.customer(f"c{i}") for i in range(3)]
    shop.workflow(
        _def(
            Step(
                id="coupon",
                type="issue_coupon",
                params={"prefix": "thx", "kind": "fixed", "value": 10, "budget_cap": 25},
                next="ref",
            ),
            Step(id="ref", type="create_referral", params={"prefix": "friend", "reward_value": 5}),
        )
    )
    for c in customers:
        shop.order(c)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        coupons = list(s.scalars(select(Coupon)))
        codes = list(s.scalars(select(ReferralCode)))
    assert len(coupons) == 2 and len({c.code for c in coupons}) == 2
    assert all(c.code.startswith("THX-") for c in coupons)
    assert len(codes) == 3 and all(c.code.startswith("FRIEND-") for c in codes)
    assert ("coupon", "skipped") in _runs(shop)


class _Hook(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


def test_webhook_signed_and_merchant_notified(shop: Shop) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    try:
        anna = shop.customer("anna")
        url = f"http://127.0.0.1:{server.server_port}/hook"
        with shop.session() as s:
            s.add(Setting(key="outbound_allowed_hosts", value="127.0.0.1", updated_at=START))
            s.commit()
        wf = shop.workflow(
            _def(
                Step(id="hook", type="webhook", params={"url": url}, next="tell"),
                Step(
                    id="tell", type="notify_merchant", params={"subject": "VIP order in {workflow}"}
                ),
            )
        )
        order = shop.order(anna)
        worker.run_once(shop.engine, clock=shop.clock)
    finally:
        server.shutdown()
    headers, body = _Hook.received[0]
    with shop.session() as s:
        secret = security.decrypt_secret(s.scalars(select(WebhookSecret.secret_encrypted)).one())
        call = s.scalars(select(WebhookCall)).one()
    assert secret.startswith("whsec_") and call.state == "sent" and call.status_code == 204
    assert call.workflow_id == wf.id
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Orderflow-Signature"] == expected
    assert json.loads(body)["order_id"] == order.id
    notices = shop.messages(step_id="tell")
    assert notices[0].to_address == "shop@example.com" and notices[0].subject == "VIP order in t"
    assert notices[0].state == "sent" and notices[0].transport == "mailbox"


def test_exit_condition_and_still_true_rechecked(shop: Shop) -> None:
    anna, ben = shop.customer("anna"), shop.customer("ben")
    shop.workflow(
        _def(
            Step(id="w", type="wait", params={"days": 1}, next="mail"),
            Step(id="mail", type="send_email", params={"template": "review_request"}),
            exit=rule("order.refunded", "eq", True),
            still_true=rule("customer.tags", "not_in", ["blocked"]),
        )
    )
    a, _ = shop.order(anna), shop.order(ben)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        s.get(type(a), a.id).refunded_amount = 5  # type: ignore[union-attr]
        s.get(Customer, ben.id).tags = ["blocked"]  # type: ignore[union-attr]
        s.commit()
    shop.clock.advance(days=1, minutes=1)
    worker.run_once(shop.engine, clock=shop.clock)
    messages = shop.messages()
    assert {m.suppression_reason for m in messages} == {"exit_condition"}
    assert {m.state for m in messages} == {"suppressed"} and len(messages) == 2
    with shop.session() as s:
        reasons = {e.exit_reason for e in s.scalars(select(Enrolment))}
    assert reasons == {
        "exit condition met: order.refunded = True",
        "'still true?' filter no longer holds: customer.tags = ['blocked']",
    }


def test_holdout_walks_but_receives_nothing(shop: Shop) -> None:
    customers = [shop.customer(f"h{i}") for i in range(30)]
    shop.workflow(
        _def(
            Step(
                id="mail", type="send_email", params={"template": "review_request"}, next="coupon"
            ),
            Step(id="coupon", type="issue_coupon", params={"value": 5}),
            holdout_pct=50,
        )
    )
    for c in customers:
        shop.order(c)
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        held = {e.customer_id for e in s.scalars(select(Enrolment).where(Enrolment.is_holdout))}
        coupons = {c.customer_id for c in s.scalars(select(Coupon))}
        messages = list(s.scalars(select(Message)))
    assert 5 <= len(held) <= 25
    assert not held & coupons and len(coupons) == 30 - len(held)
    assert {m.customer_id for m in messages if m.suppression_reason == "holdout"} == held


def test_wait_until_and_remove_tag_in_the_runner(shop: Shop) -> None:
    tokyo = shop.customer("kei", tz="Asia/Tokyo", tags=["new", "keep"])
    shop.workflow(
        _def(
            Step(
                id="w",
                type="wait_until",
                params={"time": "09:30", "weekdays": ["wed"]},
                next="untag",
            ),
            Step(id="untag", type="remove_tag", params={"tag": "new"}),
        )
    )
    shop.order(tokyo)  # Monday 09:00 UTC = Monday 18:00 in Tokyo
    worker.run_once(shop.engine, clock=shop.clock)
    due = _enrolment(shop).next_due_at
    assert due == dt.datetime(2025, 3, 5, 0, 30, tzinfo=dt.UTC)  # Wednesday 09:30 in Tokyo
    shop.clock.set(due - dt.timedelta(minutes=1))
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolment(shop).status == "active"
    shop.clock.set(due)
    worker.run_once(shop.engine, clock=shop.clock)
    assert _enrolment(shop).status == "completed"
    with shop.session() as s:
        assert s.get(Customer, tokyo.id).tags == ["keep"]  # type: ignore[union-attr]
