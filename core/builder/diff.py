"""A readable difference between two versions of a workflow definition.

Steps are matched by their stable ids, so a renamed or re-parametrised step reads as "changed",
not as removed and added. Each line is a sentence a merchant understands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.builder.conditions import describe
from core.builder.describe import output_label, step_text, step_title, trigger_text
from core.builder.graph import outputs
from core.engine.registry import STEP_TYPES
from core.engine.schema import Step, WorkflowDefinition

_SETTINGS = (
    ("name", "Name"),
    ("description", "Description"),
    ("holdout_pct", "Holdout (%)"),
    ("allow_reentry", "Re-entry allowed"),
    ("priority", "Priority"),
)
_CONDITIONS = (
    ("entry", "Entry conditions"),
    ("still_true", "'Still true?' filter"),
    ("exit", "Exit conditions"),
)


@dataclass(frozen=True)
class Change:
    kind: str  # added | removed | changed
    where: str  # settings | trigger | conditions | step <id>
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.text}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in (None, ""):
        return "(empty)"
    return str(value)


def _links(step: Step) -> str:
    parts = []
    for key, target in outputs(step):
        label = output_label(step, key) or "then"
        parts.append(f"{label} -> {target or 'end'}")
    return ", ".join(parts)


def _step_changes(old: Step, new: Step, currency: str) -> list[Change]:
    where = f"step {new.id}"
    out: list[Change] = []
    if old.type != new.type:
        out.append(Change("changed", where, f"type {old.type} -> {new.type}"))
    if step_title(old) != step_title(new):
        out.append(Change("changed", where, f"renamed '{step_title(old)}' -> '{step_title(new)}'"))
    if step_text(old, currency) != step_text(new, currency):
        out.append(
            Change(
                "changed", where, f"'{step_text(old, currency)}' -> '{step_text(new, currency)}'"
            )
        )
    else:
        out.extend(_param_changes(where, old.params, new.params))
    if _links(old) != _links(new):
        out.append(Change("changed", where, f"paths {_links(old)} -> {_links(new)}"))
    return out


def _param_changes(where: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    out = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            out.append(
                Change("changed", where, f"{key} {_show(old.get(key))} -> {_show(new.get(key))}")
            )
    return out


def diff(old: WorkflowDefinition, new: WorkflowDefinition, currency: str = "EUR") -> list[Change]:
    """Every difference from ``old`` to ``new``; empty when they behave the same."""
    out: list[Change] = []
    for key, label in _SETTINGS:
        before, after = getattr(old, key), getattr(new, key)
        if before != after:
            out.append(Change("changed", "settings", f"{label} {_show(before)} -> {_show(after)}"))
    old_triggers = [trigger_text(t) for t in old.triggers]
    new_triggers = [trigger_text(t) for t in new.triggers]
    out.extend(Change("removed", "trigger", t) for t in old_triggers if t not in new_triggers)
    out.extend(Change("added", "trigger", t) for t in new_triggers if t not in old_triggers)
    for key, label in _CONDITIONS:
        before, after = describe(getattr(old, key), currency), describe(getattr(new, key), currency)
        if before != after:
            out.append(Change("changed", "conditions", f"{label}: '{before}' -> '{after}'"))
    if old.first_step_id() != new.first_step_id():
        out.append(
            Change(
                "changed", "settings", f"first step {old.first_step_id()} -> {new.first_step_id()}"
            )
        )
    old_steps = {s.id: s for s in old.steps}
    new_steps = {s.id: s for s in new.steps}
    for step in old.steps:
        if step.id not in new_steps:
            out.append(Change("removed", f"step {step.id}", _label(step, currency)))
    for step in new.steps:
        if step.id not in old_steps:
            out.append(Change("added", f"step {step.id}", _label(step, currency)))
        else:
            out.extend(_step_changes(old_steps[step.id], step, currency))
    return out


def _label(step: Step, currency: str) -> str:
    kind = STEP_TYPES[step.type].label if step.type in STEP_TYPES else step.type
    return f"{kind}: {step_text(step, currency)}"


def diff_lines(
    old: WorkflowDefinition | None, new: WorkflowDefinition, currency: str = "EUR"
) -> list[str]:
    """The diff as sentences; the first version reads as "first version"."""
    if old is None:
        return ["first version"]
    changes = diff(old, new, currency)
    return [str(c) for c in changes] or ["no change in behaviour"]
