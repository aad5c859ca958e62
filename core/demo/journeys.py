"""The run history of the demo workflows, as the engine would have written it.

For every enrolment this replays the preset's steps (waits, the 10:00 Mon-Sat send time in the
customer's time zone, exit conditions re-checked before each step, the review wait with its
5-day timeout, the coupon) up to the demo's cut-off, and the dispatch policy for each email
(holdout, exit condition, no consent, unsubscribed, quiet hours). Enrolments still waiting at the
cut-off stay ``active`` with their position and due time, so the worker carries them on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.demo import catalog
from core.demo.calendar import DAY, HOUR
from core.demo.frames import NULL

QUIET_START_H, QUIET_END_H = 21, 8
SEND_HOUR = 10
EXIT = "exit condition met"


@dataclass
class Sends:
    """Emails of a workflow: enrolment index, step, template, queued time, suppression cause
    decided by the engine (holdout, exit condition) or None."""

    enrolment: list[np.ndarray] = field(default_factory=list)
    step: list[str] = field(default_factory=list)
    template: list[str] = field(default_factory=list)
    at: list[np.ndarray] = field(default_factory=list)
    reason: list[np.ndarray] = field(default_factory=list)


@dataclass
class Journeys:
    """One workflow's enrolments (index = enrolment number within the workflow)."""

    preset: str
    workflow_id: int
    order: np.ndarray
    customer: np.ndarray
    trigger: np.ndarray
    trigger_at: np.ndarray
    entered_at: np.ndarray
    holdout: np.ndarray
    status: np.ndarray
    current_step: np.ndarray
    next_due: np.ndarray
    waiting_event: np.ndarray
    completed_at: np.ndarray
    exit_reason: np.ndarray
    state: np.ndarray  # JSON text
    runs: list[tuple[np.ndarray, str, str, np.ndarray, np.ndarray, np.ndarray, int]] = field(
        default_factory=list
    )
    """(enrolment indexes, step, kind, outcome, detail, at, send part or -1)"""
    sends: Sends = field(default_factory=Sends)

    def __len__(self) -> int:
        return len(self.order)

    def run(
        self,
        mask: np.ndarray,
        step: str,
        kind: str,
        outcome: str | np.ndarray,
        detail: str | np.ndarray,
        at: np.ndarray,
        send: int = -1,
    ) -> None:
        idx = np.flatnonzero(mask)
        outcomes = np.broadcast_to(np.asarray(outcome, dtype=object), mask.shape)[idx]
        details = np.broadcast_to(np.asarray(detail, dtype=object), mask.shape)[idx]
        self.runs.append((idx, step, kind, outcomes, details, at[idx], send))

    def send(
        self, mask: np.ndarray, step: str, template: str, at: np.ndarray, reason: object
    ) -> int:
        """Record emails; returns the part number that step-run details may refer to."""
        idx = np.flatnonzero(mask)
        self.sends.enrolment.append(idx)
        self.sends.step.append(step)
        self.sends.template.append(template)
        self.sends.at.append(at[idx])
        reasons = np.broadcast_to(np.asarray(reason, dtype=object), mask.shape)[idx]
        self.sends.reason.append(np.asarray(reasons))
        return len(self.sends.step) - 1

    def finish(self, mask: np.ndarray, status: str, at: np.ndarray, step: object = None) -> None:
        self.status[mask] = status
        self.completed_at[mask] = at[mask]
        self.current_step[mask] = step
        self.next_due[mask] = NULL
        if status == "exited":
            self.exit_reason[mask] = EXIT

    def wait(self, mask: np.ndarray, step: str, due: np.ndarray, event: object = None) -> None:
        self.current_step[mask] = step
        self.next_due[mask] = due[mask]
        self.waiting_event[mask] = event


def start(
    preset: str,
    workflow_id: int,
    order: np.ndarray,
    customer: np.ndarray,
    trigger: np.ndarray,
    trigger_at: np.ndarray,
    entered_at: np.ndarray,
    holdout: np.ndarray,
    first_step: str,
) -> Journeys:
    n = len(order)
    return Journeys(
        preset, workflow_id, order, customer, trigger, trigger_at, entered_at, holdout,
        status=np.full(n, "active", dtype=object), current_step=np.full(n, first_step, dtype=object),
        next_due=np.full(n, NULL, dtype=np.int64), waiting_event=np.full(n, None, dtype=object),
        completed_at=np.full(n, NULL, dtype=np.int64), exit_reason=np.full(n, None, dtype=object),
        state=np.full(n, "{}", dtype=object),
    )  # fmt: skip


def local_wall(t: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Local wall-clock time (as epoch seconds of a naive clock) in each customer's zone."""
    out = np.empty_like(t)
    for k, c in enumerate(catalog.COUNTRIES):
        m = country == k
        if m.any():
            stamps = pd.to_datetime(t[m], unit="s", utc=True).tz_convert(c.time_zone)
            out[m] = stamps.tz_localize(None).as_unit("s").asi8
    return out


def from_wall(wall: np.ndarray, country: np.ndarray) -> np.ndarray:
    out = np.empty_like(wall)
    for k, c in enumerate(catalog.COUNTRIES):
        m = country == k
        if m.any():
            stamps = pd.to_datetime(wall[m], unit="s").tz_localize(
                c.time_zone, nonexistent="shift_forward", ambiguous="NaT"
            )
            out[m] = stamps.tz_convert("UTC").as_unit("s").asi8
    return out


def next_send_time(t: np.ndarray, country: np.ndarray) -> np.ndarray:
    """The first 10:00 local, Monday to Saturday, at or after ``t`` (the preset's send time)."""
    wall = local_wall(t, country)
    cand = wall // DAY * DAY + SEND_HOUR * HOUR
    cand = np.where(cand < wall, cand + DAY, cand)
    sunday = (cand // DAY + 3) % 7 == 6
    return from_wall(np.where(sunday, cand + DAY, cand), country)


def quiet_until(t: np.ndarray, country: np.ndarray) -> np.ndarray:
    """The end of the quiet hours (21:00-08:00 local) for instants inside them, else NULL."""
    wall = local_wall(t, country)
    hour = (wall % DAY) / HOUR
    day = wall // DAY * DAY
    end = np.where(hour < QUIET_END_H, day, day + DAY) + QUIET_END_H * HOUR
    quiet = (hour >= QUIET_START_H) | (hour < QUIET_END_H)
    return np.where(quiet, from_wall(end, country), NULL)
