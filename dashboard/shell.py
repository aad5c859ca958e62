"""The dashboard shell: page config, login gate, sidebar, navigation."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from core import demo as demo_data
from core.errors import OrderflowError
from dashboard import auth_ui, resources
from dashboard.components.download import format_picker
from dashboard.components.feedback import show_error
from dashboard.components.mdtext import md
from dashboard.navigation import denied_pages, visible_pages

DEMO_BANNER = "You are looking at demo data: a made-up European shop. Clear it on the Data page."


def _sidebar(actor_name: str, role: str, store: str) -> None:
    with st.sidebar:
        st.caption(f"**{md(store)}**  \nSigned in as {md(actor_name)} ({role})")
        format_picker()
        if st.button("Log out", key="logout", icon=":material/logout:"):
            auth_ui.logout()


def _denied(title: str, role: str) -> Callable[[], None]:
    def page() -> None:
        st.error(
            f"Your role ({role}) may not open {title}. Ask the store owner for a role that "
            "allows it.",
            icon=":material/block:",
        )

    page.__name__ = f"denied_{title.lower().replace(' ', '_')}"
    return page


def _signed_out() -> None:
    """The only page while signed out: the login form drawn by the gate is all there is."""


def run() -> None:
    st.set_page_config(page_title="Orderflow", page_icon=":material/account_tree:", layout="wide")
    try:
        resources.engine()
        actor = auth_ui.gate()
    except OrderflowError as exc:
        show_error(exc)
        return
    if actor is None:
        # No pages while signed out: without a navigation call Streamlit would list pages/ itself.
        st.navigation([st.Page(_signed_out, title="Log in")], position="hidden").run()
        return
    pages = visible_pages(actor)
    groups: dict[str, list[st.Page]] = {}
    for spec in pages:
        groups.setdefault(spec.group, []).append(
            st.Page(spec.path, title=spec.title, icon=spec.icon, default=spec.default)
        )
    for spec in denied_pages(actor):  # opened by URL: a clear message, not a blank page
        groups.setdefault(spec.group, []).append(
            st.Page(
                _denied(spec.title, actor.role.value),
                title=spec.title,
                url_path=spec.path.stem,
                visibility="hidden",
            )
        )
    current = st.navigation(groups, expanded=True)
    settings = resources.settings()
    _sidebar(actor.name, actor.role.value, settings.name)
    with resources.session() as s:
        if demo_data.is_demo_loaded(s):
            st.info(DEMO_BANNER, icon=":material/science:")
    current.run()
