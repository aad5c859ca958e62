"""The nested AND/OR/NOT condition editor: groups and rules that can be added, removed and
reordered, each rule with a field, a comparison and a typed value input.

It edits the condition a :class:`Slot` points at in any holder (the builder's ``Working`` copy,
or another page's, see :mod:`dashboard.builder.vocabulary`) over the slot's vocabulary of
fields (the workflow fields unless the slot names others)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.builder import conditions as cond
from core.builder.values import default_value, value_fits
from core.engine.registry import FIELDS
from core.engine.schema import Group, Node, Rule
from core.engine.validate import Problem
from core.errors import OrderflowError
from dashboard.builder import state as builder_state
from dashboard.builder.holder import Holder
from dashboard.builder.labels import operator_label
from dashboard.builder.values import unseen_text, value_input
from dashboard.builder.vocabulary import WORKFLOW, Vocabulary
from dashboard.components.mdtext import md, md_code

# The holder's definition is a workflow in the builder and a bare condition elsewhere
# (a delivery option's rules), so getters and putters take whatever the holder keeps.
Getter = Callable[[Any], Node | None]
Putter = Callable[[Any, Node | None], Any]
Maker = Callable[[Node], Node | None]
FIELD_KEYS = list(FIELDS)
DEFAULT_FIELD = "order.total"


@dataclass(frozen=True)
class Slot:
    """Where a condition lives: ``scope`` names its widgets, ``path`` is the validator's prefix."""

    scope: str
    path: str
    get: Getter
    put: Putter
    vocabulary: Vocabulary = WORKFLOW


def _root(work: Holder, slot: Slot) -> Group:
    return cond.as_group(slot.get(work.definition))


def _change(
    work: Holder, slot: Slot, fn: Callable[[Group], Group], structural: bool
) -> Callable[[], None]:
    def apply(d: Any) -> Any:
        return slot.put(d, cond.stored(fn(cond.as_group(slot.get(d)))))

    return builder_state.on_edit(work, apply, structural=structural)


def new_rule(
    field: str | None = None, op: str | None = None, vocabulary: Vocabulary = WORKFLOW
) -> Rule:
    field = field or vocabulary.default_field
    spec = vocabulary.fields[field]
    chosen = op if op in spec.operators else spec.operators[0]
    choices = vocabulary.choices(spec.choices_source) if spec.kind == "choice" else []
    from dashboard import resources

    value = default_value(
        field,
        chosen,
        store_currency=resources.settings().currency,
        choices=choices,
        fields=vocabulary.fields,
    )
    return Rule(field=field, op=chosen, value=value)


def _item_edit(
    work: Holder, slot: Slot, path: cond.Path, drawn: Node, same: Callable[[Node], bool]
) -> Callable[[Maker], None]:
    """Apply edits of a widget drawn for ``drawn``, the item at ``path``: ``apply(make)`` stores
    ``make(item)`` in its place (nothing when ``make`` returns None).

    Streamlit keeps the callback of a widget that a run removed (e.g. the value input of "="
    once the comparison is "is one of"), and when the browser's next request still carries
    that widget's value (sent before the browser dropped it), calls it as if the value had
    changed: a callback over the rule it was drawn for then stored that old rule again, and
    the merchant's "is one of" came back as "=" (issue 14). Such a call brings back the value
    the widget was drawn with, so callers edit nothing for that value; and an edit applies only
    while the item is still the one the widget was drawn for: ``same(item)`` (e.g. the same
    field and comparison), or the very item once a structural edit renumbered the widgets
    (their keys carry the generation)."""
    layout = work.key()

    def apply(make: Maker) -> None:
        try:
            current = cond.at(_root(work, slot), path)
        except OrderflowError:
            return  # the item is gone
        if not (same(current) if work.key() == layout else current == drawn):
            return
        new = make(current)
        if new is not None:
            _change(work, slot, lambda g: cond.replace(g, path, new), False)()

    return apply


def _same_rule(drawn: Rule, with_op: bool) -> Callable[[Node], bool]:
    return lambda n: (
        isinstance(n, Rule) and n.field == drawn.field and (not with_op or n.op == drawn.op)
    )


def _structural(
    work: Holder, slot: Slot, path: cond.Path, drawn: Node, fn: Callable[[Group], Group]
) -> Callable[[], None]:
    """A move/remove button's callback: it acts only on the item it was drawn beside (a click
    on a button of a layout already replaced by another structural edit is ignored)."""
    layout = work.key()
    edit = _change(work, slot, fn, True)

    def callback() -> None:
        try:
            current = cond.at(_root(work, slot), path)
        except OrderflowError:
            return
        if work.key() == layout or current == drawn:
            edit()

    return callback


def _problems_at(problems: Sequence[Problem], full_path: str) -> list[Problem]:
    return [p for p in problems if p.path == full_path]


def _full(slot: Slot, path: cond.Path) -> str:
    return f"{slot.path}.{cond.path_text(path)}" if path else slot.path


def _order_buttons(
    work: Holder, slot: Slot, path: cond.Path, drawn: Node, what: str, readonly: bool
) -> None:
    key = work.key(slot.scope, cond.path_text(path) or "root")
    row = st.container(horizontal=True, gap="small", horizontal_alignment="right")
    up, down, drop = row, row, row
    up.button(
        "",
        icon=":material/arrow_upward:",
        help=f"Move this {what} up",
        key=f"{key}.up",
        disabled=readonly or path[-1] == 0,
        on_click=_structural(work, slot, path, drawn, lambda g: cond.move(g, path, -1)),
    )
    down.button(
        "",
        icon=":material/arrow_downward:",
        help=f"Move this {what} down",
        key=f"{key}.down",
        disabled=readonly,
        on_click=_structural(work, slot, path, drawn, lambda g: cond.move(g, path, 1)),
    )
    drop.button(
        "",
        icon=":material/delete:",
        help=f"Remove this {what}",
        key=f"{key}.remove",
        disabled=readonly,
        on_click=_structural(work, slot, path, drawn, lambda g: cond.remove(g, path)),
    )


def _controlled(key: str, value: object) -> None:
    """Show the definition's value: a widget state left from before an edit elsewhere (e.g. a
    value input that replaced the rule) must not contradict what is stored. Only a differing
    state is written: writing it anyway sends the value to the browser on every run, and a run
    still drawing the old definition (e.g. the one the canvas asks for after drawing) would then
    overwrite a choice the merchant just made, which the next run reads back as a change."""
    if key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value


def _rule_edits(
    work: Holder, slot: Slot, path: cond.Path, rule: Rule, key: str, op_key: str
) -> tuple[Callable[[], None], Callable[[], None], Callable[[Any], None]]:
    """The callbacks of a rule's field, comparison and value inputs. Each edits the rule only
    when its widget's value differs from the one it was drawn with (see ``_item_edit``)."""
    vocab = slot.vocabulary
    by_field = _item_edit(work, slot, path, rule, _same_rule(rule, with_op=False))
    by_op = _item_edit(work, slot, path, rule, _same_rule(rule, with_op=True))

    def field_changed() -> None:
        field = st.session_state[f"{key}.field"]
        if field and field != rule.field:
            by_field(lambda _: new_rule(field, vocabulary=vocab))

    def op_changed() -> None:
        op = st.session_state[op_key]
        if op and op != rule.op:
            by_op(lambda n: _with_op(n, op, vocab) if isinstance(n, Rule) else None)

    def value_changed(value: Any) -> None:
        if value != rule.value:
            by_op(lambda _: Rule(field=rule.field, op=rule.op, value=value))

    return field_changed, op_changed, value_changed


def _rule_row(work: Holder, slot: Slot, path: cond.Path, rule: Rule, readonly: bool) -> None:
    key = work.key(slot.scope, cond.path_text(path))
    field_col, op_col = st.columns([3, 2], vertical_alignment="bottom")
    value_col, tools = st.columns([3, 2], vertical_alignment="bottom")
    vocab = slot.vocabulary
    spec = vocab.fields.get(rule.field)
    op_key = f"{key}.{rule.field}.op"
    field_changed, op_changed, value_changed = _rule_edits(work, slot, path, rule, key, op_key)
    with field_col:
        _controlled(f"{key}.field", rule.field if spec else None)
        st.selectbox(
            "Field",
            list(vocab.fields),
            format_func=vocab.field_label,
            key=f"{key}.field",
            disabled=readonly,
            on_change=field_changed,
        )
    if spec is None:
        value_col.error(md(f"Unknown field {rule.field!r}"))
        return
    ops = list(spec.operators)
    with op_col:
        _controlled(op_key, rule.op if rule.op in ops else None)
        st.selectbox(
            "Comparison",
            ops,
            format_func=operator_label,
            key=op_key,
            disabled=readonly,
            on_change=op_changed,
        )
    with value_col:
        value_input(rule, f"{key}.{rule.field}.{rule.op}", readonly, value_changed, vocab)
        unseen = unseen_text(rule, vocab)
        if unseen:
            st.warning(unseen, icon=":material/search_off:")
    with tools:
        _order_buttons(work, slot, path, rule, "condition", readonly)


def _with_op(rule: Rule, op: str, vocabulary: Vocabulary = WORKFLOW) -> Rule:
    if value_fits(rule.field, op, rule.value, vocabulary.fields):
        return Rule(field=rule.field, op=op, value=rule.value)
    return new_rule(rule.field, op, vocabulary)


def _group(
    work: Holder,
    slot: Slot,
    path: cond.Path,
    group: Group,
    readonly: bool,
    problems: Sequence[Problem],
) -> None:
    key = work.key(slot.scope, cond.path_text(path) or "root")
    head, tools = st.columns([3, 2], vertical_alignment="bottom")
    modes = list(cond.MODE_LABELS)
    by_group = _item_edit(work, slot, path, group, lambda n: isinstance(n, Group))

    def mode_changed() -> None:
        mode = st.session_state[f"{key}.mode"]
        if mode != group.mode:
            by_group(lambda current: cond.set_mode(cond.as_group(current), (), mode))

    _controlled(f"{key}.mode", group.mode)
    head.selectbox(
        "Match" if not path else "Match (inner group)",
        modes,
        format_func=cond.MODE_LABELS.__getitem__,
        key=f"{key}.mode",
        disabled=readonly,
        on_change=mode_changed,
    )
    if path:
        with tools:
            _order_buttons(work, slot, path, group, "group", readonly)
    for p in _problems_at(problems, _full(slot, path)):
        _show(p)
    for i, item in enumerate(group.items):
        child = (*path, i)
        if isinstance(item, Group):
            with st.container(border=True):
                _group(work, slot, child, item, readonly, problems)
        else:
            with st.container(border=True):
                _rule_row(work, slot, child, item, readonly)
                for p in _problems_at(problems, _full(slot, child)):
                    _show(p)
    if readonly:
        return
    row = st.container(horizontal=True, gap="small")
    add_rule, add_group = row, row
    add_rule.button(
        "Add condition",
        icon=":material/add:",
        key=f"{key}.add_rule",
        on_click=_change(
            work, slot, lambda g: cond.add_rule(g, path, new_rule(vocabulary=slot.vocabulary)), True
        ),
    )
    add_group.button(
        "Add group",
        icon=":material/account_tree:",
        key=f"{key}.add_group",
        help="A nested group: e.g. any of several countries",
        on_click=_change(work, slot, lambda g: cond.add_group(g, path, "any"), True),
    )


def _show(problem: Problem) -> None:
    text = md_code(f"{problem.message} {problem.hint}".strip())
    if problem.severity == "error":
        st.error(text, icon=":material/error:")
    else:
        st.warning(text, icon=":material/warning:")


def condition_editor(work: Holder, slot: Slot, readonly: bool, problems: Sequence[Problem]) -> None:
    """Edit the condition in ``slot`` of the working definition."""
    root = _root(work, slot)
    if not root.items:
        st.caption(
            "No condition: everyone passes."
            if readonly
            else "No condition yet: everyone passes. Add a condition or a group."
        )
    _group(work, slot, (), root, readonly, problems)
    if root.items:
        st.caption(f"Reads: {md(cond.describe(root, _currency(), fields=slot.vocabulary.fields))}")


def _currency() -> str:
    from dashboard import resources

    return resources.settings().currency
