"""The builder's workspace: the canvas on the left, the node picker and the selected node's
editor (with its validation messages and structure buttons) on the right."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core.builder import graph
from core.engine.validate import Problem
from dashboard import resources
from dashboard.builder import structure as builder_structure
from dashboard.builder.canvas import clicked_node, draw_canvas
from dashboard.builder.node_editor import step_editor, trigger_editor
from dashboard.builder.state import NODE_PICKER, Working
from dashboard.builder.structure import node_name
from dashboard.components.mdtext import md_code

NODE_LABEL = f"{NODE_PICKER}.label"  # the selected node's label as last drawn


def problems_by_node(work: Working, problems: list[Problem]) -> dict[str, list[Problem]]:
    known = {s.id for s in work.definition.steps}
    out: dict[str, list[Problem]] = {}
    for p in problems:
        node = graph.problem_node(p.step, p.path)
        out.setdefault(node if node in known else graph.TRIGGER_ID, []).append(p)
    return out


def _picker(work: Working, nodes: list[str]) -> str:
    """The node selectbox. The browser keeps a selectbox's choice by its label, and a step's
    label says what it does ("Wait 1 day" -> "Wait 7 days"): when an edit changes the selected
    node's label, the label the browser sends back no longer matches and the choice would fall
    back to the first node (the trigger). So the choice is set again whenever its label differs
    from the one last drawn, which sends the new label to the browser."""
    current = st.session_state.get(NODE_PICKER)
    if current not in nodes:
        st.session_state[NODE_PICKER] = current = graph.TRIGGER_ID
    elif st.session_state.get(NODE_LABEL) != node_name(work.definition, str(current)):
        st.session_state[NODE_PICKER] = current
    selected = str(
        st.selectbox(
            "Node",
            nodes,
            key=NODE_PICKER,
            format_func=lambda n: node_name(work.definition, n),
            help="The same as clicking a node on the canvas.",
        )
    )
    st.session_state[NODE_LABEL] = node_name(work.definition, selected)
    return selected


def workspace(work: Working, problems: list[Problem], readonly: bool) -> Callable[[], None]:
    """Draw the node picker and the selected node's editor; return the function drawing the
    canvas beside them, to be called after every other widget of the page (see draw_canvas)."""
    by_node = problems_by_node(work, problems)
    canvas = graph.canvas(
        work.definition,
        {k: [p.message for p in v if p.severity == "error"] for k, v in by_node.items()},
        resources.settings().currency,
    )
    nodes = [graph.TRIGGER_ID, *(s.id for s in work.definition.steps)]
    clicked = clicked_node(work)
    if clicked in nodes:
        st.session_state[NODE_PICKER] = clicked  # before the picker is drawn: it opens it
    left, right = st.columns([11, 9], gap="medium")
    with left:
        spot = st.container()
        st.caption("Click a node to edit it, or pick it in the list on the right.")
    with right:
        selected = _picker(work, nodes)
        if work.notice:
            st.warning(md_code(work.notice), icon=":material/info:")
            work.notice = ""
        with st.container(border=True):
            if selected == graph.TRIGGER_ID:
                trigger_editor(work, readonly, by_node.get(selected, []))
            else:
                step = work.definition.step(selected)
                if step is not None:
                    step_editor(work, step, readonly, by_node.get(selected, []))
        if not readonly:
            builder_structure.add_tools(work, selected)
            if selected != graph.TRIGGER_ID:
                builder_structure.move_tools(work, selected)
                builder_structure.delete_tools(work, selected)

    def draw() -> None:
        with spot:
            draw_canvas(work, canvas, st.session_state.get(NODE_PICKER))

    return draw
