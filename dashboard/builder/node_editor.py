"""The editor beside the canvas: the trigger node (what starts the workflow, who enters, when
customers leave, holdout) or one step (its typed parameters, a branch's condition, split paths)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import streamlit as st

from core.builder import edit
from core.engine.registry import STEP_TYPES, TRIGGERS
from core.engine.schema import Node, Step, WorkflowDefinition
from core.engine.validate import Problem
from dashboard.builder.conditions import Slot, condition_editor
from dashboard.builder.labels import trigger_label
from dashboard.builder.params import param_input
from dashboard.builder.state import Working, on_edit
from dashboard.components.mdtext import md, md_code

CONDITION_SLOTS = (
    ("entry", "Who enters", "Checked once, when the trigger happens."),
    (
        "exit",
        "Leave the workflow when",
        "Re-checked before every step, e.g. the order was refunded.",
    ),
    (
        "still_true",
        "Before each step, still true?",
        "Customers for whom this no longer holds leave.",
    ),
)


def show_problems(problems: Sequence[Problem]) -> None:
    for p in problems:
        text = md_code(f"{p.message} {p.hint}".strip())
        if p.severity == "error":
            st.error(text, icon=":material/error:")
        else:
            st.warning(text, icon=":material/warning:")


def _set(name: str, value: Any) -> Any:
    return lambda d: d.model_copy(update={name: value})


def _trigger_setter(work: Working, index: int, key: str) -> Callable[[Any], None]:
    def setter(value: Any) -> None:
        on_edit(
            work,
            lambda d: edit.set_trigger_params(d, index, {**d.triggers[index].params, key: value}),
        )()

    return setter


def _step_setter(work: Working, step_id: str, key: str) -> Callable[[Any], None]:
    def apply(value: Any) -> Callable[[WorkflowDefinition], WorkflowDefinition]:
        def change(d: WorkflowDefinition) -> WorkflowDefinition:
            current = d.step(step_id)
            params = dict(current.params) if current else {}
            return edit.update_step(d, step_id, params={**params, key: value})

        return change

    return lambda value: on_edit(work, apply(value))()


def _slot(name: str) -> Slot:
    def put(d: WorkflowDefinition, node: Node | None) -> WorkflowDefinition:
        return d.model_copy(update={name: node})

    return Slot(name, name, lambda d: getattr(d, name), put)


def _triggers(work: Working, readonly: bool) -> None:
    definition = work.definition
    for i, trigger in enumerate(definition.triggers):
        spec = TRIGGERS.get(trigger.type)
        with st.container(border=True):
            head, drop = st.columns([5, 1], vertical_alignment="center")
            head.markdown(
                f"**{md(trigger_label(trigger.type))}**  \n{spec.description if spec else ''}"
            )
            drop.button(
                "",
                icon=":material/delete:",
                help="Remove this trigger",
                key=work.key("trigger", i, "remove"),
                disabled=readonly,
                on_click=on_edit(work, partial(edit.remove_trigger, index=i), True),
            )
            for param in spec.params if spec else ():
                key = work.key("trigger", i, param.key)
                param_input(
                    param,
                    trigger.params.get(param.key, param.default),
                    key,
                    readonly,
                    _trigger_setter(work, i, param.key),
                )
    if readonly:
        return
    used = {t.type for t in definition.triggers}
    free = [k for k in TRIGGERS if k not in used]
    pick, add = st.columns([3, 2], vertical_alignment="bottom")
    key = work.key("trigger", "new")
    pick.selectbox(
        "Add a trigger",
        free,
        index=None,
        format_func=trigger_label,
        key=key,
        placeholder="Choose what starts the workflow...",
    )
    add.button(
        "Add trigger",
        icon=":material/add:",
        key=work.key("trigger", "add_trigger"),
        disabled=not free,
        on_click=lambda: (
            on_edit(work, lambda d: edit.add_trigger(d, st.session_state[key]), True)()
            if st.session_state.get(key)
            else None
        ),
    )


def trigger_editor(work: Working, readonly: bool, problems: Sequence[Problem]) -> None:
    """Name, triggers, entry/exit/"still true?" conditions, holdout, re-entry, priority."""
    definition = work.definition
    name_key = work.key("wf", "name")
    st.text_input(
        "Workflow name",
        value=definition.name,
        key=name_key,
        disabled=readonly,
        on_change=lambda: on_edit(
            work, _set("name", st.session_state.get(name_key) or definition.name)
        )(),
    )
    show_problems(
        [p for p in problems if not p.path.startswith(tuple(s for s, *_ in CONDITION_SLOTS))]
    )
    st.markdown("##### Starts when")
    _triggers(work, readonly)
    for name, title, help_text in CONDITION_SLOTS:
        st.markdown(f"##### {title}", help=help_text)
        condition_editor(work, _slot(name), readonly, problems)
    st.markdown("##### Measurement and limits")
    left, mid, right = st.columns(3)
    holdout = work.key("wf", "holdout")
    left.number_input(
        "Holdout (%)",
        0,
        90,
        definition.holdout_pct,
        step=1,
        key=holdout,
        disabled=readonly,
        help="Share of entering customers who get nothing, to measure what the workflow adds.",
        on_change=lambda: on_edit(work, _set("holdout_pct", int(st.session_state[holdout])))(),
    )
    priority = work.key("wf", "priority")
    mid.number_input(
        "Priority",
        1,
        1000,
        definition.priority,
        step=1,
        key=priority,
        disabled=readonly,
        help="Lower numbers win when the frequency cap allows only some marketing messages.",
        on_change=lambda: on_edit(work, _set("priority", int(st.session_state[priority])))(),
    )
    reentry = work.key("wf", "reentry")
    right.toggle(
        "Allow re-entry",
        definition.allow_reentry,
        key=reentry,
        disabled=readonly,
        help="Off: a customer enters once per order.",
        on_change=lambda: on_edit(work, _set("allow_reentry", bool(st.session_state[reentry])))(),
    )


def _split_paths(work: Working, step: Step, readonly: bool) -> None:
    total = sum(p.weight for p in step.paths) or 1
    for i, path in enumerate(step.paths):
        name_col, weight_col, share_col, drop_col = st.columns(
            [2, 2, 1, 1], vertical_alignment="bottom"
        )
        nkey, wkey = work.key(step.id, "path", i, "name"), work.key(step.id, "path", i, "weight")

        def changed(i: int = i, nkey: str = nkey, wkey: str = wkey) -> None:
            def apply(d: WorkflowDefinition) -> WorkflowDefinition:
                paths = [p.model_dump() for p in d.step(step.id).paths]  # type: ignore[union-attr]
                paths[i].update(
                    name=st.session_state[nkey] or f"P{i}", weight=int(st.session_state[wkey])
                )
                return edit.update_step(d, step.id, paths=paths)

            on_edit(work, apply)()

        name_col.text_input("Path name", path.name, key=nkey, disabled=readonly, on_change=changed)
        weight_col.number_input(
            "Weight", 0, 1000, path.weight, key=wkey, disabled=readonly, on_change=changed
        )
        share_col.metric("Share", f"{round(100 * path.weight / total)}%")
        drop_col.button(
            "",
            icon=":material/delete:",
            help="Remove this path and its steps",
            key=work.key(step.id, "path", i, "remove"),
            disabled=readonly or len(step.paths) <= 2,
            on_click=on_edit(work, partial(edit.remove_path, step_id=step.id, index=i), True),
        )
    if not readonly:
        st.button(
            "Add path",
            icon=":material/add:",
            key=work.key(step.id, "path", "add"),
            on_click=on_edit(work, lambda d: edit.add_path(d, step.id), True),
        )


def step_editor(work: Working, step: Step, readonly: bool, problems: Sequence[Problem]) -> None:
    """Label and the typed parameters of one step."""
    spec = STEP_TYPES.get(step.type)
    st.markdown(
        f"**{spec.label if spec else md(step.type)}** · id `{step.id}`  \n"
        f"{spec.description if spec else ''}"
    )
    show_problems([p for p in problems if not p.path.startswith(f"steps.{step.id}.condition")])
    label_key = work.key(step.id, "label")
    st.text_input(
        "Label on the canvas (optional)",
        step.label,
        key=label_key,
        disabled=readonly,
        on_change=lambda: on_edit(
            work, lambda d: edit.update_step(d, step.id, label=st.session_state[label_key])
        )(),
    )
    params = [p for p in spec.params if p.kind != "condition"] if spec else []
    columns = st.columns(3) if step.type == "wait" else None
    for index, param in enumerate(params):
        holder = columns[index] if columns else st.container()
        with holder:
            param_input(
                param,
                step.params.get(param.key, param.default),
                work.key(step.id, param.key),
                readonly,
                _step_setter(work, step.id, param.key),
            )
    if step.type == "branch":
        st.markdown(
            "##### Condition", help="Customers for whom it holds go 'yes', the others 'no'."
        )
        slot = Slot(
            f"{step.id}.cond",
            f"steps.{step.id}.condition",
            lambda d: d.step(step.id).condition if d.step(step.id) else None,
            lambda d, n: edit.update_step(d, step.id, condition=n),
        )
        condition_editor(work, slot, readonly, problems)
    if step.type == "split":
        st.markdown("##### Paths")
        _split_paths(work, step, readonly)
    if step.type == "webhook" and not readonly:
        from dashboard.auth_ui import current_actor
        from dashboard.builder.webhook_secret import webhook_secret_panel

        webhook_secret_panel(current_actor(), work, step)
