"""Edit operations on a definition, as the canvas and its buttons offer them: add a step after
any node output, insert a branch, delete a step (reconnecting) or its whole subtree, move a step,
edit split paths and triggers. Each returns a new definition; the input is never changed.

A node output is ``(node id, output key)``: ``(TRIGGER_ID, "start")`` is the first step,
``(step id, "next" | "alt_next" | "paths.N")`` a step's outputs.
"""

from __future__ import annotations

from typing import Any

from core.builder.graph import (
    START_OUTPUT,
    TRIGGER_ID,
    node_outputs,
    outputs,
    reachable,
    reachable_from,
    subtree,
)
from core.engine.registry import STEP_TYPES, TRIGGERS, StepSpec
from core.engine.schema import SplitPath, Step, Trigger, WorkflowDefinition
from core.errors import NotFound, ValidationError


def _copy(definition: WorkflowDefinition) -> WorkflowDefinition:
    return definition.model_copy(deep=True)


def _step(definition: WorkflowDefinition, step_id: str) -> Step:
    step = definition.step(step_id)
    if step is None:
        raise NotFound(f"There is no step {step_id!r} in this workflow.")
    return step


def target_of(definition: WorkflowDefinition, node_id: str, output: str) -> str | None:
    for key, target in node_outputs(definition, node_id):
        if key == output:
            return target
    raise ValidationError(f"{node_id!r} has no output {output!r}.", field=node_id)


def _set_target(
    definition: WorkflowDefinition, node_id: str, output: str, target: str | None
) -> None:
    """Point an output at ``target`` (mutates: only call on a copy)."""
    target_of(definition, node_id, output)
    if node_id == TRIGGER_ID:
        definition.start = target
        return
    step = _step(definition, node_id)
    if output.startswith("paths."):
        step.paths[int(output.split(".", 1)[1])].next = target
    elif output == "alt_next":
        step.alt_next = target
    else:
        step.next = target


def new_step_id(definition: WorkflowDefinition, step_type: str) -> str:
    """A fresh stable id like ``send_email_2`` (never reused within this definition)."""
    taken = {s.id for s in definition.steps}
    n = 1
    while f"{step_type}_{n}" in taken:
        n += 1
    return f"{step_type}_{n}"


def default_params(spec: StepSpec) -> dict[str, Any]:
    return {
        p.key: list(p.default) if isinstance(p.default, list | tuple) else p.default
        for p in spec.params
        if p.default is not None and p.kind != "condition"
    }


def new_step(definition: WorkflowDefinition, step_type: str) -> Step:
    spec = STEP_TYPES.get(step_type)
    if spec is None:
        raise ValidationError(f"Unknown step type {step_type!r}.", field="type")
    step = Step(id=new_step_id(definition, step_type), type=step_type, params=default_params(spec))
    if step_type == "split":
        step.paths = [SplitPath(name="A", weight=50), SplitPath(name="B", weight=50)]
    return step


def add_step(
    definition: WorkflowDefinition, after: str, output: str, step_type: str
) -> tuple[WorkflowDefinition, str]:
    """Insert a new step of ``step_type`` on the output ``(after, output)``; what followed there
    continues after the new step (on its first output: "yes", "event happened", path A)."""
    out = _copy(definition)
    if out.start is None and out.steps:
        out.start = out.first_step_id()
    step = new_step(out, step_type)
    following = target_of(out, after, output)
    if step_type == "split":
        step.paths[0].next = following
    else:
        step.next = following
    out.steps.append(step)
    _set_target(out, after, output, step.id)
    return out, step.id


def insert_branch(
    definition: WorkflowDefinition, after: str, output: str
) -> tuple[WorkflowDefinition, str]:
    """A branch on ``(after, output)``: "yes" continues as before, "no" ends until filled."""
    return add_step(definition, after, output, "branch")


def _predecessors(definition: WorkflowDefinition, step_id: str) -> list[tuple[str, str]]:
    found = [(TRIGGER_ID, START_OUTPUT)] if definition.first_step_id() == step_id else []
    for step in definition.steps:
        found.extend((step.id, key) for key, target in outputs(step) if target == step_id)
    return found


def delete_subtree(definition: WorkflowDefinition, step_id: str) -> WorkflowDefinition:
    """Remove the step and every step only reachable through it; what pointed at it ends."""
    out = _copy(definition)
    if out.start is None and out.steps:
        out.start = out.first_step_id()
    _step(out, step_id)
    doomed = set(subtree(out, step_id))
    for node_id, key in _predecessors(out, step_id):
        if node_id not in doomed:
            _set_target(out, node_id, key, None)
    out.steps = [s for s in out.steps if s.id not in doomed]
    for step in out.steps:
        for key, target in outputs(step):
            if target in doomed:
                _set_target(out, step.id, key, None)
    if out.start in doomed:
        out.start = None
    return out


def continuation(step: Step) -> str | None:
    """Where a step's only used output leads; ValidationError if it has several used outputs."""
    used = [(k, t) for k, t in outputs(step) if t]
    if len(used) > 1:
        raise ValidationError(
            f"{step.id!r} leads to {len(used)} paths.",
            field=step.id,
            hint="Delete it with everything after it, or empty all but one of its paths first.",
        )
    return used[0][1] if used else None


def delete_step(definition: WorkflowDefinition, step_id: str) -> WorkflowDefinition:
    """Remove only this step: whatever pointed at it now points at what followed it."""
    out = _copy(definition)
    if out.start is None and out.steps:
        out.start = out.first_step_id()
    following = continuation(_step(out, step_id))
    for node_id, key in _predecessors(out, step_id):
        _set_target(out, node_id, key, following)
    out.steps = [s for s in out.steps if s.id != step_id]
    return out


def move_step(
    definition: WorkflowDefinition, step_id: str, after: str, output: str
) -> WorkflowDefinition:
    """Take a step with one path out of its place and put it on ``(after, output)``."""
    if after == step_id:
        raise ValidationError("A step cannot follow itself.", field=step_id)
    if after in reachable_from(definition, step_id):
        raise ValidationError(
            "A step cannot move below itself.", field=step_id, hint="Pick a node above it."
        )
    detached = delete_step(definition, step_id)
    moved = _step(definition, step_id).model_copy(deep=True)
    moved.next, moved.alt_next = target_of(detached, after, output), None
    detached.steps.append(moved)
    _set_target(detached, after, output, step_id)
    return detached


def update_step(definition: WorkflowDefinition, step_id: str, **changes: Any) -> WorkflowDefinition:
    """Set ``label``, ``params``, ``condition`` or ``paths`` of one step (validated)."""
    out = _copy(definition)
    index = next((i for i, s in enumerate(out.steps) if s.id == step_id), None)
    if index is None:
        raise NotFound(f"There is no step {step_id!r} in this workflow.")
    data = out.steps[index].model_dump()
    data.update(changes)
    out.steps[index] = Step.model_validate(data)
    return out


def add_path(definition: WorkflowDefinition, step_id: str) -> WorkflowDefinition:
    step = _step(definition, step_id)
    names = {p.name for p in step.paths}
    name = next(chr(c) for c in range(ord("A"), ord("Z") + 1) if chr(c) not in names)
    paths = [*step.paths, SplitPath(name=name, weight=50)]
    return update_step(definition, step_id, paths=[p.model_dump() for p in paths])


def remove_path(definition: WorkflowDefinition, step_id: str, index: int) -> WorkflowDefinition:
    """Remove a split path and the steps only reachable through it."""
    step = _step(definition, step_id)
    if len(step.paths) <= 2:
        raise ValidationError("A split needs at least two paths.", field=step_id)
    out = definition
    target = step.paths[index].next
    if target and target not in reachable_after_drop(definition, step_id, index):
        out = _drop_path_subtree(definition, step_id, index)
    paths = [p for i, p in enumerate(_step(out, step_id).paths) if i != index]
    return update_step(out, step_id, paths=[p.model_dump() for p in paths])


def reachable_after_drop(definition: WorkflowDefinition, step_id: str, index: int) -> list[str]:
    probe = update_step(
        definition,
        step_id,
        paths=[
            {**p.model_dump(), "next": None if i == index else p.next}
            for i, p in enumerate(_step(definition, step_id).paths)
        ],
    )
    return reachable(probe)


def _drop_path_subtree(
    definition: WorkflowDefinition, step_id: str, index: int
) -> WorkflowDefinition:
    target = _step(definition, step_id).paths[index].next
    return delete_subtree(definition, target) if target else definition


def add_trigger(definition: WorkflowDefinition, trigger_type: str) -> WorkflowDefinition:
    spec = TRIGGERS.get(trigger_type)
    if spec is None:
        raise ValidationError(f"Unknown trigger {trigger_type!r}.", field="trigger")
    if any(t.type == trigger_type for t in definition.triggers):
        raise ValidationError(f"The trigger '{spec.label}' is there already.", field="trigger")
    out = _copy(definition)
    params = {p.key: p.default for p in spec.params if p.default is not None}
    out.triggers.append(Trigger(type=trigger_type, params=params))
    return out


def remove_trigger(definition: WorkflowDefinition, index: int) -> WorkflowDefinition:
    out = _copy(definition)
    del out.triggers[index]
    return out


def set_trigger_params(
    definition: WorkflowDefinition, index: int, params: dict[str, Any]
) -> WorkflowDefinition:
    out = _copy(definition)
    out.triggers[index] = Trigger(type=out.triggers[index].type, params=params)
    return out
