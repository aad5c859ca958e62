"""JSON import/export for power users: the only place the builder shows JSON."""

from __future__ import annotations

import streamlit as st

from core.auth import Actor
from core.engine import lifecycle, validate
from core.errors import WorkflowError
from dashboard import resources
from dashboard.builder.lifecycle import flash
from dashboard.builder.state import Working
from dashboard.components.feedback import show_error

IMPORT_TEXT = "builder.json_text"


def json_panel(actor: Actor, work: Working, readonly: bool) -> None:
    text = work.definition.to_json()
    slug = "".join(c if c.isalnum() else "-" for c in work.definition.name.lower()).strip("-")
    st.download_button(
        "Download this draft as JSON",
        text,
        file_name=f"workflow-{slug}.json",
        mime="application/json",
        key="builder.json_download",
        icon=":material/download:",
        on_click="ignore",
    )
    with st.expander("Show JSON"):
        st.code(text, language="json")
    if readonly:
        return
    st.markdown("##### Import")
    uploaded = st.file_uploader("A workflow JSON file", type=["json"], key="builder.json_file")
    pasted = st.text_area("...or paste JSON", key=IMPORT_TEXT, height=150)
    source = uploaded.getvalue().decode("utf-8", errors="replace") if uploaded else pasted
    into, new = st.columns(2)
    if into.button("Replace this draft with it", key="builder.json_into", disabled=not source):
        definition, problems = validate.parse(source)
        if definition is None:
            show_error(
                WorkflowError("The JSON is not a workflow: " + "; ".join(map(str, problems)))
            )
        else:
            work.edit(definition, structural=True)
            flash("Imported into the draft (not saved yet): check it, then save.")
            st.rerun()
    if new.button("Create a new workflow from it", key="builder.json_new", disabled=not source):
        try:
            with resources.session() as s, s.begin():
                created = lifecycle.import_json(s, actor, source)
                new_id = created.id
        except WorkflowError as exc:
            show_error(exc)
            return
        flash("Created a new draft from the JSON.")
        st.query_params["id"] = str(new_id)
        st.session_state.pop("builder.workflow", None)
        st.rerun()
