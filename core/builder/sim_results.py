"""What a simulation reports for one order: rule-by-rule results and step outcomes.

Below both ``simulate`` (the walk through a workflow) and ``simulate_steps`` (one step at a time).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.builder import conditions as cond
from core.builder.describe import step_title
from core.builder.values import number_of, value_text
from core.engine.conditions import EvalContext, evaluate
from core.engine.schema import Group, Node, Step
from core.errors import OrderflowError
from core.models import MessageTemplate


@dataclass(frozen=True)
class RuleResult:
    path: str
    text: str
    actual: str
    passed: bool
    depth: int


@dataclass
class StepResult:
    step_id: str
    title: str
    summary: str
    outcome: str
    at: dt.datetime
    rules: list[RuleResult] = field(default_factory=list)
    subject: str = ""
    html: str = ""
    text: str = ""
    locale: str = ""
    note: str = ""


def rule_results(
    node: Node | None, record: dict[str, Any], ctx: EvalContext, currency: str
) -> list[RuleResult]:
    if node is None:
        return []
    root = cond.as_group(node)
    out: list[RuleResult] = []
    for path, item in cond.walk(root):
        passed = safe_eval(item, record, ctx)
        if isinstance(item, Group):
            text = (
                f"{cond.MODE_LABELS[item.mode]}"
                if path
                else f"Overall: {cond.MODE_LABELS[item.mode]}"
            )
            out.append(RuleResult(cond.path_text(path), text, "", passed, len(path)))
        else:
            actual = record.get(item.field)
            shown = "(empty)" if actual is None else actual_text(item.field, actual, currency)
            out.append(
                RuleResult(
                    cond.path_text(path), cond.rule_text(item, currency), shown, passed, len(path)
                )
            )
    return out


def actual_text(field: str, value: Any, currency: str) -> str:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if field in ("order.total", "order.subtotal", "customer.total_spent"):
        return f"{number_of(value):.2f} {currency}"
    return value_text(field, "eq", value, currency)


def safe_eval(node: Node | None, record: dict[str, Any], ctx: EvalContext) -> bool:
    try:
        return evaluate(node, record, ctx)
    except (ValueError, KeyError) as exc:
        raise OrderflowError(f"A condition cannot be evaluated: {exc}.") from None


def template_category(session: Session, name: str) -> str:
    found = session.scalar(select(MessageTemplate.category).where(MessageTemplate.name == name))
    return found or "transactional"


def step_result(step: Step, outcome: str, at: dt.datetime, **values: Any) -> StepResult:
    return StepResult(step.id, step_title(step), "", outcome, at, **values)
