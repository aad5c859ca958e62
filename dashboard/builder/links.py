"""Links between the Workflows page and the Builder, with the workflow id in the URL.

When a page script runs on its own (no ``st.navigation``, e.g. under AppTest), the pages are not
registered: opening the builder then only sets ``?id=`` and shows a plain link instead.
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard.components.mdtext import md
from dashboard.navigation import PAGES_DIR

BUILDER = PAGES_DIR / "builder.py"
WORKFLOWS = PAGES_DIR / "workflows.py"
OPENED = "builder.opened"


def go_to_builder(workflow_id: int) -> None:
    """Switch to the builder on ``workflow_id``."""
    st.session_state.pop("builder.workflow", None)
    try:
        st.switch_page(BUILDER, query_params={"id": str(workflow_id)})
    except StreamlitAPIException:
        st.query_params["id"] = str(workflow_id)
        st.session_state[OPENED] = workflow_id


def link(page: str, label: str, icon: str, workflow_id: int | None = None) -> None:
    target = BUILDER if page == "builder" else WORKFLOWS
    params = {"id": str(workflow_id)} if workflow_id is not None else None
    try:
        st.page_link(target, label=label, icon=icon, query_params=params)
    except StreamlitAPIException:
        suffix = f"?id={workflow_id}" if workflow_id is not None else ""
        st.markdown(f"[{md(label)}](/{target.stem}{suffix})")
