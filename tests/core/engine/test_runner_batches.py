"""The runner commits enrolments in groups; when one of a group fails, the group runs again with
a SAVEPOINT per enrolment, so the failing one rolls back only its own writes (its tag, its
coupon) and the others are committed;
a worker that dies mid-group loses only uncommitted work, which runs again once its claims
expire, and no message is queued or sent twice; a message's links carry its own id."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, func, select

from core.engine import runner, steps
from core.engine.dispatch import dispatch_due, smtp_to
from core.engine.enrol import enrol_new_events
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.messaging.unsubscribe import read_token
from core.models import (
    Coupon,
    Customer,
    Enrolment,
    Message,
    MessageTemplate,
    StepRun,
    TemplateTranslation,
)
from tests.core.engine.conftest import Shop
from tests.smtp_server import LocalSmtp


def _mail(name: str, template: str, before: tuple[Step, ...] = ()) -> WorkflowDefinition:
    """``before`` (each step's ``next`` set), then the email."""
    return WorkflowDefinition(
        name=name,
        triggers=[Trigger(type="order_placed")],
        steps=[*before, Step(id="mail", type="send_email", params={"template": template})],
    )


def _enrol(shop: Shop) -> None:
    with shop.session() as s:
        enrol_new_events(s, shop.clock.now)
        s.commit()


class Savepoints:
    """Counts the SAVEPOINT statements sent on an engine while in use."""

    def __init__(self, engine: Engine) -> None:
        self.engine, self.count = engine, 0

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.count += statement.startswith("SAVEPOINT")

    def __enter__(self) -> Savepoints:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


def _without_text(shop: Shop, template: str) -> None:
    """The template loses its texts: rendering it raises, as a broken template would."""
    with shop.session() as s:
        found = s.scalar(select(MessageTemplate.id).where(MessageTemplate.name == template))
        s.execute(delete(TemplateTranslation).where(TemplateTranslation.template_id == found))
        s.commit()


def test_a_failing_enrolment_rolls_back_only_itself(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "COMMIT_EVERY", 3)  # groups end inside the batch
    shop.workflow(_mail("good", "order_confirmation"))
    broken = (
        Step(id="tag", type="add_tag", params={"tag": "vip"}, next="coupon"),
        Step(id="coupon", type="issue_coupon", params={"kind": "fixed", "value": 5}, next="mail"),
    )
    bad = shop.workflow(_mail("bad", "win_back", broken))
    customers = [shop.customer(f"c{i}") for i in range(4)]
    for c in customers:
        shop.order(c)
    _enrol(shop)
    _without_text(shop, "win_back")

    with Savepoints(shop.engine) as savepoints:
        stats = runner.run_due(shop.engine, shop.clock.now, "w")

    assert stats.enrolments == 4 and stats.outcomes["failed"] == 4
    with shop.session() as s:
        enrolments = list(s.scalars(select(Enrolment).order_by(Enrolment.id)))
        assert len(enrolments) == 8 and {e.claimed_by for e in enrolments} == {None}
        good = [e for e in enrolments if e.workflow_id != bad.id]
        failed = [e for e in enrolments if e.workflow_id == bad.id]
        assert {e.status for e in good} == {"completed"}
        assert {(e.status, e.state.get("failures")) for e in failed} == {("active", 1)}
        retry_at = shop.clock.now + runner.RETRY_AFTER
        assert {e.next_due_at for e in failed} == {retry_at}
        queued = s.scalars(select(Message.enrolment_id).where(Message.state == "queued"))
        assert sorted(queued) == sorted(e.id for e in good)
        assert s.scalar(select(func.count()).select_from(Coupon)) == 0
        assert all("vip" not in (c.tags or []) for c in s.scalars(select(Customer)))
        logged = s.scalars(select(StepRun.enrolment_id).where(StepRun.outcome == "failed"))
        assert sorted(logged) == sorted(e.id for e in failed)
    groups = [enrolments[i : i + 3] for i in range(0, 8, 3)]
    with_failure = [g for g in groups if any(e.workflow_id == bad.id for e in g)]
    assert savepoints.count == sum(len(g) for g in with_failure)  # only those one by one
    assert len(with_failure) < len(groups)  # a group without a failure went in one go


class Crash(BaseException):
    """The worker dies: no ``except Exception`` catches it."""


def test_a_worker_dying_mid_group_queues_and_sends_each_message_once(
    shop: Shop, smtp_server: LocalSmtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "COMMIT_EVERY", 3)
    calls = Counter[str]()
    tag = steps.HANDLERS["add_tag"]

    def dies_on_the_fifth(step: Step, env: steps.StepEnv) -> steps.Go | steps.Wait:
        calls["tag"] += 1
        if calls["tag"] == 5:  # in the second group, after the first was committed
            raise Crash
        return tag(step, env)

    monkeypatch.setitem(steps.HANDLERS, "add_tag", dies_on_the_fifth)
    first = Step(id="tag", type="add_tag", params={"tag": "seen"}, next="mail")
    shop.workflow(_mail("tag and mail", "order_confirmation", (first,)))
    for i in range(7):
        shop.order(shop.customer(f"c{i}"))
    _enrol(shop)
    smtp = smtp_to("127.0.0.1", smtp_server.port)

    with pytest.raises(Crash):
        runner.run_due(shop.engine, shop.clock.now, "dead")
    assert len(shop.messages(state="queued")) == 3  # the first group only
    assert dispatch_due(shop.engine, shop.clock.now, smtp, "other").sent == 3
    assert runner.run_due(shop.engine, shop.clock.now, "other").enrolments == 0  # still claimed

    later = shop.clock.now + runner.LEASE + dt.timedelta(seconds=1)
    assert runner.run_due(shop.engine, later, "other").enrolments == 4
    assert dispatch_due(shop.engine, later, smtp, "other").sent == 4
    assert dispatch_due(shop.engine, later, smtp, "other").claimed == 0

    received = Counter(str(m["To"]) for m in smtp_server.messages)
    assert received == Counter({f"c{i}@example.com": 1 for i in range(7)})
    per_enrolment = Counter(m.enrolment_id for m in shop.messages())
    assert len(per_enrolment) == 7 and set(per_enrolment.values()) == {1}


def test_a_message_links_carry_its_own_id(shop: Shop) -> None:
    shop.workflow(_mail("review", "review_request"))
    for i in range(3):
        shop.order(shop.customer(f"c{i}"))
    _enrol(shop)
    with Savepoints(shop.engine) as savepoints:
        runner.run_due(shop.engine, shop.clock.now, "w")
    assert savepoints.count == 0  # nothing failed: each group in one go
    messages = shop.messages()
    assert len(messages) == 3
    for m in messages:
        found = re.search(r"/u/([A-Za-z0-9_.\-]+)", m.html or "")
        assert found, "a marketing email carries an unsubscribe link"
        token = read_token(found.group(1))
        assert (token.message_id, token.customer_id) == (m.id, m.customer_id)
