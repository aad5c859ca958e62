"""How treated enrolments flow through the steps in a backtest: one weight per row and step
(1 = this enrolment reaches the step; a random split passes each path its share)."""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from core.builder.describe import step_text, step_title
from core.builder.graph import outputs, reachable
from core.builder.values import number_of
from core.engine.conditions import EvalContext, evaluate_frame
from core.engine.schema import Step, WorkflowDefinition
from core.models import MessageTemplate
from core.settings import StoreSettings

if TYPE_CHECKING:
    from core.builder.backtest import BacktestReport

_EVENTS = text(
    "SELECT order_id, occurred_at FROM order_events WHERE type = :type AND order_id IN :ids"
).bindparams(bindparam("ids", expanding=True))


def _order(definition: WorkflowDefinition) -> list[str]:
    """Reachable steps, each after every step leading to it (Kahn; a cycle is cut)."""
    live = reachable(definition)
    incoming = {s: 0 for s in live}
    for sid in live:
        for _, target in outputs(definition.step(sid)):  # type: ignore[arg-type]
            if target in incoming:
                incoming[target] += 1
    queue = deque(s for s in live if incoming[s] == 0)
    ordered: list[str] = []
    while queue:
        sid = queue.popleft()
        ordered.append(sid)
        for _, target in outputs(definition.step(sid)):  # type: ignore[arg-type]
            if target in incoming:
                incoming[target] -= 1
                if incoming[target] == 0:
                    queue.append(target)
    return ordered


def _event_within(session: Session, step: Step, frame: pd.DataFrame) -> np.ndarray:
    ids = [int(v) for v in frame["order_id"].dropna().unique()]
    if not ids:
        return np.zeros(len(frame), dtype=bool)
    result = session.connection().execute(_EVENTS, {"type": step.params.get("event"), "ids": ids})
    events = pd.DataFrame(result.fetchall(), columns=["order_id", "at"])
    events["at"] = pd.to_datetime(events["at"], utc=True, format="ISO8601")
    rows = frame[["order_id", "trigger_at"]].reset_index()
    merged = rows.merge(events, on="order_id")
    timeout = pd.Timedelta(days=number_of(step.params.get("timeout_days"), 14))
    inside = (merged["at"] > merged["trigger_at"]) & (
        merged["at"] <= merged["trigger_at"] + timeout
    )
    hit = np.zeros(len(frame), dtype=bool)
    hit[merged.loc[inside, "index"].to_numpy(dtype=int)] = True
    return hit


def _capped(frame: pd.DataFrame, weight: np.ndarray, st: StoreSettings) -> float:
    """Weight of sends beyond the frequency cap, counting this workflow's own sends."""
    rows = frame.loc[weight > 0, ["customer_id", "trigger_at"]].assign(w=weight[weight > 0])
    if rows.empty:
        return 0.0
    rows = rows.sort_values(["customer_id", "trigger_at"])
    counts = (
        rows.set_index("trigger_at")
        .groupby("customer_id")["w"]
        .rolling(f"{st.frequency_cap_days}D")
        .count()
    )
    over = counts.to_numpy() > st.frequency_cap_count
    return float(rows["w"].to_numpy()[over].sum())


class _Flow:
    def __init__(
        self,
        session: Session,
        frame: pd.DataFrame,
        ctx: EvalContext,
        st: StoreSettings,
        report: BacktestReport,
    ) -> None:
        self.session, self.frame, self.ctx, self.st, self.report = session, frame, ctx, st, report
        self.weights: dict[str, np.ndarray] = {}
        self.branches: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []

    def send(self, target: str | None, weight: np.ndarray) -> None:
        if target:
            self.weights[target] = self.weights.get(target, np.zeros(len(self.frame))) + weight

    def fork(self, step: Step, parts: list[tuple[str, str | None, np.ndarray]]) -> None:
        for label, target, weight in parts:
            self.branches.append({"step": step.id, "path": label, "customers": round(weight.sum())})
            self.send(target, weight)

    def step(self, step: Step, w: np.ndarray) -> None:
        if step.type == "branch":
            yes = evaluate_frame(step.condition, self.frame, self.ctx).to_numpy(dtype=bool)
            self.fork(step, [("yes", step.next, w * yes), ("no", step.alt_next, w * ~yes)])
        elif step.type == "split":
            total = sum(p.weight for p in step.paths) or 1
            self.fork(step, [(p.name, p.next, w * p.weight / total) for p in step.paths])
        elif step.type == "wait_event":
            hit = _event_within(self.session, step, self.frame)
            self.fork(
                step,
                [("event happened", step.next, w * hit), ("timed out", step.alt_next, w * ~hit)],
            )
        else:
            if step.type == "send_email":
                self.email(step, w)
            elif step.type == "issue_coupon":
                self.coupon(step, w)
            self.send(step.next, w)

    def email(self, step: Step, w: np.ndarray) -> None:
        template = str(step.params.get("template") or "")
        category = (
            self.session.scalar(
                select(MessageTemplate.category).where(MessageTemplate.name == template)
            )
            or "transactional"
        )
        reached = float(w.sum())
        no_consent = capped = 0.0
        if category == "marketing":
            consent = self.frame["customer.marketing_consent"].fillna(False).to_numpy(dtype=bool)
            no_consent = float((w * ~consent).sum())
            capped = _capped(self.frame, w * consent, self.st)
        self.messages.append({
            "step": step.id, "template": template, "category": category,
            "reached": round(reached), "no consent": round(no_consent), "capped": round(capped),
            "projected": round(reached - no_consent - capped),
        })  # fmt: skip

    def coupon(self, step: Step, w: np.ndarray) -> None:
        from core.builder.backtest import coupon_cost

        cost = coupon_cost(
            str(step.params.get("kind", "percent")),
            number_of(step.params.get("value")),
            w,
            self.frame["order.total"],
        )
        cap = step.params.get("budget_cap")
        if cap not in (None, ""):
            cost = min(cost, Decimal(str(cap)))
        self.report.coupons += round(float(w.sum()))
        self.report.coupon_cost += cost


def flow(
    session: Session,
    definition: WorkflowDefinition,
    frame: pd.DataFrame,
    ctx: EvalContext,
    st: StoreSettings,
    report: BacktestReport,
) -> None:
    """Fill the report's steps, branches, messages and coupon figures."""
    run = _Flow(session, frame, ctx, st, report)
    start = np.ones(len(frame))
    if definition.exit is not None and len(frame):
        start = start * ~evaluate_frame(definition.exit, frame, ctx).to_numpy(dtype=bool)
    run.send(definition.first_step_id(), start)
    rows = []
    for sid in _order(definition):
        step = definition.step(sid)
        if step is None:
            continue
        w = run.weights.get(sid, np.zeros(len(frame)))
        rows.append(
            {
                "step": sid,
                "name": step_title(step),
                "does": step_text(step, st.currency),
                "customers": round(float(w.sum())),
            }
        )
        run.step(step, w)
    report.steps = pd.DataFrame(rows, columns=["step", "name", "does", "customers"])
    report.branches = pd.DataFrame(run.branches, columns=["step", "path", "customers"])
    report.messages = pd.DataFrame(
        run.messages,
        columns=["step", "template", "category", "reached", "no consent", "capped", "projected"],
    )
