"""Short readable summaries of triggers and steps, as the canvas and the history show them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.builder.conditions import describe as describe_condition
from core.builder.values import number_of
from core.engine.registry import STEP_TYPES, TRIGGERS, WEEKDAYS
from core.engine.schema import Step, Trigger, WorkflowDefinition


def _n(value: Any) -> str:
    number = number_of(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"


def trigger_text(trigger: Trigger) -> str:
    spec = TRIGGERS.get(trigger.type)
    label = spec.label if spec else trigger.type
    params = ", ".join(
        f"{p.label} = {_n(trigger.params.get(p.key, p.default))}"
        for p in (spec.params if spec else ())
    )
    return f"{label} ({params})" if params else label


def triggers_text(definition: WorkflowDefinition) -> str:
    if not definition.triggers:
        return "no trigger yet"
    return " or ".join(trigger_text(t) for t in definition.triggers)


def duration_text(params: Mapping[str, Any]) -> str:
    parts = []
    for key, unit in (("days", "day"), ("hours", "hour"), ("minutes", "minute")):
        amount = number_of(params.get(key))
        if amount:
            parts.append(f"{_n(amount)} {unit}{'' if amount == 1 else 's'}")
    return " ".join(parts) or "no time"


def _weekdays(days: Any) -> str:
    chosen = [d for d in WEEKDAYS if d in (days or [])]
    if chosen == list(WEEKDAYS):
        return "any day"
    if chosen == list(WEEKDAYS[:5]):
        return "Mon-Fri"
    return ", ".join(d.title() for d in chosen) or "no day"


def _coupon(p: Mapping[str, Any]) -> str:
    unit = "%" if p.get("kind", "percent") == "percent" else " off"
    cap = f", budget {_n(p['budget_cap'])}" if p.get("budget_cap") not in (None, "") else ""
    return (
        f"Coupon {p.get('prefix') or 'code'}: {_n(p.get('value'))}{unit}, "
        f"valid {_n(p.get('expiry_days', 30))} days{cap}"
    )


_SUMMARIES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "wait": lambda p: f"Wait {duration_text(p)}",
    "wait_until": lambda p: f"Wait until {p.get('time', '?')} on {_weekdays(p.get('weekdays'))}",
    "wait_event": lambda p: (
        f"Wait for '{p.get('event', '?')}' ({p.get('scope', 'order')}), "
        f"up to {_n(p.get('timeout_days', 14))} days"
    ),
    "send_email": lambda p: f"Send email: {p.get('template') or '(no template)'}",
    "issue_coupon": _coupon,
    "add_tag": lambda p: f"Add tag: {p.get('tag') or '(no tag)'}",
    "remove_tag": lambda p: f"Remove tag: {p.get('tag') or '(no tag)'}",
    "create_referral": lambda p: (
        f"Referral code {p.get('prefix') or 'code'}, reward {_n(p.get('reward_value', 0))}"
    ),
    "webhook": lambda p: f"POST to {p.get('url') or '(no URL)'}",
    "notify_merchant": lambda p: f"Notify the merchant: {p.get('subject') or '(no subject)'}",
}


def step_text(step: Step, store_currency: str = "EUR") -> str:
    """One line saying what the step does."""
    if step.type == "branch":
        return f"If {describe_condition(step.condition, store_currency)}"
    if step.type == "split":
        total = sum(p.weight for p in step.paths) or 1
        arms = " / ".join(f"{p.name} {round(100 * p.weight / total)}%" for p in step.paths)
        return f"Random split: {arms or 'no paths'}"
    summary = _SUMMARIES.get(step.type)
    if summary is None:
        return STEP_TYPES[step.type].label if step.type in STEP_TYPES else step.type
    return summary(step.params)


def step_title(step: Step) -> str:
    """The step's own label, else its type's label."""
    if step.label:
        return step.label
    return STEP_TYPES[step.type].label if step.type in STEP_TYPES else step.type


def output_label(step: Step, output: str) -> str:
    """The label of an outgoing edge: ``yes``/``no``, ``timed out``, a split path's name."""
    if output.startswith("paths."):
        index = int(output.split(".", 1)[1])
        if index < len(step.paths):
            return step.paths[index].name
        return output
    spec = STEP_TYPES.get(step.type)
    if spec is None:
        return ""
    return spec.output_labels.get(output, "")
