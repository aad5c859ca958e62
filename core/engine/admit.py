"""Admission into a workflow: rows that meet the entry conditions become enrolments.

Shared by the event-driven enrolment (``enrol``) and the time-based triggers (``timed``), so both
import this module and neither imports the other's callers. :class:`Admissions` collects the
enrolments of many workflows over one frame of rows: a condition shared by several workflows is
evaluated once, and every row is inserted with one statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy.orm import Session

from core.engine.active import Running
from core.engine.conditions import EvalContext, evaluate_frame
from core.engine.holdout import holdout_mask
from core.engine.sqlutil import driver_value, insert_ignore, insert_tuples_ignore
from core.models import Enrolment, TriggerMark
from core.settings import StoreSettings

COLUMNS = (
    "dedupe_key",
    "workflow_id",
    "version",
    "customer_id",
    "order_id",
    "trigger",
    "trigger_at",
    "is_holdout",
    "status",
    "current_step_id",
    "next_due_at",
    "state",
    "entered_at",
    "completed_at",
    "is_demo",
)


def eval_context(now: dt.datetime, st: StoreSettings) -> EvalContext:
    return EvalContext(now=now, tz=st.tz, store_currency=st.currency, rates=st.exchange_rates)


class Admissions:
    """Enrolments of many workflows over the rows of one enriched ``frame`` (columns
    ``customer_id``, ``order_id``, ``occurred_at`` and the fields the conditions use)."""

    def __init__(
        self, session: Session, frame: pd.DataFrame, now: dt.datetime, st: StoreSettings
    ) -> None:
        self.session = session
        self.frame = frame
        self.ctx = eval_context(now, st)
        self.memo: dict[str, pd.Series] = {}
        self.rows: list[tuple[Any, ...]] = []
        self._value = driver_value(session)
        self._now = self._value(now)
        self._state = self._value({})
        self._customers = np.asarray(frame["customer_id"].astype("int64").to_numpy(), np.int64)
        self._orders: list[int | None] = [
            None if pd.isna(v) else int(v) for v in frame["order_id"].astype(object)
        ]
        self._stamps: list[Any] | None = None

    def _stamps_at(self) -> list[Any]:
        """Every row's ``occurred_at`` as the driver takes it (converted once, when needed)."""
        if self._stamps is None:
            moments = self.frame["occurred_at"].dt.to_pydatetime()
            self._stamps = [self._value(t) for t in moments]
        return self._stamps

    def add(
        self,
        wf: Running,
        candidates: npt.NDArray[np.bool_] | None,
        keys_at: Callable[[list[int]], list[str]],
        trigger: Sequence[Any] | str,
    ) -> tuple[int, int]:
        """Queue enrolments for the candidate rows (all rows when None) that meet ``wf``'s entry
        conditions; returns (rows, of which holdout). ``keys_at`` gives the dedupe keys of rows at
        some positions and ``trigger`` the trigger name (one for all rows, or one per row)."""
        passed = evaluate_frame(wf.definition.entry, self.frame, self.ctx, self.memo).to_numpy()
        if candidates is not None:
            passed = passed & candidates
        positions = np.flatnonzero(passed)
        if not len(positions):
            return 0, 0
        hold = holdout_mask(wf.id, self._customers[positions], wf.definition.holdout_pct)
        first = wf.definition.first_step_id()
        status, due = ("active", self._now) if first else ("completed", None)
        done = None if first else self._now
        at = positions.tolist()
        stamps = self._stamps_at()
        flags = (self._value(False), self._value(True))
        one = isinstance(trigger, str)
        self.rows.extend(
            zip(
                keys_at(at),
                repeat(wf.id),
                repeat(wf.version),
                self._customers[positions].tolist(),
                [self._orders[i] for i in at],
                repeat(trigger) if one else [str(trigger[i]) for i in at],
                [stamps[i] for i in at],
                [flags[h] for h in hold.tolist()],
                repeat(status),
                repeat(first),
                repeat(due),
                repeat(self._state),
                repeat(self._now),
                repeat(done),
                repeat(flags[0]),
            )
        )
        return len(positions), int(hold.sum())

    def insert(self) -> None:
        """Insert the queued enrolments (a dedupe key already present is skipped)."""
        insert_tuples_ignore(self.session, Enrolment, COLUMNS, self.rows, ["dedupe_key"])
        self.rows = []


def mark(session: Session, workflow_id: int, keys: list[str], now: dt.datetime) -> None:
    insert_ignore(
        session,
        TriggerMark,
        [{"workflow_id": workflow_id, "key": k, "at": now} for k in keys],
        ["workflow_id", "key"],
    )
