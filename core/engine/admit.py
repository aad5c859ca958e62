"""Admission into a workflow: rows that meet the entry conditions become enrolments.

Shared by the event-driven enrolment (``enrol``) and the time-based triggers (``timed``), so both
import this module and neither imports the other's callers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from core.engine.active import Running
from core.engine.conditions import EvalContext, evaluate_frame
from core.engine.holdout import holdout_mask
from core.engine.sqlutil import insert_frame_ignore, insert_ignore
from core.models import Enrolment, TriggerMark
from core.settings import StoreSettings


def eval_context(now: dt.datetime, st: StoreSettings) -> EvalContext:
    return EvalContext(now=now, tz=st.tz, store_currency=st.currency, rates=st.exchange_rates)


def enrol_frame(
    session: Session,
    wf: Running,
    frame: pd.DataFrame,
    now: dt.datetime,
    st: StoreSettings,
    keys: pd.Series,
    trigger: pd.Series,
) -> tuple[int, int]:
    """Insert enrolments for the rows of ``frame`` that meet the entry conditions."""
    if frame.empty:
        return 0, 0
    passed = frame[evaluate_frame(wf.definition.entry, frame, eval_context(now, st))]
    if passed.empty:
        return 0, 0
    customers = np.asarray(passed["customer_id"].astype("int64").to_numpy(), dtype=np.int64)
    hold = holdout_mask(wf.id, customers, wf.definition.holdout_pct)
    first = wf.definition.first_step_id()
    rows = pd.DataFrame(
        {
            "dedupe_key": keys.reindex(passed.index).astype(str).to_numpy(),
            "workflow_id": wf.id,
            "version": wf.version,
            "customer_id": customers,
            "order_id": passed["order_id"].astype("Int64").to_numpy(),
            "trigger": trigger.reindex(passed.index).astype(str).to_numpy(),
            "trigger_at": passed["occurred_at"].to_numpy(),
            "is_holdout": hold,
            "status": "active" if first else "completed",
            "current_step_id": first,
            "next_due_at": now if first else None,
            "state": "{}",
            "entered_at": now,
            "completed_at": None if first else now,
            "is_demo": False,
        }
    )
    insert_frame_ignore(session, Enrolment, rows, ["dedupe_key"])
    return len(rows), int(hold.sum())


def mark(session: Session, workflow_id: int, keys: list[str], now: dt.datetime) -> None:
    insert_ignore(
        session,
        TriggerMark,
        [{"workflow_id": workflow_id, "key": k, "at": now} for k in keys],
        ["workflow_id", "key"],
    )
