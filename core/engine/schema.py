"""The workflow definition: a typed, versioned document stored as JSON.

A definition has triggers (any of them enrols), entry conditions (checked once), an optional
"still true?" filter and exit conditions (both re-checked before every step), and steps that
form a graph: each step has a stable ``id`` that survives new versions, ``next`` (the main
path), ``alt_next`` (the "no" path of a branch, the timeout path of a wait-for-event) and, for a
random split, ``paths`` with weights. Conditions are nested ``all``/``any``/``not`` groups of
rules ``{field, op, value}``; they are data, never code.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SCHEMA_VERSION = 1
STEP_ID_PATTERN = r"^[A-Za-z0-9_\-]{1,64}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Rule(_Model):
    """One comparison: ``field`` (a registry key) ``op`` (an operator key) ``value``."""

    type: Literal["rule"] = "rule"
    field: str
    op: str
    value: Any = None


class Group(_Model):
    """``all`` (every item true), ``any`` (at least one) or ``not`` (none of the items)."""

    type: Literal["group"] = "group"
    mode: Literal["all", "any", "not"] = "all"
    items: list[Node] = Field(default_factory=list)


Node = Annotated[Rule | Group, Field(discriminator="type")]
Group.model_rebuild()
NODE_ADAPTER: TypeAdapter[Rule | Group] = TypeAdapter(Node)


class Trigger(_Model):
    """What enrols: a registry trigger key and its parameters (e.g. ``{"n": 2}``)."""

    type: str
    params: dict[str, Any] = Field(default_factory=dict)


class SplitPath(_Model):
    """One arm of a random split: its name (recorded as the variant), weight and next step."""

    name: str
    weight: int = Field(default=50, ge=0, le=1000)
    next: str | None = None


class Step(_Model):
    """One node of the step graph; ``params`` are described per type in the registry."""

    id: str = Field(pattern=STEP_ID_PATTERN)
    type: str
    label: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    condition: Node | None = None
    next: str | None = None
    alt_next: str | None = None
    paths: list[SplitPath] = Field(default_factory=list)

    def targets(self) -> list[str]:
        """Every step this one can lead to."""
        out = [t for t in (self.next, self.alt_next) if t]
        out.extend(p.next for p in self.paths if p.next)
        return out


class WorkflowDefinition(_Model):
    schema_version: int = SCHEMA_VERSION
    name: str = Field(min_length=1, max_length=255)
    description: str = ""
    triggers: list[Trigger] = Field(default_factory=list)
    entry: Node | None = None
    still_true: Node | None = None
    exit: Node | None = None
    start: str | None = None
    steps: list[Step] = Field(default_factory=list)
    holdout_pct: int = Field(default=0, ge=0, le=90)
    allow_reentry: bool = False
    priority: int = Field(default=100, ge=1, le=1000)

    def step(self, step_id: str | None) -> Step | None:
        if step_id is None:
            return None
        return next((s for s in self.steps if s.id == step_id), None)

    def first_step_id(self) -> str | None:
        if self.start:
            return self.start
        return self.steps[0].id if self.steps else None

    def template_names(self) -> list[str]:
        names = [str(s.params.get("template", "")) for s in self.steps if s.type == "send_email"]
        return sorted({n for n in names if n})

    def to_json(self) -> str:
        return json.dumps(self.model_dump(mode="json"), indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> WorkflowDefinition:
        return cls.model_validate_json(text)


def rule(field: str, op: str, value: Any = None) -> Rule:
    return Rule(field=field, op=op, value=value)


def all_of(*items: Rule | Group) -> Group:
    return Group(mode="all", items=list(items))


def any_of(*items: Rule | Group) -> Group:
    return Group(mode="any", items=list(items))


def none_of(*items: Rule | Group) -> Group:
    return Group(mode="not", items=list(items))
