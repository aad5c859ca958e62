"""Enrolment: who enters which workflow.

Every cycle reads the new rows of the ``order_events`` log (whatever wrote them: imports, the
``event`` command, the demo, live ingest). An active workflow enrols on events that occurred at
or after its activation; older events never enrol anyone, so importing two years of history does
not email two years of customers, while a shop uploading a CSV every morning gets its messages.
Entry conditions are evaluated vectorised on the batch. ``Enrolment.dedupe_key`` (unique) makes
entry happen once per order and workflow (once per event when re-entry is allowed).

Time-based triggers (no order for N days, delivery promise missed) are evaluated every cycle;
``TriggerMark`` makes each fire at most once per key (customer and last order, or order), and
only for moments at or after the activation.

The read position is a cursor on event ids. On PostgreSQL an id can become visible after a
higher one (a long import commits later; a conflict skips an id): while a gap in the ids is
younger than ``GAP_WAIT``, the cursor stays before it and the events after it are read again
next cycle (the dedupe key makes that harmless).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import bindparam, text, update
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.engine import context
from core.engine.active import Running, active_workflows
from core.engine.admit import Admissions
from core.engine.conditions import fields_used
from core.engine.registry import TRIGGERS
from core.engine.sqlutil import frame_of, try_singleton_lock
from core.engine.timed import fire_time_triggers
from core.engine.wakeup import CURSOR_KEY as CURSOR_KEY  # the key of the cursor advanced here
from core.models import Enrolment
from core.settings import StoreSettings

GAP_WAIT = dt.timedelta(minutes=10)
BATCH = 5_000
ENROL_LOCK = 0x0F10E0


@dataclass
class EnrolStats:
    events: int = 0
    enrolled: int = 0
    holdout: int = 0
    time_triggers: int = 0
    woken: int = 0
    per_workflow: dict[int, int] = field(default_factory=dict)


def dedupe_key(workflow_id: int, reentry: bool, order_id: int, event_id: int | None) -> str:
    if reentry and event_id is not None:
        return f"w{workflow_id}:e{event_id}"
    return f"w{workflow_id}:o{order_id}"


def _read_events(session: Session, cursor: int, limit: int) -> pd.DataFrame:
    result = session.connection().execute(
        text(
            "SELECT id, order_id, customer_id, type, occurred_at, recorded_at FROM order_events "
            "WHERE id > :c ORDER BY id LIMIT :n"
        ),
        {"c": cursor, "n": limit},
    )
    frame = frame_of(result)
    if len(frame):
        frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True, format="ISO8601")
        frame["recorded_at"] = pd.to_datetime(frame["recorded_at"], utc=True, format="ISO8601")
    return frame


def _safe_cursor(events: pd.DataFrame, cursor: int, now: dt.datetime) -> int:
    """The highest id up to which no younger-than-GAP_WAIT gap remains."""
    safe = cursor
    for event_id, recorded in zip(events["id"], events["recorded_at"], strict=True):
        if int(event_id) != safe + 1 and pd.Timestamp(now) - recorded < GAP_WAIT:
            break
        safe = int(event_id)
    return safe


def _candidates(wf: Running, frame: pd.DataFrame, memo: dict[object, Any]) -> npt.NDArray[np.bool_]:
    """Rows of the batch that fire one of the workflow's event or sequence triggers (workflows
    with the same triggers and activation share the answer through ``memo``)."""
    signature = (tuple(t.model_dump_json() for t in wf.definition.triggers), wf.activated_at)
    if signature in memo:
        return memo[signature]  # type: ignore[no-any-return]
    hit = np.zeros(len(frame), dtype=bool)
    for trig in wf.definition.triggers:
        spec = TRIGGERS.get(trig.type)
        if spec is None or spec.kind == "time":
            continue
        mask = _event_types(frame, memo) == spec.event
        if trig.type == "first_order":
            mask &= _sequences(frame) == 1
        elif trig.type == "nth_order":
            mask &= _sequences(frame) == int(trig.params.get("n", 2))
        hit |= mask
    hit &= (frame["occurred_at"] >= pd.Timestamp(wf.activated_at)).to_numpy(dtype=bool)
    memo[signature] = hit
    return hit


def _event_types(frame: pd.DataFrame, memo: dict[object, Any]) -> npt.NDArray[Any]:
    if "event_type" not in memo:
        memo["event_type"] = frame["event_type"].astype(object).to_numpy()
    return memo["event_type"]  # type: ignore[no-any-return]


def _sequences(frame: pd.DataFrame) -> npt.NDArray[np.float64]:
    return np.asarray(frame["order.sequence"].to_numpy(dtype="float64", na_value=np.nan))


def _needed_fields(workflows: list[Running]) -> set[str]:
    wanted: set[str] = set()
    for wf in workflows:
        wanted |= fields_used(wf.definition.entry)
        if any(t.type in ("first_order", "nth_order") for t in wf.definition.triggers):
            wanted.add("order.sequence")
    return wanted


def _event_batch(
    session: Session,
    workflows: list[Running],
    events: pd.DataFrame,
    now: dt.datetime,
    st: StoreSettings,
    stats: EnrolStats,
) -> None:
    base = pd.DataFrame(
        {
            "event_id": events["id"].astype("int64"),
            "order_id": events["order_id"],
            "customer_id": events["customer_id"],
            "event_type": events["type"],
            "occurred_at": events["occurred_at"],
            "as_of": events["occurred_at"],
            "trigger_at": events["occurred_at"],
        }
    )
    latest = base["occurred_at"].max()
    relevant = [wf for wf in workflows if latest >= pd.Timestamp(wf.activated_at)]
    if not relevant:
        return
    frame = context.enrich(session, base, st, _needed_fields(relevant))
    admissions = Admissions(session, frame, now, st)
    orders = [f":o{int(o)}" for o in frame["order_id"]]
    event_ids = [f":e{int(e)}" for e in frame["event_id"]]
    types = [str(t) for t in frame["event_type"]]
    memo: dict[object, Any] = {}
    for wf in relevant:
        hit = _candidates(wf, frame, memo)
        if not hit.any():
            continue
        prefix = f"w{wf.id}"  # the same keys as dedupe_key()
        suffix = event_ids if wf.definition.allow_reentry else orders

        def key_at(at: list[int], prefix: str = prefix, suffix: list[str] = suffix) -> list[str]:
            return [prefix + suffix[i] for i in at]

        n, held = admissions.add(wf, hit, key_at, types)
        stats.enrolled += n
        stats.holdout += held
        stats.per_workflow[wf.id] = stats.per_workflow.get(wf.id, 0) + n
    admissions.insert()


def wake_waiting(session: Session, events: pd.DataFrame, now: dt.datetime) -> int:
    """Make enrolments waiting for one of these events due now (the runner checks scope)."""
    woken = 0
    for event_type, group in events.groupby("type"):
        orders = sorted({int(v) for v in group["order_id"]})
        customers = sorted({int(v) for v in group["customer_id"]})
        for ids, column in ((orders, Enrolment.order_id), (customers, Enrolment.customer_id)):
            for start in range(0, len(ids), context.CHUNK):
                result = session.execute(
                    update(Enrolment)
                    .where(
                        Enrolment.status == "active",
                        Enrolment.waiting_event == event_type,
                        column.in_(bindparam("ids", expanding=True)),
                    )
                    .values(next_due_at=now),
                    {"ids": ids[start : start + context.CHUNK]},
                    execution_options={"synchronize_session": False},
                )
                woken += int(getattr(result, "rowcount", 0) or 0)
    return woken


def enrol_new_events(
    session: Session, now: dt.datetime, batch: int = BATCH, max_batches: int = 1000
) -> EnrolStats:
    """Read new events and enrol; the caller commits. One worker at a time on PostgreSQL."""
    stats = EnrolStats()
    if not try_singleton_lock(session, ENROL_LOCK):
        return stats
    st = store_settings.load(session)
    workflows = [
        wf
        for wf in active_workflows(session)
        if any(
            TRIGGERS.get(t.type) and TRIGGERS[t.type].kind != "time" for t in wf.definition.triggers
        )
    ]
    cursor = int(store_settings.get_meta(session, CURSOR_KEY, 0))
    read_from = cursor
    for _ in range(max_batches):
        events = _read_events(session, read_from, batch)
        if events.empty:
            break
        stats.events += len(events)
        if workflows:
            _event_batch(session, workflows, events, now, st, stats)
        stats.woken += wake_waiting(session, events, now)
        if cursor == read_from:
            cursor = _safe_cursor(events, cursor, now)
        read_from = int(events["id"].iloc[-1])
        if len(events) < batch:
            break
    store_settings.set_meta(session, CURSOR_KEY, cursor)
    stats.time_triggers = fire_time_triggers(session, now, st, stats)
    return stats
