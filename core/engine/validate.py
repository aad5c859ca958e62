"""Check a workflow definition and explain every problem in words a merchant understands.

Each :class:`Problem` names where it is: ``step`` (a step id) and/or ``path`` (``entry.1.0``
is the second item of the entry conditions, then its first item). Errors block activation and
publishing; warnings are shown but allowed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pydantic
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import coupon_amounts
from core.engine.conditions import EvalContext, compile_rule
from core.engine.registry import FIELDS, OPERATORS, STEP_TYPES, TRIGGERS, WEEKDAYS
from core.engine.schema import Group, Node, Rule, Step, WorkflowDefinition
from core.errors import ValidationError, WorkflowError
from core.models import MessageTemplate

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
CONDITION_SLOTS = (
    ("entry", "Entry conditions"),
    ("still_true", "'Still true?' filter"),
    ("exit", "Exit conditions"),
)


@dataclass(frozen=True)
class Problem:
    message: str
    path: str = ""
    step: str | None = None
    severity: str = "error"  # error | warning
    hint: str = ""

    def __str__(self) -> str:
        where = f"step {self.step!r}" if self.step else self.path
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} {self.hint}".strip()


def _ctx() -> EvalContext:
    return EvalContext(now=dt.datetime.now(dt.UTC))


def _rule_problems(rule: Rule, path: str, step: str | None) -> list[Problem]:
    if rule.field not in FIELDS:
        return [
            Problem(
                f"Unknown field {rule.field!r}.", path, step, hint="Pick a field from the list."
            )
        ]
    if rule.op not in OPERATORS:
        return [Problem(f"Unknown comparison {rule.op!r}.", path, step)]
    spec = FIELDS[rule.field]
    try:
        compile_rule(rule, _ctx())
    except (ValueError, KeyError) as exc:
        return [Problem(f"{spec.label}: {exc}.", path, step, hint=f"Expected a {spec.kind} value.")]
    return []


def _interval(kind: str, op: str, value: Any) -> tuple[float, bool, float, bool] | None:
    """(lo, lo_closed, hi, hi_closed) of a numeric/date rule, or None."""
    if kind == "date":
        value = [v.value for v in value] if isinstance(value, tuple) else value.value
        op = {"le": "lt", "gt": "ge"}.get(op, op)  # compiled date bounds are next-day starts
    inf = math.inf
    if op == "eq":
        return (value, True, value, True)
    if op == "lt":
        return (-inf, False, value, False)
    if op == "le":
        return (-inf, False, value, True)
    if op == "gt":
        return (value, False, inf, False)
    if op == "ge":
        return (value, True, inf, False)
    if op == "between":
        lo, hi = value
        return (lo, True, hi, kind != "date")
    return None


def _empty_interval(parts: list[tuple[float, bool, float, bool]]) -> bool:
    lo, lo_c, hi, hi_c = -math.inf, False, math.inf, False
    for p_lo, p_lo_c, p_hi, p_hi_c in parts:
        if p_lo > lo or (p_lo == lo and not p_lo_c):
            lo, lo_c = p_lo, p_lo_c
        if p_hi < hi or (p_hi == hi and not p_hi_c):
            hi, hi_c = p_hi, p_hi_c
    return lo > hi or (lo == hi and not (lo_c and hi_c))


def _contradiction(rules: list[Rule]) -> bool:
    """True when these rules on one field (all required together) can never all hold."""
    kind = FIELDS[rules[0].field].kind
    compiled = [compile_rule(r, _ctx()) for r in rules]
    if any(c.op == "is_empty" for c in compiled):
        return any(c.op not in ("is_empty", "ne", "not_in") for c in compiled)
    if kind in ("number", "money", "days", "date"):
        parts = [i for c in compiled if (i := _interval(kind, c.op, c.value)) is not None]
        return len(parts) > 1 and _empty_interval(parts)
    if kind in ("choice", "text", "bool"):
        allowed: set[Any] | None = None
        excluded: set[Any] = set()
        for c in compiled:
            if c.op in ("eq", "in"):
                values = {c.value} if c.op == "eq" else set(c.value)
                allowed = values if allowed is None else allowed & values
            elif c.op in ("ne", "not_in"):
                excluded |= {c.value} if c.op == "ne" else set(c.value)
        return allowed is not None and not (allowed - excluded)
    return False


def _group_problems(group: Group, path: str, step: str | None) -> list[Problem]:
    problems: list[Problem] = []
    if not group.items:
        problems.append(
            Problem(
                "This group has no conditions.",
                path,
                step,
                "warning",
                "Add a condition or remove the group.",
            )
        )
    if group.mode != "all":
        return problems
    by_field: dict[str, list[Rule]] = {}
    for item in _flatten_all(group):
        if item.field in FIELDS and item.op in OPERATORS and not _rule_problems(item, path, step):
            by_field.setdefault(item.field, []).append(item)
    for name, rules in by_field.items():
        if len(rules) > 1 and _contradiction(rules):
            shown = " and ".join(f"{OPERATORS[r.op].label} {r.value}" for r in rules)
            problems.append(
                Problem(
                    f"Contradictory conditions: {FIELDS[name].label} {shown} can never all be true.",
                    path,
                    step,
                    hint="Remove or change one of them.",
                )
            )
    return problems


def _flatten_all(group: Group) -> list[Rule]:
    out: list[Rule] = []
    for item in group.items:
        if isinstance(item, Rule):
            out.append(item)
        elif item.mode == "all":
            out.extend(_flatten_all(item))
    return out


def condition_problems(node: Node | None, path: str, step: str | None = None) -> list[Problem]:
    if node is None:
        return []
    if isinstance(node, Rule):
        return _rule_problems(node, path, step)
    problems = _group_problems(node, path, step)
    for i, item in enumerate(node.items):
        problems.extend(condition_problems(item, f"{path}.{i}", step))
    return problems


def is_contradictory(node: Node | None) -> bool:
    return node is not None and any(
        p.message.startswith("Contradictory") for p in condition_problems(node, "c")
    )


def _number(params: Mapping[str, Any], key: str) -> float | None:
    try:
        value = params.get(key)
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return math.nan


def _trigger_problems(definition: WorkflowDefinition) -> list[Problem]:
    if not definition.triggers:
        return [
            Problem(
                "The workflow has no trigger.",
                "triggers",
                hint="Choose what starts it, e.g. 'Delivered'.",
            )
        ]
    problems = []
    for i, trig in enumerate(definition.triggers):
        path = f"triggers.{i}"
        spec = TRIGGERS.get(trig.type)
        if spec is None:
            problems.append(Problem(f"Unknown trigger {trig.type!r}.", path))
            continue
        for param in spec.params:
            value = _number(trig.params, param.key)
            if value is None and param.required:
                problems.append(Problem(f"{spec.label}: '{param.label}' is missing.", path))
            elif value is not None and (
                math.isnan(value)
                or value != int(value)
                or (param.minimum is not None and value < param.minimum)
            ):
                problems.append(
                    Problem(
                        f"{spec.label}: '{param.label}' must be a whole number of at least "
                        f"{param.minimum:g}.",
                        path,
                    )
                )
    return problems


StepCheck = Callable[[Step, Session | None], list[Problem]]


def _check_wait(step: Step, _s: Session | None) -> list[Problem]:
    parts = [_number(step.params, k) for k in ("days", "hours", "minutes")]
    if any(p is not None and (math.isnan(p) or p < 0) for p in parts):
        return [Problem("A duration must be a positive number.", step=step.id)]
    if sum(p or 0 for p in parts) <= 0:
        return [Problem("The wait has no duration.", step=step.id, hint="Set days or hours.")]
    return []


def _check_wait_until(step: Step, _s: Session | None) -> list[Problem]:
    problems = []
    if not _HHMM.match(str(step.params.get("time", ""))):
        problems.append(Problem("The time of day must be HH:MM, e.g. 10:00.", step=step.id))
    days = step.params.get("weekdays", list(WEEKDAYS))
    if not isinstance(days, list) or not days or any(d not in WEEKDAYS for d in days):
        problems.append(Problem("Choose at least one weekday (mon..sun).", step=step.id))
    return problems


def _check_wait_event(step: Step, _s: Session | None) -> list[Problem]:
    problems = []
    if step.params.get("event") not in {e for e in _event_types()}:
        problems.append(Problem("Choose the event to wait for.", step=step.id))
    timeout = _number(step.params, "timeout_days")
    if timeout is None or math.isnan(timeout) or timeout <= 0:
        problems.append(
            Problem(
                "Missing timeout path: say after how many days to stop waiting.",
                step=step.id,
                hint="Set 'Give up after (days)' and what happens then.",
            )
        )
    elif step.alt_next is None:
        problems.append(
            Problem(
                f"When the event does not come within {timeout:g} days, customers leave the workflow.",
                step=step.id,
                severity="warning",
                hint="Add a step on the 'timed out' path if needed.",
            )
        )
    return problems


def _event_types() -> tuple[str, ...]:
    from core.models import EVENT_TYPES

    return EVENT_TYPES


def _check_branch(step: Step, _s: Session | None) -> list[Problem]:
    if step.condition is None:
        return [Problem("The branch has no condition.", step=step.id)]
    problems = condition_problems(step.condition, f"steps.{step.id}.condition", step.id)
    if step.next is None and step.alt_next is None:
        problems.append(
            Problem(
                "Both paths of the branch are empty.",
                step=step.id,
                hint="Add a step after 'yes' or 'no', or remove the branch.",
            )
        )
    if is_contradictory(step.condition):
        problems.append(
            Problem("The 'yes' path is unreachable: its condition is never true.", step=step.id)
        )
    return problems


def _check_split(step: Step, _s: Session | None) -> list[Problem]:
    if len(step.paths) < 2:
        return [Problem("A split needs at least two paths.", step=step.id)]
    problems = []
    if len({p.name for p in step.paths}) != len(step.paths):
        problems.append(Problem("Each path of a split needs its own name.", step=step.id))
    for p in step.paths:
        if p.weight == 0:
            problems.append(
                Problem(f"Path {p.name!r} has weight 0: it is unreachable.", step=step.id)
            )
    if all(p.next is None for p in step.paths):
        problems.append(Problem("Every path of the split is empty.", step=step.id))
    return problems


def _check_email(step: Step, session: Session | None) -> list[Problem]:
    name = str(step.params.get("template") or "").strip()
    if not name:
        return [
            Problem(
                "The email step has no template.", step=step.id, hint="Choose a template to send."
            )
        ]
    if session is not None and not _template_exists(session, name):
        return [
            Problem(
                f"Unknown template {name!r}.",
                step=step.id,
                hint="Create it on the Templates page or pick another.",
            )
        ]
    return []


def _template_exists(session: Session, name: str) -> bool:
    from sqlalchemy import select

    from core.models import MessageTemplate

    return (
        session.scalar(select(MessageTemplate.id).where(MessageTemplate.name == name)) is not None
    )


def _check_coupon(step: Step, _s: Session | None) -> list[Problem]:
    value = _number(step.params, "value")
    kind = step.params.get("kind", "percent")
    if kind not in ("percent", "fixed"):
        return [Problem("The coupon kind must be percent or fixed.", step=step.id)]
    if value is None or math.isnan(value) or value <= 0 or (kind == "percent" and value > 100):
        return [Problem("The coupon value must be above 0 (and at most 100 %).", step=step.id)]
    try:
        coupon_amounts.parse(step.params.get("amounts"))
    except ValidationError as exc:
        return [Problem(exc.message, step=step.id, hint=exc.hint or "")]
    if step.params.get("budget_cap") not in (None, "") and step.alt_next is None:
        return [
            Problem(
                "When the budget cap is reached, customers go on without a coupon: an email "
                "that shows it is then suppressed (coupon_unavailable).",
                step=step.id,
                severity="warning",
                hint="Add a step on the 'not issued' path if they should get something else.",
            )
        ]
    return []


def _check_required_text(key: str, label: str) -> StepCheck:
    def check(step: Step, _s: Session | None) -> list[Problem]:
        if not str(step.params.get(key) or "").strip():
            return [Problem(f"{label} is missing.", step=step.id)]
        return []

    return check


def _check_webhook(step: Step, session: Session | None) -> list[Problem]:
    from core import outbound
    from core.errors import OutboundError

    url = str(step.params.get("url") or "")
    if not re.match(r"^https?://\S+$", url):
        return [Problem("The webhook needs an http(s) URL.", step=step.id)]
    allowed = ""
    if session is not None:
        from core import settings as store_settings

        allowed = store_settings.load(session).outbound_allowed_hosts
    try:
        outbound.check_address(url, outbound.parse_allowed_hosts(allowed))
    except OutboundError as exc:
        return [Problem(str(exc), step=step.id)]
    return []


STEP_CHECKS: dict[str, StepCheck] = {
    "wait": _check_wait,
    "wait_until": _check_wait_until,
    "wait_event": _check_wait_event,
    "branch": _check_branch,
    "split": _check_split,
    "send_email": _check_email,
    "issue_coupon": _check_coupon,
    "add_tag": _check_required_text("tag", "The tag"),
    "remove_tag": _check_required_text("tag", "The tag"),
    "create_referral": lambda s, _x: [],
    "webhook": _check_webhook,
    "notify_merchant": _check_required_text("subject", "The subject"),
}


def _graph_problems(definition: WorkflowDefinition) -> list[Problem]:
    ids = [s.id for s in definition.steps]
    problems = [
        Problem(f"Two steps share the id {i!r}.", step=i)
        for i in sorted({i for i in ids if ids.count(i) > 1})
    ]
    known = set(ids)
    if definition.start and definition.start not in known:
        problems.append(Problem(f"The first step {definition.start!r} does not exist.", "start"))
    for step in definition.steps:
        for target in step.targets():
            if target not in known:
                problems.append(
                    Problem(f"Leads to a step {target!r} that does not exist.", step=step.id)
                )
    reachable: set[str] = set()
    stack = [definition.first_step_id()] if definition.first_step_id() in known else []
    while stack:
        current = stack.pop()
        if current and current not in reachable:
            reachable.add(current)
            node = definition.step(current)
            stack.extend(t for t in (node.targets() if node else []) if t in known)
    for step in definition.steps:
        if step.id not in reachable:
            problems.append(
                Problem(
                    "This step is unreachable: no path leads to it.",
                    step=step.id,
                    hint="Connect it or delete it.",
                )
            )
    problems.extend(_cycle_problems(definition, known))
    return problems


def _cycle_problems(definition: WorkflowDefinition, known: set[str]) -> list[Problem]:
    color: dict[str, int] = {}
    found: list[Problem] = []

    def visit(step_id: str) -> None:
        color[step_id] = 1
        step = definition.step(step_id)
        for target in step.targets() if step else []:
            if target not in known:
                continue
            if color.get(target) == 1:
                found.append(
                    Problem(
                        f"Cycle: this step leads back to {target!r}.",
                        step=step_id,
                        hint="Workflows must move forward; remove the loop.",
                    )
                )
            elif target not in color:
                visit(target)
        color[step_id] = 2

    for s in definition.steps:
        if s.id not in color:
            visit(s.id)
    return found


def problems_of(definition: WorkflowDefinition, session: Session | None = None) -> list[Problem]:
    """Every problem of a parsed definition (``session`` enables the template check)."""
    problems = _trigger_problems(definition)
    for slot, _label in CONDITION_SLOTS:
        problems.extend(condition_problems(getattr(definition, slot), slot))
    if not definition.steps:
        problems.append(
            Problem(
                "The workflow has no steps: it would do nothing.",
                "steps",
                hint="Add a step, e.g. 'Send email'.",
            )
        )
    for step in definition.steps:
        if step.type not in STEP_TYPES:
            problems.append(Problem(f"Unknown step type {step.type!r}.", step=step.id))
            continue
        problems.extend(STEP_CHECKS[step.type](step, session))
    problems.extend(_graph_problems(definition))
    problems.extend(holdout_problems(definition, session))
    return problems


NO_HOLDOUT = (
    "No holdout: every customer gets the messages, so this workflow's impact cannot be measured."
)


def holdout_problems(definition: WorkflowDefinition, session: Session | None) -> list[Problem]:
    """A warning when a workflow sending marketing emails keeps nobody out to compare with."""
    if definition.holdout_pct or session is None:
        return []
    names = [str(s.params.get("template")) for s in definition.steps if s.type == "send_email"]
    marketing = session.scalar(
        select(MessageTemplate.name)
        .where(MessageTemplate.name.in_(names), MessageTemplate.category == "marketing")
        .limit(1)
    )
    if marketing is None:
        return []
    return [
        Problem(
            NO_HOLDOUT,
            "holdout_pct",
            severity="warning",
            hint="Keep about 10% out (Holdout (%) under 'Measurement and limits').",
        )
    ]


def parse(data: Mapping[str, Any] | str) -> tuple[WorkflowDefinition | None, list[Problem]]:
    """A definition from JSON text or a dict, or the schema problems that prevent it."""
    try:
        if isinstance(data, str):
            return WorkflowDefinition.model_validate_json(data), []
        return WorkflowDefinition.model_validate(dict(data)), []
    except pydantic.ValidationError as exc:
        return None, [
            Problem(f"{e['msg']}.", ".".join(str(p) for p in e["loc"])) for e in exc.errors()
        ]


def validate(
    data: WorkflowDefinition | Mapping[str, Any] | str, session: Session | None = None
) -> list[Problem]:
    """Every problem of a definition (object, dict or JSON text), errors first."""
    definition = data if isinstance(data, WorkflowDefinition) else None
    if definition is None:
        definition, problems = parse(data)  # type: ignore[arg-type]
        if definition is None:
            return problems
    found = problems_of(definition, session)
    return sorted(found, key=lambda p: p.severity != "error")


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def check(
    data: WorkflowDefinition | Mapping[str, Any] | str, session: Session | None = None
) -> WorkflowDefinition:
    """The parsed definition, or WorkflowError listing every error."""
    problems = validate(data, session)
    blocking = errors(problems)
    if blocking:
        raise WorkflowError(
            f"The workflow has {len(blocking)} problem(s): " + "; ".join(map(str, blocking)),
            problems=list(blocking),
            hint="Fix them and try again.",
        )
    definition = data if isinstance(data, WorkflowDefinition) else parse(data)[0]
    assert definition is not None
    return definition
