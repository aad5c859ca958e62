"""Workflow KPIs: the funnel per workflow and step, A/B branches, attributed revenue and the
holdout lift.

One definition of each count, used by the Workflow impact cards, the Workflows table and
``kpis --workflow`` (:func:`period_counts`), for a period of local dates:
- enrolled: enrolments that entered the workflow in the period (holdout included);
- holdout: of those, the ones randomly kept from messages (the comparison group);
- sent: the workflow's messages sent in the period (a message never sent counts on the day it
  was queued, under its state: suppressed by reason, failed or pending);
- converted: sent messages credited with at least one order by last touch: an order is credited
  to the latest message sent to its customer (any workflow) at or before the order and at most
  ``settings.attribution_window_days`` (default 5) days before it; only that message gets
  credit;
- attributed revenue: net revenue of the credited orders (total - refunds; discounts and coupons
  are already inside the totals); the workflow's coupon cost (its coupons redeemed in the period
  plus the window) is shown beside it, never subtracted. Revenue per recipient = attributed
  revenue / messages sent. Test messages never count.

The holdout lift has its own population, said wherever it is shown: customers (first entry)
whose follow-up window after entry has ended, messaged vs held out (:mod:`core.metrics.impact`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, Engine, case, func, select

from core.errors import NotFound
from core.metrics import frames, holdout, impact, lift
from core.metrics.query import Scope, money
from core.metrics.types import Filters, Period
from core.models import (
    NOTICE_CATEGORY,
    CouponRedemption,
    Enrolment,
    Message,
    Order,
    Workflow,
    WorkflowVersion,
)
from core.timeutil import day_bounds

DEFAULT_LIFT_WINDOW_DAYS = holdout.DEFAULT_WINDOW_DAYS


@dataclass(frozen=True)
class WorkflowReport:
    """Everything the Workflow impact page and ``kpis --workflow`` show for one workflow."""

    workflow_id: int
    name: str
    window_days: int
    funnel: dict[str, object]
    steps: pd.DataFrame
    branches: pd.DataFrame
    lift: lift.LiftResult | None = field(default=None)
    impact: impact.Impact | None = field(default=None)


def utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True)


def _messages(sc: Scope, workflow_id: int | None, period: Period | None) -> pd.DataFrame:
    conds: list[ColumnElement[bool]] = [
        Message.is_test.is_(False),
        Message.workflow_id.is_not(None),
        Message.category != NOTICE_CATEGORY,  # merchant notices are not customer messages
    ]
    if workflow_id is not None:
        conds.append(Message.workflow_id == workflow_id)
    if period is not None:
        lo, hi = day_bounds(period.start, period.end, sc.settings.tz)
        when = func.coalesce(Message.sent_at, Message.queued_at)
        conds += [when >= lo, when < hi]
    stmt = select(
        Message.id,
        Message.workflow_id,
        Message.step_id,
        Message.variant,
        Message.customer_id,
        Message.state,
        Message.suppression_reason,
        Message.sent_at,
    ).where(*conds)
    cols = [
        "message_id",
        "workflow_id",
        "step_id",
        "variant",
        "customer_id",
        "state",
        "reason",
        "sent_at",
    ]
    frame = pd.DataFrame.from_records(sc.conn.execute(stmt).all(), columns=cols)
    frame["sent_at"] = utc(frame["sent_at"])
    return frame


def _sent_to(sc: Scope, customers: np.ndarray, until: dt.datetime) -> pd.DataFrame:
    """Every sent workflow message of these customers up to ``until`` (for last touch)."""
    stmt = select(Message.id, Message.workflow_id, Message.customer_id, Message.sent_at).where(
        Message.state == "sent",
        Message.is_test.is_(False),
        Message.workflow_id.is_not(None),
        Message.category != NOTICE_CATEGORY,
        Message.sent_at <= until,
        Message.customer_id.in_(select(Message.customer_id).where(Message.state == "sent")),
    )
    frame = pd.DataFrame.from_records(
        sc.conn.execute(stmt).all(), columns=["message_id", "workflow_id", "customer_id", "sent_at"]
    )
    frame = frame[frame["customer_id"].isin(customers)]
    frame["sent_at"] = utc(frame["sent_at"])
    return frame


def _orders_after(sc: Scope, since: dt.datetime, until: dt.datetime) -> pd.DataFrame:
    """Valid orders placed in [since, until] with their net value in the store currency (total
    - refunds)."""
    stmt = select(
        Order.id,
        Order.customer_id,
        Order.placed_at,
        Order.currency,
        money(Order.total),
        money(Order.refunded_amount),
    ).where(
        *sc.order_conditions(None),
        Order.placed_at >= since,
        Order.placed_at <= until,
        Order.customer_id.in_(select(Message.customer_id).where(Message.state == "sent")),
    )
    cols = [
        "order_id",
        "customer_id",
        "placed_at",
        "currency",
        "total",
        "refund",
    ]
    frame = pd.DataFrame.from_records(sc.conn.execute(stmt).all(), columns=cols)
    rates = {c: float(sc.settings.rate(c)) for c in frame["currency"].unique()}
    rate = frame["currency"].map(rates).astype("float64")
    frame["net"] = (frame["total"] - frame["refund"]) * rate
    frame["placed_at"] = utc(frame["placed_at"])
    return frame


def attribution(sc: Scope, period: Period) -> pd.DataFrame:
    """Orders credited by last touch to a message sent in ``period`` (local dates): one row per
    credited order with ``message_id, workflow_id, net``."""
    window = dt.timedelta(days=sc.settings.attribution_window_days)
    lo, hi = day_bounds(period.start, period.end, sc.settings.tz)
    orders = _orders_after(sc, lo, hi + window)
    if orders.empty:
        return pd.DataFrame(columns=["order_id", "message_id", "workflow_id", "net"])
    sent = _sent_to(sc, orders["customer_id"].unique(), hi + window)
    if sent.empty:
        return pd.DataFrame(columns=["order_id", "message_id", "workflow_id", "net"])
    credited = pd.merge_asof(
        orders.sort_values("placed_at"),
        sent.sort_values("sent_at"),
        left_on="placed_at",
        right_on="sent_at",
        by="customer_id",
        direction="backward",
        tolerance=window,
    ).dropna(subset=["message_id"])
    in_period = (credited["sent_at"] >= lo) & (credited["sent_at"] < hi)
    out = credited.loc[in_period, ["order_id", "message_id", "workflow_id", "net"]]
    return out.astype({"message_id": "int64", "workflow_id": "int64"}).reset_index(drop=True)


def coupon_costs(sc: Scope, period: Period) -> pd.Series:
    """Value (store currency) of the workflow's coupons redeemed in the period plus the
    attribution window, per issuing workflow: every recorded use of its codes
    (:mod:`core.coupons`), never the issued codes."""
    window = dt.timedelta(days=sc.settings.attribution_window_days)
    lo, hi = day_bounds(period.start, period.end, sc.settings.tz)
    stmt = select(
        CouponRedemption.workflow_id, CouponRedemption.currency, money(CouponRedemption.value)
    ).where(
        CouponRedemption.workflow_id.is_not(None),
        CouponRedemption.redeemed_at >= lo,
        CouponRedemption.redeemed_at < hi + window,
    )
    frame = pd.DataFrame.from_records(
        sc.conn.execute(stmt).all(), columns=["workflow_id", "currency", "cost"]
    )
    rates = {c: float(sc.settings.rate(c)) for c in frame["currency"].unique()}
    frame["cost"] = frame["cost"] * frame["currency"].map(rates).astype("float64")
    costs: pd.Series = frame.groupby("workflow_id")["cost"].sum()
    return costs


def _funnel(messages: pd.DataFrame, credited: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Counts per ``by`` group: sent, suppressed, failed, pending, converted, attributed net."""
    state = messages["state"]
    frame = messages.assign(
        sent=state.eq("sent"),
        suppressed=state.eq("suppressed"),
        failed=state.eq("failed"),
        pending=state.isin(["queued", "sending", "deferred"]),
        converted=messages["message_id"].isin(credited["message_id"]),
        revenue=messages["message_id"].map(credited.groupby("message_id")["net"].sum()).fillna(0.0),
    )
    cols = ["sent", "suppressed", "failed", "pending", "converted", "revenue"]
    out = frame.groupby(by, dropna=False)[cols].sum().reset_index()
    out = out.rename(columns={"revenue": "attributed_revenue"})
    for col in cols[:-1]:
        out[col] = out[col].astype("int64")
    out["conversion_rate"] = (out["converted"] / out["sent"]).where(out["sent"] > 0)
    out["revenue_per_recipient"] = (out["attributed_revenue"] / out["sent"]).where(out["sent"] > 0)
    return out


def step_funnel(messages: pd.DataFrame, credited: pd.DataFrame) -> pd.DataFrame:
    """Per step: sent, suppressed (and per reason), failed, pending, converted, revenue."""
    out = _funnel(messages, credited, ["step_id"])
    reasons = messages[messages["state"] == "suppressed"].pivot_table(
        index="step_id", columns="reason", values="message_id", aggfunc="count", fill_value=0
    )
    reasons.columns = [f"suppressed_{c}" for c in reasons.columns]
    return out.merge(reasons, left_on="step_id", right_index=True, how="left").fillna(
        {c: 0 for c in reasons.columns}
    )


def branches(messages: pd.DataFrame, credited: pd.DataFrame) -> pd.DataFrame:
    """Per A/B branch (the split's path name): the funnel with a Wilson 95% interval of the
    conversion rate. Empty when the workflow has no split."""
    split = messages[messages["variant"].notna()]
    out = _funnel(split, credited, ["variant"])
    bounds = [
        lift.wilson(int(c), int(s)) for c, s in zip(out["converted"], out["sent"], strict=True)
    ]
    out["conversion_low"] = [b[0] for b in bounds]
    out["conversion_high"] = [b[1] for b in bounds]
    return out


COUNT_COLUMNS = ["enrolled", "holdout", "sent", "converted", "attributed_revenue"]
COUNT_LABELS = {
    "enrolled": "Enrolled",
    "holdout": "Held out",
    "sent": "Messages sent",
    "converted": "Converted",
    "attributed_revenue": "Attributed revenue",
}
COUNT_HELP = {
    "enrolled": "Enrolments that entered the workflow in the period, holdout included.",
    "holdout": "Of those, customers randomly kept from messages to compare with.",
    "sent": "The workflow's messages sent in the period.",
    "converted": "Sent messages credited with an order by last touch within the "
    "attribution window.",
    "attributed_revenue": "Net revenue (total - refunds) of the credited orders; the workflow's "
    "coupon cost is shown beside it, not subtracted (the order totals already contain it).",
}


def _entered(sc: Scope, period: Period | None, workflow_id: int | None) -> pd.DataFrame:
    conds: list[ColumnElement[bool]] = []
    if workflow_id is not None:
        conds.append(Enrolment.workflow_id == workflow_id)
    if period is not None:
        lo, hi = day_bounds(period.start, period.end, sc.settings.tz)
        conds += [Enrolment.entered_at >= lo, Enrolment.entered_at < hi]
    rows = sc.conn.execute(
        select(
            Enrolment.workflow_id,
            func.count(),
            func.coalesce(func.sum(case((Enrolment.is_holdout, 1), else_=0)), 0),
        )
        .where(*conds)
        .group_by(Enrolment.workflow_id)
    ).all()
    return pd.DataFrame.from_records(rows, columns=["workflow_id", "enrolled", "holdout"])


def _counts_of(
    sc: Scope,
    period: Period | None,
    workflow_id: int | None,
    messages: pd.DataFrame,
    credited: pd.DataFrame,
    cost: pd.Series,
) -> pd.DataFrame:
    entered = _entered(sc, period, workflow_id).set_index("workflow_id")
    funnel = _funnel(messages, credited, ["workflow_id"]).set_index("workflow_id")
    out = pd.DataFrame(index=entered.index.union(funnel.index).astype("int64"))
    out.index.name = "workflow_id"
    for col in ("enrolled", "holdout"):
        out[col] = entered[col].reindex(out.index).fillna(0).astype("int64")
    for col in ("sent", "converted"):
        out[col] = funnel[col].reindex(out.index).fillna(0).astype("int64")
    revenue = funnel["attributed_revenue"].reindex(out.index).fillna(0.0).astype("float64")
    out["attributed_revenue"] = revenue
    out["coupon_cost"] = cost.reindex(out.index).fillna(0.0).astype("float64")
    return out


def period_counts(sc: Scope, period: Period, workflow_id: int | None = None) -> pd.DataFrame:
    """The shared counts (see the module docstring), one row per workflow id."""
    messages = _messages(sc, workflow_id, period)
    credited = attribution(sc, period)
    return _counts_of(sc, period, workflow_id, messages, credited, coupon_costs(sc, period))


def report(
    engine: Engine,
    workflow_id: int,
    period: Period | None = None,
    lift_window_days: int = DEFAULT_LIFT_WINDOW_DAYS,
    as_of: dt.datetime | None = None,
) -> WorkflowReport:
    """Funnel, steps, branches and holdout lift of one workflow (all data when no period)."""
    with frames.scope(engine, Filters()) as sc:
        name = sc.conn.scalar(select(Workflow.name).where(Workflow.id == workflow_id))
        if name is None:
            raise NotFound(
                f"No workflow with id {workflow_id}.", hint="List them with `workflow list`."
            )
        span = period or _message_span(sc, workflow_id)
        messages = _messages(sc, workflow_id, period)
        credited = (
            attribution(sc, span)
            if span
            else pd.DataFrame(columns=["order_id", "message_id", "workflow_id", "net"])
        )
        credited = credited[credited["workflow_id"] == workflow_id]
        cost = coupon_costs(sc, span) if span else pd.Series(dtype="float64")
        counts = _counts_of(sc, period, workflow_id, messages, credited, cost)
        result_lift = holdout.workflow_lift(sc, workflow_id, lift_window_days, as_of)
        result_impact = impact.impact(
            sc, workflow_id, str(name), holdout_pct(sc, workflow_id), lift_window_days, as_of
        )
        window = sc.settings.attribution_window_days
    row: dict[str, float] = (
        {str(k): float(v) for k, v in counts.to_dict("index")[workflow_id].items()}
        if workflow_id in counts.index
        else {}
    )
    whole = _funnel(messages.assign(all="all"), credited, ["all"])
    totals = whole.iloc[0] if len(whole) else None
    sent = int(row.get("sent", 0))
    revenue = row.get("attributed_revenue", 0.0)
    reasons = (
        messages.loc[messages["state"] == "suppressed", "reason"].fillna("unknown").value_counts()
    )
    funnel: dict[str, object] = {
        "enrolled": int(row.get("enrolled", 0)),
        "holdout": int(row.get("holdout", 0)),
        "sent": sent,
        "suppressed": int(reasons.sum()),
        "suppressed_by_reason": {str(k): int(v) for k, v in reasons.items()},
        "failed": int(totals["failed"]) if totals is not None else 0,
        "pending": int(totals["pending"]) if totals is not None else 0,
        "converted": int(row.get("converted", 0)),
        "attribution_window_days": window,
        "coupon_cost": float(cost.get(workflow_id, 0.0)),
        "attributed_revenue": revenue,
        "revenue_per_recipient": revenue / sent if sent else None,
    }
    return WorkflowReport(
        workflow_id,
        name,
        window,
        funnel,
        step_funnel(messages, credited),
        branches(messages, credited),
        result_lift,
        result_impact,
    )


def holdout_pct(sc: Scope, workflow_id: int) -> int:
    """The holdout share of the running version (the draft's when never published)."""
    wf = sc.conn.execute(
        select(Workflow.published_version, Workflow.draft).where(Workflow.id == workflow_id)
    ).one_or_none()
    if wf is None:
        return 0
    definition = wf.draft
    if wf.published_version is not None:
        definition = sc.conn.scalar(
            select(WorkflowVersion.definition).where(
                WorkflowVersion.workflow_id == workflow_id,
                WorkflowVersion.version == wf.published_version,
            )
        )
    value = (definition or {}).get("holdout_pct", 0) if isinstance(definition, dict) else 0
    return int(value or 0)


def impacts(
    engine: Engine, window_days: int = DEFAULT_LIFT_WINDOW_DAYS, as_of: dt.datetime | None = None
) -> list[impact.Impact]:
    """The plain-words impact of every workflow that is not archived."""
    with frames.scope(engine, Filters()) as sc:
        rows = sc.conn.execute(
            select(Workflow.id, Workflow.name)
            .where(Workflow.status != "archived")
            .order_by(Workflow.name)
        ).all()
        return [
            impact.impact(sc, int(i), str(n), holdout_pct(sc, int(i)), window_days, as_of)
            for i, n in rows
        ]


def _message_span(sc: Scope, workflow_id: int) -> Period | None:
    lo, hi = sc.conn.execute(
        select(func.min(Message.queued_at), func.max(Message.queued_at)).where(
            Message.workflow_id == workflow_id
        )
    ).one()
    if lo is None:
        return None
    tz = sc.settings.tz
    return Period(lo.astimezone(tz).date(), hi.astimezone(tz).date())


def workflow_ids(engine: Engine) -> list[tuple[int, str]]:
    """(id, name) of every workflow, for pickers."""
    with engine.connect() as conn:
        return [
            (int(i), str(n))
            for i, n in conn.execute(select(Workflow.id, Workflow.name).order_by(Workflow.id))
        ]
