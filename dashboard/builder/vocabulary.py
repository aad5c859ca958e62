"""What the condition editor works with, so it serves more than workflows.

- :class:`Vocabulary`: the fields a rule may use (a registry in the format of
  :data:`core.engine.registry.FIELDS`), their group names, the field of a new rule and where
  the values of choice fields come from. :data:`WORKFLOW` is the builder's.
- :class:`~dashboard.builder.holder.Holder`: what holds the condition being edited. The builder's ``Working`` copy is one;
  another page passes its own (e.g. a delivery option's eligibility rules).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from core.engine.registry import FIELDS, FieldSpec
from dashboard.builder import state as builder_state
from dashboard.builder.labels import GROUPS


@dataclass(frozen=True)
class Vocabulary:
    fields: Mapping[str, FieldSpec]
    groups: Mapping[str, str]
    default_field: str
    choices: Callable[[str | None], list[str]]
    """The allowed values of a field's ``choices_source`` (from the store's data)."""
    history_sources: tuple[str, ...] = ()
    """Sources read from the order history: a chosen value outside them is flagged as
    matching no order yet."""

    def field_label(self, key: str) -> str:
        spec = self.fields.get(key)
        return f"{self.groups.get(spec.group, spec.group)} · {spec.label}" if spec else key


WORKFLOW = Vocabulary(
    FIELDS,
    GROUPS,
    "order.total",
    builder_state.choices,
    ("countries", "currencies", "delivery_options", "channels", "tags"),
)
