"""A workflow definition as a drawable graph: the trigger node, one node per step, labelled
edges (``yes``/``no``, ``timed out``, split path names), and a top-down tree layout.

Node ids are the steps' stable ids; the trigger is :data:`TRIGGER_ID`. An empty output of a
step that has several (a branch's "no", a wait's "timed out", a split path) is drawn as a small
"end" node so the merchant sees where a path stops.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.builder.describe import output_label, step_text, step_title, triggers_text
from core.engine.registry import STEP_TYPES
from core.engine.schema import Step, WorkflowDefinition

TRIGGER_ID = "trigger"
START_OUTPUT = "start"
END_PREFIX = "end:"
DX, DY = 300.0, 120.0


@dataclass(frozen=True)
class CanvasNode:
    id: str
    kind: str  # trigger | wait | flow | action | end
    title: str
    detail: str
    x: float
    y: float
    problems: tuple[str, ...] = ()
    reachable: bool = True


@dataclass(frozen=True)
class CanvasEdge:
    id: str
    source: str
    target: str
    output: str
    label: str


@dataclass(frozen=True)
class Canvas:
    nodes: list[CanvasNode] = field(default_factory=list)
    edges: list[CanvasEdge] = field(default_factory=list)

    def node(self, node_id: str) -> CanvasNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)


def outputs(step: Step) -> list[tuple[str, str | None]]:
    """The step's outputs in drawing order: ``(output key, target step id or None)``."""
    spec = STEP_TYPES.get(step.type)
    keys = spec.outputs if spec else ("next",)
    out: list[tuple[str, str | None]] = []
    for key in keys:
        if key == "paths":
            out.extend((f"paths.{i}", p.next) for i, p in enumerate(step.paths))
        elif key == "alt_next":
            out.append((key, step.alt_next))
        else:
            out.append((key, step.next))
    return out


def node_outputs(definition: WorkflowDefinition, node_id: str) -> list[tuple[str, str | None]]:
    """Outputs of a node, the trigger included (its one output is the first step)."""
    if node_id == TRIGGER_ID:
        return [(START_OUTPUT, definition.first_step_id())]
    step = definition.step(node_id)
    return outputs(step) if step else []


def reachable(definition: WorkflowDefinition, skip: str | None = None) -> list[str]:
    """Step ids reachable from the start, in depth-first order (not passing through ``skip``)."""
    seen: list[str] = []
    stack = [definition.first_step_id()]
    while stack:
        current = stack.pop()
        if current is None or current in seen or current == skip:
            continue
        step = definition.step(current)
        if step is None:
            continue
        seen.append(current)
        stack.extend(reversed([t for _, t in outputs(step)]))
    return seen


def reachable_from(definition: WorkflowDefinition, step_id: str) -> list[str]:
    seen: list[str] = []
    stack: list[str | None] = [step_id]
    while stack:
        current = stack.pop()
        if current is None or current in seen:
            continue
        step = definition.step(current)
        if step is None:
            continue
        seen.append(current)
        stack.extend(reversed([t for _, t in outputs(step)]))
    return seen


def subtree(definition: WorkflowDefinition, step_id: str) -> list[str]:
    """The step and every step only reachable through it (what deleting it removes)."""
    kept = set(reachable(definition, skip=step_id))
    return [s for s in reachable_from(definition, step_id) if s not in kept]


class _Layout:
    """A tidy top-down tree: leaves take consecutive columns, parents centre over children."""

    def __init__(self, definition: WorkflowDefinition) -> None:
        self.definition = definition
        self.pos: dict[str, tuple[float, float]] = {}
        self.ends: dict[tuple[str, str], tuple[float, float]] = {}
        self.next_column = 0.0

    def place(self, node_id: str, depth: int) -> float:
        self.pos[node_id] = (0.0, depth * DY)
        outs = node_outputs(self.definition, node_id)
        xs: list[float] = []
        for key, target in outs:
            if target is None:
                if len(outs) > 1:
                    self.ends[(node_id, key)] = (self._leaf(), (depth + 1) * DY)
                    xs.append(self.ends[(node_id, key)][0])
            elif target not in self.pos and self.definition.step(target) is not None:
                xs.append(self.place(target, depth + 1))
        x = sum(xs) / len(xs) if xs else self._leaf()
        self.pos[node_id] = (x, depth * DY)
        return x

    def _leaf(self) -> float:
        x = self.next_column * DX
        self.next_column += 1
        return x


def canvas(
    definition: WorkflowDefinition,
    problems: Mapping[str, Sequence[str]] | None = None,
    store_currency: str = "EUR",
) -> Canvas:
    """The drawable graph of ``definition``; ``problems`` maps node ids to their messages."""
    problems = problems or {}
    layout = _Layout(definition)
    layout.place(TRIGGER_ID, 0)
    live = set(reachable(definition))
    for step in definition.steps:  # unreachable steps go to the right, each its own tree
        if step.id not in layout.pos:
            layout.place(step.id, 1)
    nodes = [
        CanvasNode(
            TRIGGER_ID,
            "trigger",
            "Trigger",
            triggers_text(definition),
            *layout.pos[TRIGGER_ID],
            tuple(problems.get(TRIGGER_ID, ())),
        )
    ]
    edges: list[CanvasEdge] = []
    for step in definition.steps:
        spec = STEP_TYPES.get(step.type)
        x, y = layout.pos[step.id]
        nodes.append(
            CanvasNode(
                step.id,
                spec.category if spec else "action",
                step_title(step),
                step_text(step, store_currency),
                x,
                y,
                tuple(problems.get(step.id, ())),
                step.id in live,
            )
        )
    for node_id in [TRIGGER_ID, *(s.id for s in definition.steps)]:
        edges.extend(_edges(definition, node_id, layout, nodes))
    return Canvas(nodes, edges)


def _edges(
    definition: WorkflowDefinition, node_id: str, layout: _Layout, nodes: list[CanvasNode]
) -> list[CanvasEdge]:
    step = definition.step(node_id)
    out: list[CanvasEdge] = []
    for key, target in node_outputs(definition, node_id):
        label = output_label(step, key) if step else ""
        if target is None:
            if (node_id, key) not in layout.ends:
                continue
            target = f"{END_PREFIX}{node_id}:{key}"
            nodes.append(CanvasNode(target, "end", "End", "", *layout.ends[(node_id, key)]))
        elif definition.step(target) is None:
            continue
        out.append(CanvasEdge(f"{node_id}->{key}", node_id, target, key, label))
    return out


def problem_node(step: str | None, path: str) -> str:
    """The canvas node a validation problem concerns: its step, else the trigger node (which
    also holds the entry, "still true?" and exit conditions)."""
    if step:
        return step
    if path.startswith("steps.") and path.count(".") >= 1:
        return path.split(".")[1]
    return TRIGGER_ID
