"""What each step type does for one enrolment. A handler returns where to go next
(:class:`Go`), or that the enrolment waits (:class:`Wait`). Actions record what they did in
``Enrolment.state["done"]`` in the same transaction as their effect, so a step is never done
twice, also after a move to a new version at the same step id. A holdout enrolment walks the
same path but its actions are skipped (an email becomes a message suppressed as ``holdout``).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from core import coupon_amounts
from core.engine import coupon_cap
from core.engine.active import Running
from core.engine.conditions import EvalContext, evaluate
from core.engine.holdout import pick_path
from core.engine.registry import WEEKDAYS
from core.engine.schema import Step
from core.engine.sqlutil import insert_ignore, next_id
from core.models import (
    NOTICE_CATEGORY,
    Coupon,
    Customer,
    Enrolment,
    Message,
    MessageTemplate,
    Order,
    OrderEvent,
    ReferralCode,
)
from core.settings import StoreSettings
from core.timeutil import zone

RENDERER = "renderer"  # StepEnv.cache key of a core.messaging.batch.BatchRenderer


@dataclass(frozen=True)
class Go:
    next: str | None
    outcome: str = "done"
    detail: str = ""


@dataclass(frozen=True)
class Wait:
    until: dt.datetime
    detail: str = ""


@dataclass
class StepEnv:
    session: Session
    enrolment: Enrolment
    workflow: Running
    record: Mapping[str, Any]
    now: dt.datetime
    settings: StoreSettings
    ctx: EvalContext
    customer: Customer
    cache: dict[str, Any] = field(default_factory=dict)
    rehearsal: bool = False  # a rolled-back cycle: nothing may leave the process


Handler = Callable[[Step, StepEnv], Go | Wait]


def _done(env: StepEnv, step: Step) -> bool:
    return step.id in env.enrolment.state.get("done", [])


def _remember(env: StepEnv, step: Step, **values: Any) -> None:
    state = dict(env.enrolment.state)
    state["done"] = [*state.get("done", []), step.id]
    state.update(values)
    env.enrolment.state = state


def _wait_key(step: Step) -> str:
    return f"wait:{step.id}"


def _timed_wait(env: StepEnv, step: Step, due: Callable[[], dt.datetime]) -> Go | Wait:
    state = dict(env.enrolment.state)
    key = _wait_key(step)
    if key not in state:
        state[key] = due().isoformat()
        env.enrolment.state = state
    until = dt.datetime.fromisoformat(state[key])
    if env.now >= until:
        return Go(step.next, "done", f"waited until {until.isoformat()}")
    return Wait(until, f"waiting until {until.isoformat()}")


def wait(step: Step, env: StepEnv) -> Go | Wait:
    p = step.params
    delta = dt.timedelta(
        days=float(p.get("days") or 0),
        hours=float(p.get("hours") or 0),
        minutes=float(p.get("minutes") or 0),
    )
    return _timed_wait(env, step, lambda: env.now + delta)


def next_local_time(now: dt.datetime, hhmm: str, weekdays: list[str], tz_name: str) -> dt.datetime:
    """The first moment at or after ``now`` that is ``hhmm`` local time on an allowed weekday."""
    tz = zone(tz_name)
    hour, minute = (int(x) for x in hhmm.split(":"))
    local = now.astimezone(tz)
    allowed = {WEEKDAYS.index(d) for d in weekdays} or set(range(7))
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        candidate = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)
        if candidate.weekday() in allowed and candidate >= local:
            return candidate.astimezone(dt.UTC)
    raise ValueError("no allowed weekday")  # unreachable: 8 days cover every weekday


def wait_until(step: Step, env: StepEnv) -> Go | Wait:
    tz_name = env.customer.time_zone or env.settings.timezone
    days = list(step.params.get("weekdays") or WEEKDAYS)
    return _timed_wait(
        env,
        step,
        lambda: next_local_time(env.now, str(step.params.get("time", "10:00")), days, tz_name),
    )


def wait_event(step: Step, env: StepEnv) -> Go | Wait:
    e = env.enrolment
    event = str(step.params.get("event"))
    key = _wait_key(step)
    state = dict(e.state)
    if key not in state:
        timeout = dt.timedelta(days=float(step.params.get("timeout_days") or 0))
        state[key] = {"since": env.now.isoformat(), "until": (env.now + timeout).isoformat()}
        e.state = state
    since = dt.datetime.fromisoformat(state[key]["since"])
    until = dt.datetime.fromisoformat(state[key]["until"])
    query = select(OrderEvent.id).where(OrderEvent.type == event)
    if step.params.get("scope") == "customer":
        query = query.where(
            OrderEvent.customer_id == e.customer_id, OrderEvent.occurred_at >= since
        )
    else:
        query = query.where(OrderEvent.order_id == e.order_id)
    if env.session.scalar(query.limit(1)) is not None:
        e.waiting_event = None
        return Go(step.next, "done", f"{event} happened")
    if env.now >= until:
        e.waiting_event = None
        return Go(step.alt_next, "done", f"no {event} by {until.isoformat()}: timeout path")
    e.waiting_event = event
    return Wait(until, f"waiting for {event} until {until.isoformat()}")


def branch(step: Step, env: StepEnv) -> Go | Wait:
    yes = evaluate(step.condition, env.record, env.ctx)
    return Go(step.next if yes else step.alt_next, "branched", "yes" if yes else "no")


def split(step: Step, env: StepEnv) -> Go | Wait:
    index = pick_path(f"{env.enrolment.id}:{step.id}", [p.weight for p in step.paths])
    path = step.paths[index]
    state = dict(env.enrolment.state)
    state[f"split:{step.id}"] = path.name
    env.enrolment.state = state
    env.enrolment.variant = path.name[:32]
    return Go(path.next, "branched", path.name)


def _message_row(env: StepEnv, step: Step, **values: Any) -> dict[str, Any]:
    e = env.enrolment
    row = {
        "idempotency_key": f"e{e.id}:{step.id}",
        "workflow_id": env.workflow.id,
        "workflow_version": e.version,
        "enrolment_id": e.id,
        "step_id": step.id,
        "customer_id": e.customer_id,
        "order_id": e.order_id,
        "priority": env.workflow.priority,
        "variant": e.variant,
        "to_address": env.customer.email,
        "is_demo": env.customer.is_demo,
        "due_at": env.now,
        "queued_at": env.now,
        "state": "queued",
        "headers": {},
    }
    row.update(values)
    return row


def _suppress(env: StepEnv, step: Step, reason: str, template: str | None, category: str) -> None:
    insert_ignore(
        env.session,
        Message,
        [
            _message_row(
                env,
                step,
                template_name=template,
                category=category,
                state="suppressed",
                suppression_reason=reason,
                suppressed_at=env.now,
            )
        ],
        ["idempotency_key"],
    )


def _category(env: StepEnv, template: str) -> str:
    key = f"category:{template}"
    if key not in env.cache:
        found = env.session.scalar(
            select(MessageTemplate.category).where(MessageTemplate.name == template)
        )
        env.cache[key] = found or "transactional"
    return str(env.cache[key])


def send_email(step: Step, env: StepEnv) -> Go | Wait:
    """Queue the rendered message. The insert shares the enrolment's transaction with the
    "done" mark, so a step never queues twice; the unique key guards it besides. The message
    takes its id first (its links carry it) and is inserted once, with its content."""
    template = str(step.params.get("template"))
    if _done(env, step):
        return Go(step.next, "skipped", "already sent (earlier version)")
    category = _category(env, template)
    reason = (
        "holdout" if env.enrolment.is_holdout else ("no_email" if not env.customer.email else None)
    )
    if reason:
        _suppress(env, step, reason, template, category)
        _remember(env, step)
        return Go(step.next, "skipped", f"{template}: suppressed ({reason})")
    from core.messaging.render import render_for

    row = _message_row(env, step, template_name=template, category=category)
    row["id"] = message_id = next_id(env.session, Message)
    state = env.enrolment.state
    batch = env.cache.get(RENDERER)  # the runner's per-batch renderer (few queries per batch)
    rendered = (batch.render if batch is not None else partial(render_for, env.session))(
        template,
        customer_id=env.customer.id,
        order_id=env.enrolment.order_id,
        extra={
            "coupon_code": state.get("coupon_code"),
            "referral_code": state.get("referral_code"),
            "message_id": message_id,
        },
    )
    row.update(
        subject=rendered.subject, html=rendered.html, text=rendered.text, locale=rendered.locale
    )
    _remember(env, step)
    missing = _coupon_missing(env) if uses_coupon(rendered.variables_used) else None
    if missing:  # the email promises a coupon this enrolment does not have
        row.update(state="suppressed", suppressed_at=env.now, suppression_reason=COUPON_UNAVAILABLE)
    env.session.connection().execute(_INSERT_MESSAGE, row)
    if missing:
        return Go(step.next, "skipped", f"{template}: suppressed ({COUPON_UNAVAILABLE}: {missing})")
    return Go(step.next, "done", f"{template} queued (message {message_id})")


_INSERT_MESSAGE = insert(Message.__table__)  # type: ignore[arg-type]


COUPON_UNAVAILABLE = "coupon_unavailable"


def uses_coupon(variables: list[str]) -> bool:
    """Does a template with these variables show a coupon?"""
    return any(v == "coupon" or v.startswith("coupon.") for v in variables)


def _coupon_missing(env: StepEnv) -> str | None:
    """Why this enrolment has no usable coupon (skipped under the cap, none issued, expired),
    or None when it has one."""
    state = env.enrolment.state
    if not state.get("coupon_code"):
        return str(state.get("coupon_skipped") or "no coupon step issued a coupon before")
    expires = state.get("coupon_expires")
    if expires and dt.datetime.fromisoformat(str(expires)) <= env.now:
        return f"coupon {state['coupon_code']} expired at {expires}"
    return None


def _unique_code(session: Session, model: Any, prefix: str) -> str:
    while True:
        code = f"{prefix.upper()[:16]}-{secrets.token_hex(4).upper()}"
        if session.scalar(select(model.id).where(model.code == code)) is None:
            return code


def issue_coupon(step: Step, env: StepEnv) -> Go | Wait:
    if _done(env, step) or env.enrolment.is_holdout:
        return Go(step.next, "skipped", "holdout" if env.enrolment.is_holdout else "already done")
    p = step.params
    kind = str(p.get("kind", "percent"))
    value, currency = coupon_amounts.in_currency(
        kind,
        Decimal(str(p.get("value", 10))),
        p.get("amounts"),
        env.record.get("order.currency"),
        env.settings.currency,
    )
    cost = coupon_cap.coupon_value(kind, value, env.record.get("order.total"))
    if currency != env.settings.currency:  # a fixed amount in the order's currency
        cost = (cost * env.settings.rate(currency)).quantize(Decimal("0.01"))
    cap = coupon_cap.budget_cap(p)
    if cap is not None:
        issued = env.session.scalar(
            select(func.coalesce(func.sum(Coupon.cost), 0)).where(
                Coupon.workflow_id == env.workflow.id
            )
        )
        if not coupon_cap.within_cap(Decimal(str(issued or 0)), cost, cap):
            why = f"budget cap {cap} {env.settings.currency} reached ({issued} issued)"
            _remember(env, step, coupon_skipped=f"coupon step {step.id!r} skipped: {why}")
            target = step.alt_next or step.next
            return Go(target, "skipped", f"{why}: no coupon")
    code = _unique_code(env.session, Coupon, str(p.get("prefix") or "THANKS"))
    expires = env.now + dt.timedelta(days=float(p.get("expiry_days") or 30))
    env.session.add(
        Coupon(
            code=code,
            customer_id=env.customer.id,
            workflow_id=env.workflow.id,
            enrolment_id=env.enrolment.id,
            kind=kind,
            value=value,
            currency=currency,
            issued_at=env.now,
            expires_at=expires,
            cost=cost,
            note=f"step {step.id}",
            is_demo=env.customer.is_demo,
        )
    )
    _remember(env, step, coupon_code=code, coupon_expires=expires.isoformat())
    shown = f"{value} {currency}" if kind == "fixed" else f"{value} percent"
    return Go(step.next, "done", f"coupon {code} ({shown}), expires {expires.date()}")


def _tag(step: Step, env: StepEnv, add: bool) -> Go | Wait:
    if env.enrolment.is_holdout:
        return Go(step.next, "skipped", "holdout")
    tag = str(step.params.get("tag")).strip()
    tags = [t for t in (env.customer.tags or []) if t != tag]
    env.customer.tags = [*tags, tag] if add else tags
    return Go(step.next, "done", f"tag {tag!r} {'added' if add else 'removed'}")


def create_referral(step: Step, env: StepEnv) -> Go | Wait:
    if _done(env, step) or env.enrolment.is_holdout:
        return Go(step.next, "skipped", "holdout" if env.enrolment.is_holdout else "already done")
    code = _unique_code(env.session, ReferralCode, str(step.params.get("prefix") or "FRIEND"))
    reward = step.params.get("reward_value")
    env.session.add(
        ReferralCode(
            code=code,
            customer_id=env.customer.id,
            workflow_id=env.workflow.id,
            reward_value=None if reward in (None, "") else Decimal(str(reward)),
            reward_currency=env.settings.currency,
            is_demo=env.customer.is_demo,
        )
    )
    _remember(env, step, referral_code=code)
    return Go(step.next, "done", f"referral code {code}")


def webhook_body(env: StepEnv, step: Step) -> bytes:
    e = env.enrolment
    payload = {
        "workflow_id": env.workflow.id,
        "workflow": env.workflow.name,
        "version": e.version,
        "enrolment_id": e.id,
        "step_id": step.id,
        "trigger": e.trigger,
        "trigger_at": e.trigger_at.isoformat(),
        "customer": {
            "id": env.customer.id,
            "email": env.customer.email,
            "external_id": env.customer.external_id,
        },
        "order_id": e.order_id,
        "variant": e.variant,
        "at": env.now.isoformat(),
    }
    return json.dumps(payload, sort_keys=True).encode()


def webhook(step: Step, env: StepEnv) -> Go | Wait:
    """Queue the call (core.engine.webhooks sends it outside this transaction)."""
    if _done(env, step) or env.enrolment.is_holdout:
        return Go(step.next, "skipped", "holdout" if env.enrolment.is_holdout else "already done")
    from core.engine.webhooks import queue_call

    queue_call(
        env.session,
        key=f"e{env.enrolment.id}:{step.id}",
        workflow_id=env.workflow.id,
        enrolment_id=env.enrolment.id,
        step_id=step.id,
        customer_id=env.customer.id,
        url=str(step.params["url"]),
        body=webhook_body(env, step),
        now=env.now,
        is_demo=env.customer.is_demo,
    )
    _remember(env, step)
    return Go(step.next, "done", "webhook call queued")


def _order_number(env: StepEnv) -> str:
    """The shop's order number (the number customers see, else the shop's order id), never
    Orderflow's internal id."""
    if env.enrolment.order_id is None:
        return ""
    row = env.session.execute(
        select(Order.number, Order.external_id).where(Order.id == env.enrolment.order_id)
    ).first()
    return "" if row is None else str(row[0] or row[1] or "")


def _fill(text: str, env: StepEnv, order: str) -> str:
    values = {
        "{workflow}": env.workflow.name,
        "{order}": order,
        "{customer}": env.customer.email or str(env.customer.id),
    }
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def notify_merchant(step: Step, env: StepEnv) -> Go | Wait:
    if _done(env, step):
        return Go(step.next, "skipped", "already done")
    order = _order_number(env)
    subject = _fill(str(step.params.get("subject") or "Orderflow"), env, order)
    body = _fill(str(step.params.get("message") or ""), env, order) or subject
    body += f"\n\nCustomer: {env.customer.email}\n" + (f"Order: {order}\n" if order else "")
    insert_ignore(
        env.session,
        Message,
        [
            _message_row(
                env,
                step,
                to_address=env.settings.sender_email,
                customer_id=None,
                template_name=None,
                category=NOTICE_CATEGORY,
                subject=subject[:500],
                text=body,
                html=None,
                is_demo=env.customer.is_demo,
            )
        ],
        ["idempotency_key"],
    )
    _remember(env, step)
    return Go(step.next, "done", f"merchant notified at {env.settings.sender_email}")


HANDLERS: dict[str, Handler] = {
    "wait": wait,
    "wait_until": wait_until,
    "wait_event": wait_event,
    "branch": branch,
    "split": split,
    "send_email": send_email,
    "issue_coupon": issue_coupon,
    "add_tag": lambda s, e: _tag(s, e, True),
    "remove_tag": lambda s, e: _tag(s, e, False),
    "create_referral": create_referral,
    "webhook": webhook,
    "notify_merchant": notify_merchant,
}
