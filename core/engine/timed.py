"""Time-based triggers, evaluated by the worker every cycle: no order for N days (once per
customer and last order) and delivery promise missed (once per order). Only moments at or after
a workflow's activation fire; ``TriggerMark`` records each key so it fires at most once."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

import pandas as pd
from sqlalchemy import text
from sqlalchemy.orm import Session

from core.engine import context
from core.engine.active import Running, active_workflows
from core.engine.admit import Admissions, mark
from core.engine.conditions import fields_used
from core.engine.sqlutil import frame_of
from core.settings import StoreSettings

_LAST_ORDERS = """
SELECT o.customer_id, o.id AS order_id, o.placed_at FROM orders o
JOIN (SELECT customer_id, MAX(placed_at) AS last_at FROM orders GROUP BY customer_id
      HAVING MAX(placed_at) <= :latest AND MAX(placed_at) >= :earliest) m
  ON m.customer_id = o.customer_id AND m.last_at = o.placed_at
WHERE NOT EXISTS (SELECT 1 FROM trigger_marks t WHERE t.workflow_id = :w
                  AND t.key = 'c' || CAST(o.customer_id AS VARCHAR(20)) || '\\:o'
                              || CAST(o.id AS VARCHAR(20)))
"""
_MISSED = """
SELECT o.customer_id, o.id AS order_id, o.promised_delivery_at FROM orders o
WHERE o.promised_delivery_at <= :latest AND o.promised_delivery_at >= :earliest
  AND o.cancelled_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM order_events e WHERE e.order_id = o.id
                  AND e.type IN ('delivered', 'picked_up')
                  AND e.occurred_at <= o.promised_delivery_at + {grace})
  AND NOT EXISTS (SELECT 1 FROM trigger_marks t WHERE t.workflow_id = :w
                  AND t.key = 'o' || CAST(o.id AS VARCHAR(20)))
"""


def _bind(session: Session, moment: dt.datetime) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return moment


def _rows(session: Session, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    result = session.connection().execute(text(sql), params)
    return frame_of(result)


def _no_order_rows(session: Session, wf: Running, days: int, now: dt.datetime) -> pd.DataFrame:
    gap = dt.timedelta(days=days)
    params = {
        "latest": _bind(session, now - gap),
        "earliest": _bind(session, wf.activated_at - gap),
        "w": wf.id,
    }
    rows = _rows(session, _LAST_ORDERS, params).drop_duplicates("customer_id")
    if rows.empty:
        return rows
    placed = pd.to_datetime(rows["placed_at"], utc=True, format="ISO8601")
    rows["occurred_at"] = placed + gap
    rows["key"] = [f"c{c}:o{o}" for c, o in zip(rows["customer_id"], rows["order_id"], strict=True)]
    return rows


def _missed_rows(session: Session, wf: Running, hours: float, now: dt.datetime) -> pd.DataFrame:
    grace = dt.timedelta(hours=hours)
    params = {
        "latest": _bind(session, now - grace),
        "earliest": _bind(session, wf.activated_at - grace),
        "w": wf.id,
    }
    if session.get_bind().dialect.name == "sqlite":
        sql = _MISSED.replace(
            "o.promised_delivery_at + {grace}",
            f"datetime(o.promised_delivery_at, '+{int(grace.total_seconds())} seconds')",
        )
        sql = sql.replace("e.occurred_at <=", "datetime(e.occurred_at) <=")
    else:
        sql = _MISSED.format(grace=f"make_interval(secs => {grace.total_seconds()})")
    rows = _rows(session, sql, params)
    if rows.empty:
        return rows
    promised = pd.to_datetime(rows["promised_delivery_at"], utc=True, format="ISO8601")
    rows["occurred_at"] = promised + grace
    rows["key"] = [f"o{o}" for o in rows["order_id"]]
    return rows


def _pick(keys: list[str], at: list[int]) -> list[str]:
    return [keys[i] for i in at]


def fire_time_triggers(session: Session, now: dt.datetime, st: StoreSettings, stats: Any) -> int:
    """Evaluate every time-based trigger of the active workflows; returns keys fired."""
    fired = 0
    for wf in active_workflows(session):
        for trig in wf.definition.triggers:
            if trig.type == "no_order_for_days":
                rows = _no_order_rows(session, wf, int(trig.params.get("days", 90)), now)
            elif trig.type == "delivery_promise_missed":
                rows = _missed_rows(session, wf, float(trig.params.get("grace_hours", 0) or 0), now)
            else:
                continue
            if rows.empty:
                continue
            mark(session, wf.id, list(rows["key"]), now)
            fired += len(rows)
            base = pd.DataFrame(
                {
                    "order_id": rows["order_id"],
                    "customer_id": rows["customer_id"],
                    "event_type": None,
                    "occurred_at": rows["occurred_at"],
                    "as_of": rows["occurred_at"],
                    "trigger_at": rows["occurred_at"],
                }
            )
            frame = context.enrich(session, base, st, fields_used(wf.definition.entry))
            keys = [f"w{wf.id}:{k}" for k in rows["key"]]
            admissions = Admissions(session, frame, now, st)
            n, held = admissions.add(wf, None, partial(_pick, keys), trig.type)
            admissions.insert()
            stats.enrolled += n
            stats.holdout += held
            stats.per_workflow[wf.id] = stats.per_workflow.get(wf.id, 0) + n
    return fired
