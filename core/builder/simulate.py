"""Simulate a workflow on one real order: each condition's result (with the order's value of
the field), the path the order takes, and the messages it would receive, rendered.

Nothing is written. Field values come from the engine's own context loader
(``core.engine.context.enrich``) and conditions from its evaluator, as of the trigger event
(or now, when the order never had that event), so the simulation reads data as enrolment does.
Waits are not waited: their durations are added to a virtual clock; a random split follows the
path the merchant chooses (the first by default).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Action, Actor, require
from core.builder.describe import step_text, step_title
from core.builder.sim_results import RuleResult, StepResult, rule_results, safe_eval
from core.builder.simulate_steps import run_step
from core.engine.conditions import EvalContext, fields_used
from core.engine.context import enrich, record_from_frame
from core.engine.holdout import is_holdout
from core.engine.registry import TRIGGERS
from core.engine.schema import WorkflowDefinition
from core.errors import NotFound
from core.models import Customer, Order, OrderEvent

MAX_STEPS = 60


@dataclass
class Simulation:
    order_ref: str
    customer_email: str
    trigger: str
    trigger_at: dt.datetime
    enters: bool
    holdout: bool
    entry: list[RuleResult] = field(default_factory=list)
    exit: list[RuleResult] = field(default_factory=list)
    steps: list[StepResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def find_order(session: Session, ref: str) -> Order:
    """An order by its external id or its number."""
    text = ref.strip()
    order = session.scalar(
        select(Order).where(or_(Order.external_id == text, Order.number == text))
    )
    if order is None:
        raise NotFound(f"No order {text!r}.", hint="Use the order id or number as imported.")
    return order


def _trigger_event(
    session: Session, definition: WorkflowDefinition, order: Order
) -> tuple[str, dt.datetime | None]:
    events = dict(
        session.execute(
            select(OrderEvent.type, OrderEvent.occurred_at)
            .where(OrderEvent.order_id == order.id)
            .order_by(OrderEvent.occurred_at.desc())
        ).all()
    )
    for trigger in definition.triggers:
        spec = TRIGGERS.get(trigger.type)
        if spec and spec.event in events:
            return trigger.type, events[spec.event]
    first = definition.triggers[0].type if definition.triggers else "order_placed"
    return first, None


def _fields(definition: WorkflowDefinition) -> set[str]:
    wanted = fields_used(definition.entry) | fields_used(definition.exit)
    wanted |= fields_used(definition.still_true)
    for step in definition.steps:
        wanted |= fields_used(step.condition)
    return wanted


def _record(
    session: Session, order: Order, event: str, at: dt.datetime, fields: set[str]
) -> dict[str, Any]:
    settings = store_settings.load(session)
    frame = pd.DataFrame(
        [{"order_id": order.id, "customer_id": order.customer_id, "event_type": event,
          "occurred_at": at, "as_of": at, "trigger_at": at}]
    )  # fmt: skip
    return record_from_frame(enrich(session, frame, settings, fields), 0)


def simulate(
    session: Session,
    actor: Actor,
    definition: WorkflowDefinition,
    order_ref: str,
    *,
    workflow_id: int | None = None,
    split_choice: dict[str, int] | None = None,
    now: dt.datetime | None = None,
) -> Simulation:
    """What ``definition`` would do for the order ``order_ref``."""
    require(actor, Action.VIEW_WORKFLOWS)
    settings = store_settings.load(session)
    order = find_order(session, order_ref)
    customer = session.get(Customer, order.customer_id)
    trigger, happened = _trigger_event(session, definition, order)
    at = happened or now or dt.datetime.now(dt.UTC)
    spec = TRIGGERS.get(trigger)
    event = spec.event if spec and spec.event else "placed"
    record = _record(session, order, event, at, _fields(definition))
    ctx = EvalContext(
        now=at, tz=settings.tz, store_currency=settings.currency, rates=settings.exchange_rates
    )
    entry = rule_results(definition.entry, record, ctx, settings.currency)
    enters = safe_eval(definition.entry, record, ctx)
    holdout = bool(
        workflow_id and customer and is_holdout(workflow_id, customer.id, definition.holdout_pct)
    )
    sim = Simulation(
        order.external_id,
        customer.email if customer and customer.email else "",
        spec.label if spec else trigger,
        at,
        enters,
        holdout,
        entry,
        rule_results(definition.exit, record, ctx, settings.currency),
    )
    if happened is None:
        sim.notes.append("This order never had the trigger event; simulated as if it happened now.")
    if not enters:
        sim.notes.append("The order does not meet the entry conditions: nothing would happen.")
        return sim
    if holdout:
        sim.notes.append(
            f"The customer is in this workflow's {definition.holdout_pct}% holdout: "
            "they would receive nothing (messages below are what others get)."
        )
    _walk(session, definition, order, record, ctx, sim, split_choice or {})
    return sim


def _walk(
    session: Session,
    definition: WorkflowDefinition,
    order: Order,
    record: dict[str, Any],
    ctx: EvalContext,
    sim: Simulation,
    split_choice: dict[str, int],
) -> None:
    clock = sim.trigger_at
    current = definition.first_step_id()
    seen: set[str] = set()
    while current and len(sim.steps) < MAX_STEPS:
        step = definition.step(current)
        if step is None or current in seen:
            break
        seen.add(current)
        if definition.exit is not None and safe_eval(definition.exit, record, ctx):
            sim.notes.append(
                f"Before '{step_title(step)}' the exit conditions hold: the order leaves."
            )
            return
        result, current, clock = run_step(session, step, order, record, ctx, clock, split_choice)
        result.summary = result.summary or step_text(step, ctx.store_currency)
        sim.steps.append(result)


def sample_orders(
    session: Session, actor: Actor, definition: WorkflowDefinition, limit: int = 40
) -> list[tuple[str, str]]:
    """Recent orders that had one of the workflow's trigger events (recent orders otherwise),
    as ``(order ref, label)`` pairs for a picker."""
    require(actor, Action.VIEW_WORKFLOWS)
    events = [s.event for t in definition.triggers if (s := TRIGGERS.get(t.type)) and s.event]
    query = (
        select(Order.external_id, Order.total, Order.currency, Order.shipping_country,
               Customer.email)
        .join(Customer, Customer.id == Order.customer_id)
    )  # fmt: skip
    if events:
        query = query.where(
            Order.id.in_(select(OrderEvent.order_id).where(OrderEvent.type.in_(events)))
        )
    rows = session.execute(query.order_by(Order.placed_at.desc()).limit(limit)).all()
    return [
        (ref, f"{ref} · {total} {currency} · {country or '?'} · {email or 'no email'}")
        for ref, total, currency, country, email in rows
    ]
