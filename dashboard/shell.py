"""The dashboard shell: page config, login gate, sidebar, navigation."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from core import demo as demo_data
from core.auth import Actor
from core.errors import OrderflowError
from dashboard import auth_ui, resources, state
from dashboard.components.download import format_picker
from dashboard.components.feedback import show_error
from dashboard.navigation import outside_role_notice, visible_pages

DEMO_BANNER = "You are looking at demo data: a made-up European shop. Clear it on the Data page."


def _sidebar(actor_name: str, role: str, store: str) -> None:
    with st.sidebar:
        st.caption(f"**{store}**  \nSigned in as {actor_name} ({role})")
        format_picker()
        if st.button("Log out", key="logout", icon=":material/logout:"):
            auth_ui.logout()


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
    current = st.navigation(groups, expanded=True)
    settings = resources.settings()
    _sidebar(actor.name, actor.role.value, settings.name)
    _outside_role(actor)
    with resources.session() as s:
        if demo_data.is_demo_loaded(s):
            st.info(DEMO_BANNER, icon=":material/science:")
    current.run()


def _signed_out() -> None:
    """The only page while signed out: the login form above is all there is."""


def _outside_role(actor: Actor) -> None:
    """Say so, once per address, when the address asked for a page outside the actor's role."""
    try:
        path = urlsplit(st.context.url or "").path
    except Exception:  # no browser context (AppTest, bare mode)
        return
    notice = outside_role_notice(actor, path)
    seen = st.session_state.setdefault(state.OUTSIDE_ROLE_SHOWN, set())
    if notice and path not in seen:
        seen.add(path)
        st.warning(notice, icon=":material/lock:")
