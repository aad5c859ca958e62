"""Showing a rendered message safely: sanitised HTML in an iframe at desktop or mobile width,
and the variables it used with a warning for each one empty without a fallback."""

from __future__ import annotations

import streamlit as st

from core.messaging.htmlprep import sanitize_document
from core.messaging.render import RenderedMessage
from dashboard.components.mdtext import md

WIDTHS = {"Desktop (640 px)": 640, "Mobile (375 px)": 375}


def message_frame(html: str, width: int) -> None:
    """The message's HTML, sanitised (no script can run), in an iframe of that width and as tall
    as the message (a narrow mobile width makes it longer: the whole email is shown, never cut)."""
    st.iframe(sanitize_document(html), width=width, height="content")


def width_picker(key: str) -> int:
    label = st.radio("Width", list(WIDTHS), horizontal=True, key=key, label_visibility="collapsed")
    return WIDTHS[str(label)]


def rendered_preview(rendered: RenderedMessage, key: str) -> None:
    """Subject, preheader, the message at the chosen width, its text part and its variables."""
    st.markdown(f"**Subject:** {md(rendered.subject)}")
    if rendered.preheader:
        st.caption(f"Preheader: {md(rendered.preheader)}")
    width = width_picker(f"{key}_width")
    html_tab, text_tab, vars_tab = st.tabs(["HTML", "Text", "Variables"])
    with html_tab:
        message_frame(rendered.html, width)
    with text_tab:
        st.code(rendered.text, language=None, wrap_lines=True)
    with vars_tab:
        variables_panel(rendered)


def variables_panel(rendered: RenderedMessage) -> None:
    for path in rendered.empty_variables:
        st.warning(
            f"`{path}` is empty for this order and has no fallback: add `|default('...')` or "
            "wrap it in `{% if %}`.",
            icon=":material/warning:",
        )
    empty = set(rendered.empty_variables)
    st.dataframe(
        [
            {"variable": v, "status": "empty, no fallback" if v in empty else "ok"}
            for v in rendered.variables_used
        ],
        hide_index=True,
        width="stretch",
    )
