"""One step of a simulation: where the order goes next, on a virtual clock, writing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.builder.sim_results import (
    StepResult,
    rule_results,
    safe_eval,
    step_result,
    template_category,
)
from core.builder.values import number_of
from core.engine.conditions import EvalContext
from core.engine.schema import Step
from core.errors import OrderflowError
from core.models import Customer, Order, OrderEvent

Outcome = tuple[StepResult, str | None, dt.datetime]


def _wait(step: Step, clock: dt.datetime) -> Outcome:
    p = step.params
    delta = dt.timedelta(
        days=number_of(p.get("days")), hours=number_of(p.get("hours")),
        minutes=number_of(p.get("minutes")),
    )  # fmt: skip
    until = clock + delta
    return step_result(step, f"waits until {until:%Y-%m-%d %H:%M} UTC", until), step.next, until


def _wait_until(step: Step, clock: dt.datetime, ctx: EvalContext, tz_name: str) -> Outcome:
    from core.engine.steps import next_local_time

    days = step.params.get("weekdays") or ["mon", "tue", "wed", "thu", "fri"]
    until = next_local_time(clock, str(step.params.get("time", "10:00")), list(days), tz_name)
    return step_result(step, f"waits until {until:%Y-%m-%d %H:%M} UTC", until), step.next, until


def _wait_event(session: Session, step: Step, order: Order, clock: dt.datetime) -> Outcome:
    event = str(step.params.get("event", "delivered"))
    limit = clock + dt.timedelta(days=number_of(step.params.get("timeout_days"), 14))
    query = select(OrderEvent.occurred_at).where(OrderEvent.type == event)
    if step.params.get("scope") == "customer":
        query = query.join(Order, Order.id == OrderEvent.order_id).where(
            Order.customer_id == order.customer_id
        )
    else:
        query = query.where(OrderEvent.order_id == order.id)
    found = session.scalar(
        query.where(OrderEvent.occurred_at >= clock, OrderEvent.occurred_at <= limit).order_by(
            OrderEvent.occurred_at
        )
    )
    if found is not None:
        return step_result(step, f"'{event}' happened on {found:%Y-%m-%d}", found), step.next, found
    text = f"'{event}' did not happen within the timeout: takes the 'timed out' path"
    return step_result(step, text, limit), step.alt_next, limit


def _send(session: Session, step: Step, order: Order, clock: dt.datetime) -> Outcome:
    from core.messaging.render import render_for

    template = str(step.params.get("template") or "")
    if not template:
        return step_result(step, "no template chosen", clock), step.next, clock
    customer = session.get(Customer, order.customer_id)
    note = ""
    if template_category(session, template) == "marketing" and not (
        customer and customer.marketing_consent
    ):
        note = "Marketing message without consent: it would be suppressed (no_marketing_consent)."
    try:
        msg = render_for(session, template, customer_id=order.customer_id, order_id=order.id)
    except OrderflowError as exc:
        return step_result(step, f"cannot render: {exc}", clock, note=note), step.next, clock
    result = step_result(
        step, "sends this email", clock, subject=msg.subject, html=msg.html, text=msg.text,
        locale=msg.locale, note=note,
    )  # fmt: skip
    return result, step.next, clock


def run_step(
    session: Session,
    step: Step,
    order: Order,
    record: dict[str, Any],
    ctx: EvalContext,
    clock: dt.datetime,
    split_choice: dict[str, int],
) -> Outcome:
    """Simulate ``step`` at ``clock``: its result, the next step id and the new clock."""
    if step.type == "wait":
        return _wait(step, clock)
    if step.type == "wait_until":
        return _wait_until(step, clock, ctx, str(ctx.tz))
    if step.type == "wait_event":
        return _wait_event(session, step, order, clock)
    if step.type == "branch":
        yes = safe_eval(step.condition, record, ctx)
        rules = rule_results(step.condition, record, ctx, ctx.store_currency)
        outcome = "condition holds: takes 'yes'" if yes else "condition fails: takes 'no'"
        return (
            step_result(step, outcome, clock, rules=rules),
            step.next if yes else step.alt_next,
            clock,
        )
    if step.type == "split":
        index = min(split_choice.get(step.id, 0), max(len(step.paths) - 1, 0))
        if not step.paths:
            return step_result(step, "no paths", clock), None, clock
        path = step.paths[index]
        return step_result(step, f"random; simulating path '{path.name}'", clock), path.next, clock
    if step.type == "send_email":
        return _send(session, step, order, clock)
    return step_result(step, "would run", clock), step.next, clock
