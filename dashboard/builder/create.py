"""Create a workflow: blank, or from one of the engine's presets (each with its description)."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from core.engine import lifecycle
from core.engine.presets import PRESETS
from core.engine.schema import WorkflowDefinition
from core.errors import OrderflowError
from dashboard import resources
from dashboard.builder.links import go_to_builder
from dashboard.components.feedback import show_error

BLANK = "blank"
START = "workflows.start"
NAME = "workflows.name"


def _label(key: str) -> str:
    if key == BLANK:
        return "Blank: start from an empty canvas"
    preset = PRESETS[key]
    return f"{preset.build().name}: {preset.description}"


def create_form(actor: Actor) -> None:
    """Pick blank or a preset, name it, create it and open it in the builder."""
    options = [BLANK, *PRESETS]
    start = st.selectbox("Start from", options, format_func=_label, key=START)
    default = "New workflow" if start == BLANK else PRESETS[start].build().name
    name = st.text_input("Name", placeholder=default, key=NAME)
    if not st.button(
        "Create and open in the builder",
        type="primary",
        key="workflows.create",
        icon=":material/add:",
    ):
        return
    try:
        with resources.session() as s, s.begin():
            if start == BLANK:
                wf = lifecycle.create(s, actor, WorkflowDefinition(name=name.strip() or default))
            else:
                wf = lifecycle.create_from_preset(s, actor, start)
                if name.strip():
                    definition = lifecycle.draft_of(wf).model_copy(update={"name": name.strip()})
                    wf = lifecycle.save_draft(s, actor, wf.id, definition, wf.draft_revision)
            new_id = wf.id
    except OrderflowError as exc:
        show_error(exc)
        return
    st.success(f"Created workflow {new_id}.")
    go_to_builder(new_id)
