"""A workflow's proof of impact in plain words: the holdout comparison of revenue per customer,
and when it is not proven yet, how many more customers and roughly how many weeks it needs.

The population is the one of :func:`core.metrics.holdout.holdout_outcomes`: every customer
enrolled in the workflow (first entry), messaged or held out, whose follow-up window has ended.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from sqlalchemy import func, select

from core.metrics import holdout, lift
from core.metrics.query import Scope
from core.models import Enrolment

POWER = 0.8
ALPHA = 0.05
VOLUME_DAYS = 28


@dataclass(frozen=True)
class Needed:
    """More customers each group needs before the observed difference would be proven."""

    more_control: int
    more_treated: int
    weeks: float | None


@dataclass(frozen=True)
class Impact:
    """What a merchant reads first about one workflow."""

    workflow_id: int
    name: str
    currency: str
    window_days: int
    holdout_pct: int
    treated: int
    control: int
    first_entry: dt.date | None
    last_entry: dt.date | None
    revenue: lift.Interval | None
    needed: Needed | None

    @property
    def measurable(self) -> bool:
        return self.revenue is not None and not math.isnan(self.revenue.estimate)


def money_text(value: float, currency: str, signed: bool = False) -> str:
    """``EUR 1,234.50``; with ``signed``, ``+EUR 1.20`` / ``-EUR 0.40``."""
    sign = ("+" if value >= 0 else "-") if signed else ("-" if value < 0 else "")
    return f"{sign}{currency} {abs(value):,.2f}"


def needed_per_group(
    treated: np.ndarray, control: np.ndarray, difference: float
) -> tuple[int, int] | None:
    """Customers each group needs (keeping today's split) so that a Welch test at 5% two-sided
    with 80% power detects ``difference`` in mean revenue; None when it cannot be said."""
    nt, nc = len(treated), len(control)
    if nt < 2 or nc < 2 or difference == 0 or math.isnan(difference):
        return None
    ratio = nt / nc
    var_t, var_c = float(np.var(treated, ddof=1)), float(np.var(control, ddof=1))
    z = float(stats.norm.ppf(1 - ALPHA / 2) + stats.norm.ppf(POWER))
    control_needed = (var_t / ratio + var_c) * (z / difference) ** 2
    if math.isnan(control_needed):
        return None
    return math.ceil(control_needed * ratio), math.ceil(control_needed)


def _entries_per_week(sc: Scope, workflow_id: int, as_of: dt.datetime) -> tuple[float, float]:
    """Customers entering per week (messaged, held out) over the last ``VOLUME_DAYS`` days."""
    since = as_of - dt.timedelta(days=VOLUME_DAYS)
    rows = sc.conn.execute(
        select(Enrolment.is_holdout, func.count(func.distinct(Enrolment.customer_id)))
        .where(
            Enrolment.workflow_id == workflow_id,
            Enrolment.entered_at >= since,
            Enrolment.entered_at <= as_of,
        )
        .group_by(Enrolment.is_holdout)
    ).all()
    counts = {bool(h): int(n) for h, n in rows}
    weeks = VOLUME_DAYS / 7
    return counts.get(False, 0) / weeks, counts.get(True, 0) / weeks


def impact(
    sc: Scope,
    workflow_id: int,
    name: str,
    holdout_pct: int,
    window_days: int,
    as_of: dt.datetime | None = None,
) -> Impact:
    """Revenue per customer, messaged vs held out, over ``window_days`` after entry."""
    now = as_of or dt.datetime.now(dt.UTC)
    outcomes = holdout.holdout_outcomes(sc, workflow_id, window_days, now)
    held = outcomes["holdout"].astype(bool) if len(outcomes) else pd.Series(dtype=bool)
    treated = outcomes.loc[~held, "revenue"].to_numpy(dtype="float64")
    control = outcomes.loc[held, "revenue"].to_numpy(dtype="float64")
    entries = outcomes["entered_at"].dt.tz_convert(sc.settings.tz) if len(outcomes) else None
    revenue = lift.welch(treated, control) if len(treated) and len(control) else None
    needed = None
    if revenue is not None and not revenue.proven:
        per_group = needed_per_group(treated, control, revenue.estimate)
        if per_group is not None:
            more_t = max(0, per_group[0] - len(treated))
            more_c = max(0, per_group[1] - len(control))
            rate_t, rate_c = _entries_per_week(sc, workflow_id, now)
            pairs = [(m, r) for m, r in ((more_t, rate_t), (more_c, rate_c)) if m]
            weeks = (
                None
                if any(r == 0 for _, r in pairs)
                else max((m / r for m, r in pairs), default=0.0) + window_days / 7
            )
            needed = Needed(more_c, more_t, weeks)
    return Impact(
        workflow_id,
        name,
        sc.settings.currency,
        window_days,
        holdout_pct,
        len(treated),
        len(control),
        entries.min().date() if entries is not None else None,
        entries.max().date() if entries is not None else None,
        revenue,
        needed,
    )


def sentence(i: Impact) -> str:
    """One plain sentence (two when not proven) a merchant reads without statistics."""
    if i.revenue is None or math.isnan(i.revenue.estimate):
        if i.holdout_pct == 0 and i.control == 0:
            return (
                f"{i.name}: impact cannot be measured, because nobody is held out "
                "(set a holdout of about 10% in the Builder to measure it)."
            )
        return (
            f"{i.name}: not measurable yet; it needs customers who got messages and customers "
            f"held out whose {i.window_days}-day follow-up has ended "
            f"(so far {i.treated:,} and {i.control:,})."
        )
    r = i.revenue
    verb = "brought about" if r.estimate >= 0 else "changed revenue by about"
    text = (
        f"{i.name} {verb} {money_text(r.estimate, i.currency, signed=True)} per customer "
        f"(95% range {money_text(r.low, i.currency, signed=True)} to "
        f"{money_text(r.high, i.currency, signed=True)}) in the {i.window_days} days after "
        f"entering, comparing {i.treated:,} customers who got messages with {i.control:,} "
        f"held out{_span(i)}."
    )
    if r.proven:
        direction = "more" if r.low > 0 else "less"
        return f"{text} Proven: customers who got messages spent {direction}."
    return f"{text} {_not_proven(i)}"


def _span(i: Impact) -> str:
    if i.first_entry is None or i.last_entry is None:
        return ""
    return f", who entered from {i.first_entry:%d %b %Y} to {i.last_entry:%d %b %Y}"


def _not_proven(i: Impact) -> str:
    n = i.needed
    if n is None:
        return "Not proven yet: the groups differ too little to say how many more are needed."
    if n.more_control == 0 and n.more_treated == 0:
        return (
            "Not proven yet: the groups are large enough for a difference this size; "
            "it was not seen this time."
        )
    if n.more_treated and n.more_control and abs(n.more_treated - n.more_control) < 2:
        groups = f"about {n.more_control:,} more customers per group are needed"
    else:
        groups = (
            f"about {n.more_control:,} more held-out customers and {n.more_treated:,} more "
            "who get messages are needed"
        )
    if n.weeks is None:
        when = "no customers entered in the last 4 weeks, so it cannot say when"
    else:
        when = f"roughly {max(1, round(n.weeks)):,} weeks at your current volume"
    return f"Not proven yet: {groups}, {when}."
