"""Execute the due steps of enrolments, in batches.

A batch of due enrolments is claimed (``claimed_by``/``claimed_until``; ``FOR UPDATE SKIP
LOCKED`` on PostgreSQL), their field values are read at once, and each enrolment walks its
steps until it waits, exits or completes. Enrolments are committed in groups of
:data:`COMMIT_EVERY` (one commit, not one per enrolment); when one of a group fails, the group
is rolled back and runs again with a SAVEPOINT per enrolment, so the failing one rolls back only
its own writes (and is retried later) and the others are committed. Before every
step the exit conditions and the "still true?" filter are re-checked (on the values read when
the enrolment was picked up); when they stop it, a pending email is recorded as suppressed
with reason ``exit_condition``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.engine import context
from core.engine.active import Running, version_definition
from core.engine.admit import eval_context
from core.engine.conditions import EvalContext, evaluate, fields_used
from core.engine.registry import TRIGGERS
from core.engine.schema import Node, WorkflowDefinition
from core.engine.sqlutil import Bind, held_session, insert_ignore, lock_skip_locked, open_session
from core.engine.steps import HANDLERS, RENDERER, Go, StepEnv, Wait, _message_row
from core.messaging.batch import BatchRenderer
from core.models import Customer, Enrolment, Message, StepRun, Workflow

MAX_STEPS_PER_RUN = 100
OUTSIDE = frozenset({"webhook"})  # steps that reach outside the database: not run in a rehearsal
LEASE = dt.timedelta(minutes=5)
RETRY_AFTER = dt.timedelta(minutes=15)
MAX_FAILURES = 3
COMMIT_EVERY = 50  # enrolments per commit
log = logging.getLogger(__name__)


@dataclass
class RunStats:
    enrolments: int = 0
    steps: int = 0
    completed: int = 0
    exited: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def claim_enrolments(engine: Bind, worker: str, now: dt.datetime, limit: int) -> list[int]:
    with open_session(engine) as session, session.begin():
        due = (
            select(Enrolment.id)
            .where(
                Enrolment.status == "active",
                Enrolment.next_due_at <= now,
                Enrolment.workflow_id.in_(select(Workflow.id).where(Workflow.status == "active")),
                or_(Enrolment.claimed_until.is_(None), Enrolment.claimed_until < now),
            )
            .order_by(Enrolment.next_due_at, Enrolment.id)
            .limit(limit)
        )
        ids = list(session.scalars(lock_skip_locked(due, session)))
        if ids:
            session.execute(
                update(Enrolment)
                .where(Enrolment.id.in_(ids))
                .values(claimed_by=worker, claimed_until=now + LEASE),
                execution_options={"synchronize_session": False},
            )
        return ids


def _event_type(trigger: str) -> str | None:
    spec = TRIGGERS.get(trigger)
    return spec.event if spec and spec.kind == "event" else (trigger if spec is None else None)


def _records(
    session: Session,
    enrolments: list[Enrolment],
    defs: dict[tuple[int, int], WorkflowDefinition],
    now: dt.datetime,
) -> dict[int, dict[str, Any]]:
    wanted: set[str] = set()
    for d in defs.values():
        wanted |= fields_used(d.still_true) | fields_used(d.exit)
        for s in d.steps:
            wanted |= fields_used(s.condition)
            if s.type == "issue_coupon":
                wanted.add("order.total")  # a percentage coupon's value
    base = pd.DataFrame(
        {
            "order_id": [e.order_id for e in enrolments],
            "customer_id": [e.customer_id for e in enrolments],
            "event_type": [_event_type(e.trigger) for e in enrolments],
            "occurred_at": [e.trigger_at for e in enrolments],
            "as_of": [now] * len(enrolments),
            "trigger_at": [e.trigger_at for e in enrolments],
        }
    )
    st = store_settings.load(session)
    frame = context.enrich(session, base, st, wanted) if wanted else base
    return {e.id: context.record_from_frame(frame, i) for i, e in enumerate(enrolments)}


def _log(
    session: Session,
    e: Enrolment,
    step_id: str,
    kind: str,
    outcome: str,
    detail: str,
    now: dt.datetime,
) -> None:
    row = {
        "enrolment_id": e.id,
        "step_id": step_id,
        "kind": kind,
        "outcome": outcome,
        "detail": detail[:2000],
        "at": now,
    }
    session.connection().execute(_INSERT_STEP_RUN, row)  # no ORM object: no flush per line


_INSERT_STEP_RUN = insert(StepRun.__table__)  # type: ignore[arg-type]


def _stop(
    env: StepEnv, e: Enrolment, reason: str, step_id: str, kind: str, template: str | None
) -> None:
    if kind == "send_email":
        insert_ignore(
            env.session,
            Message,
            [
                _message_row(
                    env,
                    env.workflow.definition.step(step_id),  # type: ignore[arg-type]
                    template_name=template,
                    state="suppressed",
                    suppression_reason="exit_condition",
                    suppressed_at=env.now,
                )
            ],
            ["idempotency_key"],
        )
    e.status, e.exit_reason, e.completed_at, e.next_due_at = "exited", reason[:255], env.now, None
    e.waiting_event = None
    _log(env.session, e, step_id, kind, "exited", reason, env.now)


def _values(node: Node, record: Mapping[str, Any]) -> str:
    """The values the condition saw, e.g. ``order.status = 'cancelled'``."""
    shown = []
    for name in sorted(fields_used(node)):
        value = record.get(name)
        shown.append(f"{name} = {value!r}" if isinstance(value, str) else f"{name} = {value}")
    return ", ".join(shown)


def stop_reason(d: WorkflowDefinition, record: Mapping[str, Any], ctx: EvalContext) -> str | None:
    """Why an enrolment stops now (the run log shows it), or None to go on."""
    reason = None
    if d.exit is not None and evaluate(d.exit, record, ctx):
        reason, node = "exit condition met", d.exit
    elif d.still_true is not None and not evaluate(d.still_true, record, ctx):
        reason, node = "'still true?' filter no longer holds", d.still_true
    if reason is None:
        return None
    status = record.get("order.status")
    why = {"cancelled": "order cancelled", "refunded": "order fully refunded"}.get(str(status))
    return f"{reason}{f' ({why})' if why else ''}: {_values(node, record)}"


def stop_reasons(session: Session, enrolment_ids: set[int], now: dt.datetime) -> dict[int, str]:
    """For enrolments whose email waits in the outbox (deferred, retried, backlog): why their
    workflow no longer wants it sent, on the values as of ``now``, by enrolment id. The
    dispatcher asks just before sending, so a cancellation or refund during the wait counts."""
    enrolments = list(session.scalars(select(Enrolment).where(Enrolment.id.in_(enrolment_ids))))
    cache: dict[tuple[int, int], Running] = {}
    for e in enrolments:
        _running(session, e, cache)
    defs = {k: v.definition for k, v in cache.items()}
    checked = [
        e
        for e in enrolments
        if defs[(e.workflow_id, e.version)].exit is not None
        or defs[(e.workflow_id, e.version)].still_true is not None
    ]
    if not checked:
        return {}
    records = _records(session, checked, defs, now)
    ctx = eval_context(now, store_settings.load(session))
    out: dict[int, str] = {}
    for e in checked:
        reason = stop_reason(defs[(e.workflow_id, e.version)], records[e.id], ctx)
        if reason:
            out[e.id] = reason
    return out


def advance(env: StepEnv, stats: RunStats) -> None:
    """Walk one enrolment's steps from its current position until it waits or ends."""
    e, d = env.enrolment, env.workflow.definition
    for _ in range(MAX_STEPS_PER_RUN):
        step = d.step(e.current_step_id)
        if step is None:
            e.status, e.completed_at, e.next_due_at = "completed", env.now, None
            stats.completed += 1
            return
        template = step.params.get("template") if step.type == "send_email" else None
        reason = None if f"wait:{step.id}" in e.state else stop_reason(d, env.record, env.ctx)
        if reason:  # a started wait is re-checked before the step after it
            _stop(env, e, reason, step.id, step.type, template)
            stats.exited += 1
            return
        if env.rehearsal and step.type in OUTSIDE:
            result: Go | Wait = Go(step.next, "rehearsal", f"{step.type}: would run (rehearsal)")
        else:
            result = HANDLERS[step.type](step, env)
        stats.steps += 1
        if isinstance(result, Wait):
            e.next_due_at = result.until
            _log(env.session, e, step.id, step.type, "waiting", result.detail, env.now)
            stats.outcomes["waiting"] = stats.outcomes.get("waiting", 0) + 1
            return
        assert isinstance(result, Go)
        _log(env.session, e, step.id, step.type, result.outcome, result.detail, env.now)
        stats.outcomes[result.outcome] = stats.outcomes.get(result.outcome, 0) + 1
        e.current_step_id = result.next
    e.next_due_at = env.now  # a long chain continues next pass


def run_due(
    engine: Bind,
    now: dt.datetime,
    worker: str = "worker",
    batch: int = 200,
    max_batches: int = 1000,
    rehearsal: bool = False,
) -> RunStats:
    """Execute every due enrolment step (several batches); returns what was done. In a
    ``rehearsal`` (a transaction rolled back afterwards) no step calls out of the process."""
    stats = RunStats()
    for _ in range(max_batches):
        ids = claim_enrolments(engine, worker, now, batch)
        if not ids:
            break
        _run_batch(engine, ids, worker, now, stats, rehearsal)
        if len(ids) < batch:
            break
    return stats


def _running(session: Session, e: Enrolment, cache: dict[tuple[int, int], Running]) -> Running:
    key = (e.workflow_id, e.version)
    if key not in cache:
        wf = session.get(Workflow, e.workflow_id)
        assert wf is not None
        cache[key] = Running(
            wf.id,
            e.version,
            version_definition(session, wf.id, e.version),
            wf.activated_at or e.entered_at,
            wf.priority,
            wf.name,
        )
    return cache[key]


def _run_batch(
    engine: Bind,
    ids: list[int],
    worker: str,
    now: dt.datetime,
    stats: RunStats,
    rehearsal: bool = False,
) -> None:
    with held_session(engine, expire_on_commit=False) as session:
        enrolments = list(
            session.scalars(select(Enrolment).where(Enrolment.id.in_(ids)).order_by(Enrolment.id))
        )
        cache: dict[tuple[int, int], Running] = {}
        for e in enrolments:
            _running(session, e, cache)
        records = _records(session, enrolments, {k: v.definition for k, v in cache.items()}, now)
        st = store_settings.load(session)
        ctx = eval_context(now, st)
        customers = {
            c.id: c
            for c in session.scalars(
                select(Customer).where(Customer.id.in_({e.customer_id for e in enrolments}))
            )
        }
        session.commit()
        renderer = BatchRenderer(session, [(e.customer_id, e.order_id) for e in enrolments], st)
        shared: dict[str, Any] = {RENDERER: renderer}  # per-batch lookups and rendering
        mine = [e for e in enrolments if e.claimed_by == worker]
        for start in range(0, len(mine), COMMIT_EVERY):
            group = [
                StepEnv(
                    session,
                    e,
                    cache[(e.workflow_id, e.version)],
                    records[e.id],
                    now,
                    st,
                    ctx,
                    customers[e.customer_id],
                    shared,
                    rehearsal,
                )
                for e in mine[start : start + COMMIT_EVERY]
            ]
            _run_group(session, group, worker, now, stats)


def _run_group(
    session: Session, group: list[StepEnv], worker: str, now: dt.datetime, stats: RunStats
) -> None:
    """Run a group of enrolments and commit them together. Tried first in one go; when any of
    them fails, the whole attempt is rolled back and the group runs again with a SAVEPOINT per
    enrolment, so only the failing one is rolled back (and retried later) and the others are
    committed. Nothing of an attempt leaves the database before its commit."""
    ids = [env.enrolment.id for env in group]
    _hold(session, ids, worker, now)
    attempt = RunStats()
    try:
        for env in group:
            advance(env, attempt)
            env.enrolment.claimed_by, env.enrolment.claimed_until = None, None
        session.flush()
    except Exception:  # one broken enrolment must not stop the others: one by one
        session.rollback()
        _hold(session, ids, worker, now)
        for env in group:
            if _advance_one(env, stats):
                stats.enrolments += 1
            else:
                stats.outcomes["failed"] = stats.outcomes.get("failed", 0) + 1
        session.commit()
        return
    session.commit()
    _add(stats, attempt)
    stats.enrolments += len(group)


def _add(total: RunStats, part: RunStats) -> None:
    total.steps += part.steps
    total.completed += part.completed
    total.exited += part.exited
    for key, count in part.outcomes.items():
        total.outcomes[key] = total.outcomes.get(key, 0) + count


def _hold(session: Session, ids: list[int], worker: str, now: dt.datetime) -> None:
    """Write this worker's claim on the enrolments about to run once more (the same lease). Being
    a write it opens the transaction their savepoints nest in (the SQLite driver opens none for
    a SAVEPOINT, whose RELEASE would then commit) and, on SQLite, takes the write lock that
    :func:`core.engine.sqlutil.next_id` relies on."""
    session.execute(
        update(Enrolment)
        .where(Enrolment.id.in_(ids), Enrolment.claimed_by == worker)
        .values(claimed_until=now + LEASE),
        execution_options={"synchronize_session": False},
    )


def _advance_one(env: StepEnv, stats: RunStats) -> bool:
    """Run one enrolment under a SAVEPOINT: when it fails, only its own writes are undone and
    the failure is recorded; the batch goes on. False when it failed."""
    session, e = env.session, env.enrolment
    try:
        with session.begin_nested():
            advance(env, stats)
            e.claimed_by, e.claimed_until = None, None
    except Exception as exc:  # one broken enrolment must not stop the others
        _failed(session, e.id, exc, env.now)
        return False
    return True


def _failed(session: Session, enrolment_id: int, exc: Exception, now: dt.datetime) -> None:
    """Log the error; retry after RETRY_AFTER, and give up after MAX_FAILURES. Written in the
    batch's transaction (its savepoint was rolled back), committed with the batch."""
    log.warning("enrolment %s failed: %s", enrolment_id, exc)
    e = session.get(Enrolment, enrolment_id)
    if e is None:
        return
    failures = int(e.state.get("failures", 0)) + 1
    e.state = {**e.state, "failures": failures}
    e.claimed_by, e.claimed_until = None, None
    if failures >= MAX_FAILURES:
        e.status, e.next_due_at, e.exit_reason = "failed", None, str(exc)[:255]
    else:
        e.next_due_at = now + RETRY_AFTER * failures
    _log(session, e, e.current_step_id or "-", "error", "failed", str(exc), now)
