"""The builder's working copy of one workflow, kept in session state between reruns.

Edits change ``Working.definition`` at once (widget callbacks) and mark it unsaved; "Save draft"
stores it with the revision it was loaded at, so a concurrent save is detected. Widget keys carry
``generation``: replacing the definition wholesale (import, rollback, reload, structural edits)
bumps it, so no widget shows a value from before.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from sqlalchemy.exc import SAWarning

from core.engine import registry
from core.engine.schema import WorkflowDefinition
from core.engine.validate import Problem, validate
from dashboard import resources
from dashboard.builder.holder import Holder

PREFIX = "builder"
NODE_PICKER = "builder.node"
CANVAS = "builder.canvas"


@dataclass
class Working:
    workflow_id: int
    definition: WorkflowDefinition
    revision: int
    status: str
    published_version: int | None
    dirty: bool = False
    generation: int = 0
    notice: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self, *parts: object) -> str:
        """A widget key unique to this workflow, generation and purpose."""
        return ".".join(["b", str(self.workflow_id), str(self.generation), *map(str, parts)])

    def edit(self, definition: WorkflowDefinition, *, structural: bool = False) -> None:
        self.definition = definition
        self.dirty = True
        if structural:
            self.generation += 1

    def replace(self, definition: WorkflowDefinition, revision: int, **info: Any) -> None:
        """Take a definition from the database (load, save, rollback): not unsaved."""
        self.definition = definition
        self.revision = revision
        self.dirty = False
        self.generation += 1
        for name, value in info.items():
            setattr(self, name, value)


def state_key(workflow_id: int) -> str:
    return f"{PREFIX}.wf.{workflow_id}"


def working(workflow_id: int) -> Working | None:
    """The working copy kept for this workflow. Checked by shape, not class: Streamlit re-imports
    every watched module when a source file changes, and the kept object must survive that."""
    found = st.session_state.get(state_key(workflow_id))
    if getattr(found, "workflow_id", None) == workflow_id and hasattr(found, "definition"):
        return found
    return None


def keep(work: Working) -> Working:
    st.session_state[state_key(work.workflow_id)] = work
    return work


def forget(workflow_id: int) -> None:
    st.session_state.pop(state_key(workflow_id), None)


def on_edit(
    work: Holder,
    change: Callable[[Any], Any],
    structural: bool = False,
) -> Callable[[], None]:
    """A widget/button callback applying ``change`` to the working definition."""

    def callback() -> None:
        from core.errors import OrderflowError

        try:
            work.edit(change(work.definition), structural=structural)
        except OrderflowError as exc:
            work.notice = str(exc)

    return callback


@st.cache_data(show_spinner=False, max_entries=64)
def _choices(source: str, version: int) -> list[str]:
    # registry.choice_values uses select(distinct(col)), which SQLAlchemy 2.1 warns about
    # (reported to the engine's owner); the values are right, so only that warning is muted.
    with resources.session() as s, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Column-expression-level unary distinct", SAWarning)
        return registry.choice_values(s, source)


def choices(source: str | None) -> list[str]:
    """Allowed values of a registry ``choices_source`` from the store's data (cached)."""
    if not source:
        return []
    return _choices(source, resources.data_version())


@st.cache_data(show_spinner=False, max_entries=32)
def _problems(definition_json: str, version: int) -> list[Problem]:
    with resources.session() as s:
        return validate(WorkflowDefinition.model_validate_json(definition_json), s)


def problems(definition: WorkflowDefinition) -> list[Problem]:
    """Validation problems (template names checked against the database), cached per text."""
    return _problems(definition.model_dump_json(), resources.data_version())
