"""Backtest a workflow definition on the order history, vectorised with pandas.

For a period: which trigger events would have enrolled (entry conditions checked as of each
event, once per order unless re-entry is allowed), enrolments per week, the holdout share
(the engine's deterministic assignment), how the treated customers flow through the steps
(branches evaluated on the same frame; a random split divides by weight; a wait for an event
looks for that event in the log within the timeout), then for each email step the projected
sends after marketing consent and the frequency cap (counted within this workflow), overlap with
other active workflows (their real enrolments in the period), and the coupon cost if every
coupon issued were used (percent coupons on the average order total of the treated orders).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Action, Actor, require
from core.builder.backtest_events import trigger_events
from core.builder.backtest_flow import flow
from core.engine.conditions import EvalContext, evaluate_frame, fields_used
from core.engine.context import enrich
from core.engine.holdout import holdout_mask
from core.engine.schema import WorkflowDefinition
from core.models import Enrolment, Workflow
from core.timeutil import day_bounds


@dataclass
class BacktestReport:
    since: dt.date
    until: dt.date
    currency: str
    triggered: int = 0
    enrolled: int = 0
    holdout: int = 0
    weekly: pd.DataFrame = field(default_factory=pd.DataFrame)
    steps: pd.DataFrame = field(default_factory=pd.DataFrame)
    branches: pd.DataFrame = field(default_factory=pd.DataFrame)
    messages: pd.DataFrame = field(default_factory=pd.DataFrame)
    overlap: pd.DataFrame = field(default_factory=pd.DataFrame)
    coupons: int = 0
    coupon_cost: Decimal = Decimal("0")

    @property
    def treated(self) -> int:
        return self.enrolled - self.holdout

    @property
    def projected_sends(self) -> int:
        return int(self.messages["projected"].sum()) if len(self.messages) else 0


def _fields(definition: WorkflowDefinition) -> set[str]:
    wanted = fields_used(definition.entry) | fields_used(definition.exit)
    for step in definition.steps:
        wanted |= fields_used(step.condition)
    return wanted | {"order.sequence", "order.total", "customer.marketing_consent"}


def _sequence_filter(definition: WorkflowDefinition, frame: pd.DataFrame) -> pd.Series:
    keep = pd.Series(True, index=frame.index)
    for trig in definition.triggers:
        rows = frame["trigger"] == trig.type
        if trig.type == "first_order":
            keep &= ~rows | (frame["order.sequence"] == 1)
        elif trig.type == "nth_order":
            keep &= ~rows | (frame["order.sequence"] == int(trig.params.get("n", 2)))
    return keep


def _weekly(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=["week", "enrolled", "holdout"])
    local = frame["occurred_at"].dt.tz_convert(tz).dt.tz_localize(None)
    week = local.dt.to_period("W-SUN").dt.start_time.dt.date
    grouped = frame.assign(week=week).groupby("week")
    return pd.DataFrame(
        {"enrolled": grouped.size(), "holdout": grouped["is_holdout"].sum().astype(int)}
    ).reset_index()


def _overlap(
    session: Session,
    workflow_id: int | None,
    customers: pd.Series,
    lo: dt.datetime,
    hi: dt.datetime,
) -> pd.DataFrame:
    rows = session.execute(
        select(Workflow.name, Enrolment.customer_id)
        .join(Workflow, Workflow.id == Enrolment.workflow_id)
        .where(Workflow.status == "active", Enrolment.entered_at >= lo, Enrolment.entered_at < hi)
        .where(Workflow.id != (workflow_id or 0))
    ).all()
    others = pd.DataFrame(rows, columns=["workflow", "customer_id"]).drop_duplicates()
    shared = others[others["customer_id"].isin(set(customers))]
    counts = shared.groupby("workflow").size().rename("shared customers").reset_index()
    return counts.sort_values("shared customers", ascending=False, ignore_index=True)


def backtest(
    session: Session,
    actor: Actor,
    definition: WorkflowDefinition,
    since: dt.date,
    until: dt.date,
    *,
    workflow_id: int | None = None,
) -> BacktestReport:
    """What ``definition`` would have done between ``since`` and ``until`` (local dates)."""
    require(actor, Action.VIEW_WORKFLOWS)
    settings = store_settings.load(session)
    lo, hi = day_bounds(since, until, settings.tz)
    report = BacktestReport(since, until, settings.currency)
    events = trigger_events(session, definition, lo, hi)
    report.triggered = len(events)
    if events.empty:
        return report
    frame = enrich(session, events, settings, _fields(definition), whole_table=True)
    ctx = EvalContext(
        now=hi, tz=settings.tz, store_currency=settings.currency, rates=settings.exchange_rates
    )
    entered = frame[
        _sequence_filter(definition, frame) & evaluate_frame(definition.entry, frame, ctx)
    ]
    if not definition.allow_reentry:
        keyed = entered["order_id"].notna()
        entered = pd.concat([entered[keyed].drop_duplicates("order_id"), entered[~keyed]])
    entered = entered.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    entered["is_holdout"] = holdout_mask(
        workflow_id or 0, entered["customer_id"].to_numpy(dtype=np.int64), definition.holdout_pct
    )
    report.enrolled, report.holdout = len(entered), int(entered["is_holdout"].sum())
    report.weekly = _weekly(entered, settings.timezone)
    treated = entered[~entered["is_holdout"]].reset_index(drop=True)
    flow(session, definition, treated, ctx, settings, report)
    report.overlap = _overlap(session, workflow_id, treated["customer_id"], lo, hi)
    return report


def coupon_cost(kind: str, value: float, reached: np.ndarray, totals: pd.Series) -> Decimal:
    """Cost of the coupons reaching ``reached`` (weights per row) if all were used."""
    if kind == "fixed":
        return Decimal(str(round(float(reached.sum()) * value, 2)))
    spend = float((reached * totals.fillna(0).to_numpy(dtype="float64")).sum())
    return Decimal(str(round(spend * value / 100, 2)))
