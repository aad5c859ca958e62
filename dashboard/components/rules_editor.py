"""A delivery option's eligibility rules in the builder's nested AND/OR/NOT condition editor,
over the basket fields (:data:`core.delivery.rules.FIELDS`).

The rules being edited live in a :class:`RulesDraft` kept in session state per option, so a
half-made rule survives reruns and a failed save; every problem is shown beside its rule.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import streamlit as st
from pydantic import ValidationError as PydanticError
from sqlalchemy.exc import SAWarning

from core.delivery import rules
from core.engine.schema import NODE_ADAPTER, Node
from core.engine.validate import Problem
from dashboard import resources
from dashboard.builder.conditions import Slot, condition_editor
from dashboard.builder.vocabulary import Vocabulary
from dashboard.components.mdtext import md_code
from dashboard.state import DELIVERY_RULES


@st.cache_data(show_spinner=False, max_entries=32)
def _choices(source: str, version: int) -> list[str]:
    with resources.session() as s, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Column-expression-level unary distinct", SAWarning)
        return rules.choice_values(s, source)


def basket_choices(source: str | None) -> list[str]:
    """Allowed values of a basket field's ``choices_source`` (cached per data version)."""
    return _choices(source, resources.data_version()) if source else []


BASKET = Vocabulary(rules.FIELDS, rules.GROUPS, rules.DEFAULT_FIELD, basket_choices)
SLOT = Slot("rules", rules.PATH, lambda d: d, lambda _d, node: node, BASKET)


@dataclass
class RulesDraft:
    """The rules of one option as edited (a :class:`~dashboard.builder.holder.Holder`)."""

    option: str
    definition: Node | None
    stored: Any
    """The rules as last loaded from the database (JSON)."""
    generation: int = 0
    dirty: bool = False
    notice: str = ""

    def key(self, *parts: object) -> str:
        return ".".join(["dr", self.option, str(self.generation), *map(str, parts)])

    def edit(self, definition: Any, *, structural: bool = False) -> None:
        self.definition, self.dirty = definition, True
        if structural:
            self.generation += 1

    def as_json(self) -> dict[str, Any] | None:
        return None if self.definition is None else self.definition.model_dump(mode="json")


def _node(stored: Any) -> tuple[Node | None, str]:
    """The stored rules as a tree, as they are (a rule no longer valid is shown and named,
    never dropped); a note when they are not a condition at all."""
    if not stored:
        return None, ""
    try:
        return NODE_ADAPTER.validate_python(rules.typed(stored)), ""
    except PydanticError:
        return None, f"The stored rules could not be read and are not shown: {stored!r}."


def draft(option: str, stored: Any) -> RulesDraft:
    """The draft of ``option``: kept while edited, taken afresh when the stored rules changed
    and nothing is unsaved."""
    key = f"{DELIVERY_RULES}.{option}"
    found = st.session_state.get(key)
    if (
        isinstance(found, RulesDraft)
        and found.option == option
        and (found.dirty or found.stored == stored)
    ):
        return found
    generation = getattr(found, "generation", -1) + 1
    node, note = _node(stored)
    fresh = RulesDraft(option, node, stored, generation, notice=note)
    st.session_state[key] = fresh
    return fresh


def saved(option: str) -> None:
    """Forget the draft once its option is saved (the next run loads what was stored)."""
    st.session_state.pop(f"{DELIVERY_RULES}.{option}", None)


def rules_editor(found: RulesDraft, readonly: bool) -> list[Problem]:
    """Draw the editor for ``found``; the problems it shows beside the rules."""
    problems = rules.problems(found.definition)
    if found.notice:
        st.error(md_code(found.notice), icon=":material/error:")
        found.notice = ""
    condition_editor(found, SLOT, readonly, problems)
    if found.dirty and not readonly:
        st.caption("The rules have unsaved changes: save the option to keep them.")
    return problems
