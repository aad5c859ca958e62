"""Structure buttons for the selected node: add a step after any output, insert a branch, delete
a step (its subtree only after confirmation), move a step elsewhere. They are what the canvas
shows, reachable by keyboard and by AppTest."""

from __future__ import annotations

import streamlit as st

from core.builder import edit, graph
from core.builder.describe import output_label, step_text, step_title
from core.engine.registry import STEP_TYPES
from core.engine.schema import WorkflowDefinition
from core.errors import OrderflowError
from dashboard.builder.labels import step_type_label
from dashboard.builder.state import NODE_PICKER, Working
from dashboard.components.mdtext import md

STEP_KEYS = list(STEP_TYPES)


def node_name(definition: WorkflowDefinition, node_id: str) -> str:
    if node_id == graph.TRIGGER_ID:
        return "Trigger and audience"
    step = definition.step(node_id)
    if step is None:
        return node_id
    title, text = step_title(step), step_text(step)
    # what the step does, so the list follows every change (e.g. "Wait 7 days" -> "Wait 3 days")
    shown = text if text.lower().startswith(title.lower()) else f"{title}: {text}"
    return f"{shown} ({node_id})"


def _output_name(definition: WorkflowDefinition, node_id: str, output: str) -> str:
    step = definition.step(node_id)
    label = output_label(step, output) if step else ""
    return f"after '{label}'" if label else "after it"


def _act(work: Working, fn: object) -> None:
    """Run a structural edit; select the node it names; keep errors as a notice."""
    try:
        definition, selected = fn()  # type: ignore[operator]
    except OrderflowError as exc:
        work.notice = str(exc)
        return
    work.edit(definition, structural=True)
    st.session_state[NODE_PICKER] = selected


def _outputs_picker(work: Working, node_id: str, key: str, label: str) -> str | None:
    outs = [k for k, _ in graph.node_outputs(work.definition, node_id)]
    if len(outs) <= 1:
        return outs[0] if outs else None
    return st.selectbox(
        label, outs, key=key, format_func=lambda o: _output_name(work.definition, node_id, o)
    )


def add_tools(work: Working, node_id: str) -> None:
    """Add a step (any type) or a branch after the selected node."""
    st.markdown("##### Add after this node")
    output = _outputs_picker(work, node_id, work.key("node", node_id, "add_output"), "Where")
    kind_key = work.key("node", node_id, "add_type")
    st.selectbox("Step type", STEP_KEYS, format_func=step_type_label, key=kind_key)
    row = st.container(horizontal=True, gap="small")
    add_col, branch_col = row, row
    if output is None:
        return
    add_col.button(
        "Add step",
        icon=":material/add_circle:",
        key=work.key("node", node_id, "add"),
        type="primary",
        on_click=lambda: _act(
            work,
            lambda: edit.add_step(work.definition, node_id, output, st.session_state[kind_key]),
        ),
    )
    branch_col.button(
        "Insert branch",
        icon=":material/call_split:",
        key=work.key("node", node_id, "branch"),
        on_click=lambda: _act(work, lambda: edit.insert_branch(work.definition, node_id, output)),
    )


def delete_tools(work: Working, step_id: str) -> None:
    """Delete the step; when steps follow it, deleting them too needs a confirmation."""
    st.markdown("##### Remove")
    doomed = graph.subtree(work.definition, step_id)
    step = work.definition.step(step_id)
    single = step is not None and sum(1 for _, t in graph.outputs(step) if t) <= 1
    if single:
        st.button(
            "Delete this step",
            icon=":material/delete:",
            key=work.key("node", step_id, "delete"),
            help="What followed it moves up.",
            on_click=lambda: _act(
                work, lambda: (edit.delete_step(work.definition, step_id), graph.TRIGGER_ID)
            ),
        )
    if len(doomed) > 1 or not single:
        names = ", ".join(node_name(work.definition, s) for s in doomed if s != step_id)
        confirm = work.key("node", step_id, "confirm")
        st.checkbox(f"Also delete the {len(doomed) - 1} step(s) after it: {md(names)}", key=confirm)
        st.button(
            "Delete with the steps after it",
            icon=":material/delete_forever:",
            key=work.key("node", step_id, "delete_subtree"),
            disabled=not st.session_state.get(confirm),
            on_click=lambda: _act(
                work, lambda: (edit.delete_subtree(work.definition, step_id), graph.TRIGGER_ID)
            ),
        )


def move_tools(work: Working, step_id: str) -> None:
    step = work.definition.step(step_id)
    if step is None or sum(1 for _, t in graph.outputs(step) if t) > 1:
        return
    below = set(graph.reachable_from(work.definition, step_id))
    targets = [graph.TRIGGER_ID, *(s.id for s in work.definition.steps if s.id not in below)]
    with st.expander("Move this step"):
        key = work.key("node", step_id, "move_to")
        after = st.selectbox(
            "Move after", targets, key=key, format_func=lambda n: node_name(work.definition, n)
        )
        output = _outputs_picker(
            work, after, work.key("node", step_id, "move_output", after), "Which path"
        )
        st.button(
            "Move",
            icon=":material/move_down:",
            key=work.key("node", step_id, "move"),
            disabled=output is None,
            on_click=lambda: _act(
                work,
                lambda: (edit.move_step(work.definition, step_id, after, output or ""), step_id),
            ),
        )
