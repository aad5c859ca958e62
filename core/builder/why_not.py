"""Why an order (or a customer's orders) did NOT enter a workflow, worked out when asked.

Enrolment stores nothing per event and workflow that did not enrol (that would slow down every
cycle); this module replays the decision for the events of one order or customer against every
active or paused workflow whose trigger they fire, and names the first reason that applies:

- ``already_enrolled``: the order is in the workflow already (once per order unless re-entry);
- ``not_active``: the workflow was not active when the event happened (draft, paused, or the
  event is older than its activation: history never enrols);
- ``pending``: the worker has not read the event yet;
- ``not_first_order`` / ``not_nth_order``: a sequence trigger that does not match;
- ``entry_condition``: the entry condition is false, with every failing rule and its value (the
  order's data read now, as of the event);
- ``unexplained``: everything holds now (the data may have changed since).

Enrolments themselves, holdouts included, are in :func:`core.engine.runlog.run_log`;
:func:`explained_log` returns both, so every message sent, skipped or never enrolled is explained.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.builder.sim_results import rule_results
from core.engine import context
from core.engine.active import version_definition
from core.engine.admit import eval_context
from core.engine.conditions import evaluate, fields_used
from core.engine.enrol import CURSOR_KEY
from core.engine.registry import TRIGGERS
from core.engine.runlog import COLUMNS, run_log
from core.engine.schema import WorkflowDefinition
from core.models import Enrolment, Order, OrderEvent, Workflow

MAX_EVENTS = 500  # a customer's most recent events


@dataclass(frozen=True)
class _Live:
    id: int
    name: str
    status: str
    activated_at: dt.datetime | None
    definition: WorkflowDefinition


def explained_log(
    session: Session, *, customer_id: int | None = None, order_id: int | None = None
) -> pd.DataFrame:
    """The run log plus one row for every (event, workflow) that fired no enrolment, by time."""
    log = run_log(session, customer_id=customer_id, order_id=order_id)
    missing = not_enrolled(session, customer_id=customer_id, order_id=order_id)
    if missing.empty:
        return log
    both = pd.concat([log, missing], ignore_index=True) if len(log) else missing
    return both.sort_values(["at"], kind="stable").reset_index(drop=True)


def _workflows(session: Session) -> list[_Live]:
    rows = session.execute(
        select(Workflow).where(
            Workflow.status.in_(("active", "paused")), Workflow.published_version.is_not(None)
        )
    ).scalars()
    return [
        _Live(
            wf.id,
            wf.name,
            wf.status,
            wf.activated_at,
            version_definition(session, wf.id, int(wf.published_version or 0)),
        )
        for wf in rows
    ]


def _fires(d: WorkflowDefinition, event_type: str) -> list[str]:
    """The event and sequence triggers of ``d`` that an event of this type fires."""
    return [
        t.type
        for t in d.triggers
        if (spec := TRIGGERS.get(t.type)) is not None
        and spec.kind != "time"
        and spec.event == event_type
    ]


def _events(
    session: Session, customer_id: int | None, order_id: int | None
) -> list[tuple[int, int, int, str, dt.datetime, str]]:
    stmt = select(
        OrderEvent.id,
        OrderEvent.order_id,
        OrderEvent.customer_id,
        OrderEvent.type,
        OrderEvent.occurred_at,
        Order.number,
    ).join(Order, Order.id == OrderEvent.order_id)
    if order_id is not None:
        stmt = stmt.where(OrderEvent.order_id == order_id)
    if customer_id is not None:
        stmt = stmt.where(OrderEvent.customer_id == customer_id)
    stmt = stmt.order_by(OrderEvent.occurred_at.desc(), OrderEvent.id.desc()).limit(MAX_EVENTS)
    return [(r[0], r[1], r[2], r[3], r[4], r[5] or "") for r in session.execute(stmt).all()]


def not_enrolled(
    session: Session, *, customer_id: int | None = None, order_id: int | None = None
) -> pd.DataFrame:
    """One row (run-log columns, kind ``not enrolled``) per event and workflow it fired that
    has no enrolment of its own, with the reason (see the module docstring)."""
    workflows = _workflows(session)
    events = _events(session, customer_id, order_id)
    pairs = [
        (e, wf, trig) for e in events for wf in workflows if (trig := _fires(wf.definition, e[3]))
    ]
    if not pairs:
        return pd.DataFrame(columns=COLUMNS)
    st = store_settings.load(session)
    cursor = int(store_settings.get_meta(session, CURSOR_KEY, 0))
    orders = sorted({e[1] for e, _, _ in pairs})
    enrolled: dict[tuple[int, int], list[Enrolment]] = {}
    for en in session.scalars(select(Enrolment).where(Enrolment.order_id.in_(orders))):
        enrolled.setdefault((en.workflow_id, int(en.order_id or 0)), []).append(en)
    records = _records(session, [e for e, _, _ in pairs], [wf for _, wf, _ in pairs], st)
    rows: list[dict[str, object]] = []
    for i, (event, wf, triggers) in enumerate(pairs):
        event_id, oid, _, kind, at, number = event
        mine = enrolled.get((wf.id, oid), [])
        if any(en.trigger_at == at for en in mine):
            continue  # this event enrolled it: the run log shows that enrolment
        outcome, detail = _reason(wf, triggers, event_id, at, mine, records[i], cursor, st)
        rows.append(
            {
                "at": at,
                "workflow": wf.name,
                "enrolment": None,
                "step": "",
                "kind": "not enrolled",
                "outcome": outcome,
                "detail": f"{kind} of order {number}: {detail}",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def _records(
    session: Session,
    events: list[tuple[int, int, int, str, dt.datetime, str]],
    workflows: list[_Live],
    st: store_settings.StoreSettings,
) -> list[dict[str, Any]]:
    wanted: set[str] = {"order.sequence"}
    for wf in workflows:
        wanted |= fields_used(wf.definition.entry)
    base = pd.DataFrame(
        {
            "order_id": [e[1] for e in events],
            "customer_id": [e[2] for e in events],
            "event_type": [e[3] for e in events],
            "occurred_at": [e[4] for e in events],
            "as_of": [e[4] for e in events],
            "trigger_at": [e[4] for e in events],
        }
    )
    frame = context.enrich(session, base, st, wanted)
    return [context.record_from_frame(frame, i) for i in range(len(events))]


def _reason(
    wf: _Live,
    triggers: list[str],
    event_id: int,
    at: dt.datetime,
    mine: list[Enrolment],
    record: dict[str, Any],
    cursor: int,
    st: store_settings.StoreSettings,
) -> tuple[str, str]:
    d = wf.definition
    if mine and not d.allow_reentry:
        first = min(mine, key=lambda e: e.entered_at)
        return (
            "already_enrolled",
            f"already enrolled (enrolment {first.id}, by its {first.trigger} at "
            f"{first.trigger_at:%Y-%m-%d %H:%M} UTC); an order enters a workflow once unless "
            "re-entry is allowed",
        )
    if wf.activated_at is None or at < wf.activated_at:
        since = f"activated {wf.activated_at:%Y-%m-%d %H:%M} UTC" if wf.activated_at else "never"
        return (
            "not_active",
            f"not active when it happened ({since}); events before the activation never enrol",
        )
    if wf.status != "active":
        return "not_active", f"the workflow is {wf.status}: it enrols only while active"
    if event_id > cursor:
        return "pending", "the worker has not read this event yet"
    sequence = record.get("order.sequence")
    seq_ok = [t for t in triggers if _sequence_ok(d, t, sequence)]
    if not seq_ok:
        wanted = "first order" if "first_order" in triggers else "order number N"
        return (
            "not_first_order" if "first_order" in triggers else "not_nth_order",
            f"trigger needs the customer's {wanted}; this is their order #{sequence}",
        )
    ctx = eval_context(at, st)
    if d.entry is not None and not evaluate(d.entry, record, ctx):
        failing = [
            f"{r.text} (value: {r.actual})"
            for r in rule_results(d.entry, record, ctx, st.currency)
            if not r.passed and r.actual != ""
        ]
        return "entry_condition", "entry condition false: " + "; ".join(failing)
    return (
        "unexplained",
        "the entry condition holds on the order's data now; it did not when the event was read "
        "(the data changed since)",
    )


def _sequence_ok(d: WorkflowDefinition, trigger: str, sequence: object) -> bool:
    if trigger == "first_order":
        return sequence == 1
    if trigger == "nth_order":
        n = next((t.params.get("n", 2) for t in d.triggers if t.type == "nth_order"), 2)
        return sequence == int(n)
    return True
