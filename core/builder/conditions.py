"""Edit nested all/any/not condition groups by position, and read them as a sentence.

A position (``Path``) is a tuple of indexes into ``Group.items`` from the root group; ``()`` is
the root. Every function returns a new tree and leaves its input untouched. In the builder a
condition is always edited as a root group (:func:`as_group`); :func:`stored` turns an empty
group back into "no condition".
"""

from __future__ import annotations

from collections.abc import Mapping

from core.builder.values import value_text
from core.engine.registry import FIELDS, OPERATORS, FieldSpec
from core.engine.schema import Group, Node, Rule
from core.errors import ValidationError

Path = tuple[int, ...]
MODE_LABELS = {"all": "All of (AND)", "any": "Any of (OR)", "not": "None of (NOT)"}
_JOINERS = {"all": " AND ", "any": " OR ", "not": " OR "}


def as_group(node: Node | None) -> Group:
    """The condition as an editable root group (a lone rule becomes an "all" group)."""
    if node is None:
        return Group(mode="all", items=[])
    if isinstance(node, Rule):
        return Group(mode="all", items=[node.model_copy(deep=True)])
    return node.model_copy(deep=True)


def stored(group: Group) -> Node | None:
    """What the definition stores: nothing for an empty root group."""
    return group if group.items else None


def at(root: Group, path: Path) -> Node:
    node: Node = root
    for index in path:
        if not isinstance(node, Group) or not 0 <= index < len(node.items):
            raise ValidationError(f"No condition at position {path_text(path)}.", field="condition")
        node = node.items[index]
    return node


def _group_at(root: Group, path: Path) -> Group:
    node = at(root, path)
    if not isinstance(node, Group):
        raise ValidationError(f"Position {path_text(path)} is a rule, not a group.")
    return node


def replace(root: Group, path: Path, new: Node) -> Group:
    if not path:
        if not isinstance(new, Group):
            raise ValidationError("The top of a condition is always a group.")
        return new.model_copy(deep=True)
    out = root.model_copy(deep=True)
    parent = _group_at(out, path[:-1])
    at(out, path)
    parent.items[path[-1]] = new.model_copy(deep=True)
    return out


def add_rule(root: Group, group_path: Path, rule: Rule) -> Group:
    out = root.model_copy(deep=True)
    _group_at(out, group_path).items.append(rule.model_copy(deep=True))
    return out


def add_group(root: Group, group_path: Path, mode: str = "any") -> Group:
    out = root.model_copy(deep=True)
    _group_at(out, group_path).items.append(Group.model_validate({"mode": mode, "items": []}))
    return out


def remove(root: Group, path: Path) -> Group:
    if not path:
        return Group(mode=root.mode, items=[])
    out = root.model_copy(deep=True)
    parent = _group_at(out, path[:-1])
    at(out, path)
    del parent.items[path[-1]]
    return out


def move(root: Group, path: Path, delta: int) -> Group:
    """Move an item up (``-1``) or down (``+1``) among its siblings; no-op at either end."""
    if not path:
        return root.model_copy(deep=True)
    out = root.model_copy(deep=True)
    items = _group_at(out, path[:-1]).items
    i, j = path[-1], path[-1] + delta
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    return out


def set_mode(root: Group, group_path: Path, mode: str) -> Group:
    if mode not in MODE_LABELS:
        raise ValidationError(f"Unknown group kind {mode!r}.", hint="Use all, any or not.")
    out = root.model_copy(deep=True)
    _group_at(out, group_path).mode = mode  # type: ignore[assignment]
    return out


def walk(root: Group, path: Path = ()) -> list[tuple[Path, Node]]:
    """Every node with its position, depth first, parents before children."""
    out: list[tuple[Path, Node]] = [(path, root)]
    for i, item in enumerate(root.items):
        if isinstance(item, Group):
            out.extend(walk(item, (*path, i)))
        else:
            out.append(((*path, i), item))
    return out


def path_text(path: Path) -> str:
    """The engine's spelling of a position: ``0.1`` (empty for the root)."""
    return ".".join(str(i) for i in path)


def parse_path(text: str) -> Path:
    return tuple(int(part) for part in text.split(".") if part != "")


def rule_text(
    rule: Rule, store_currency: str = "EUR", fields: Mapping[str, FieldSpec] = FIELDS
) -> str:
    field = fields[rule.field].label if rule.field in fields else rule.field
    op = OPERATORS[rule.op].label if rule.op in OPERATORS else rule.op
    value = value_text(rule.field, rule.op, rule.value, store_currency, fields)
    return " ".join(part for part in (field, op, value) if part)


def describe(
    node: Node | None,
    store_currency: str = "EUR",
    nested: bool = False,
    fields: Mapping[str, FieldSpec] = FIELDS,
) -> str:
    """The condition as one readable sentence, e.g. ``Order total ≥ 50 EUR AND (...)``;
    ``fields`` names the registry its rules' fields come from."""
    if node is None:
        return "always"
    if isinstance(node, Rule):
        return rule_text(node, store_currency, fields)
    if not node.items:
        return "always" if node.mode != "any" else "never"
    parts = [describe(item, store_currency, True, fields) for item in node.items]
    text = _JOINERS[node.mode].join(parts)
    if node.mode == "not":
        return f"NOT ({text})"
    return f"({text})" if nested and len(parts) > 1 else text
