"""The login gate: first-start owner form, login form, session cookie, logout."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import streamlit as st

from core import auth
from core import settings as store_settings
from core.auth import Actor
from core.errors import AuthError, OrderflowError
from dashboard import resources, state
from dashboard.components.feedback import show_error
from dashboard.routes import session as session_routes

CREATE_OWNER_TITLE = "Welcome to Orderflow: create the owner account"
LOGIN_TITLE = "Log in to Orderflow"


def current_actor() -> Actor:
    """The logged-in user; pages run only after :func:`gate` succeeded."""
    actor = st.session_state.get(state.ACTOR)
    if not isinstance(actor, Actor):
        raise AuthError("You are not logged in.")
    return actor


def _actor_from_cookie() -> Actor | None:
    try:
        cookie = st.context.cookies.get(session_routes.COOKIE)
    except Exception:  # no browser context (AppTest, bare mode)
        return None
    email = session_routes.session_email(cookie)
    if email is None:
        return None
    with resources.session() as s:
        try:
            return auth.actor_for(s, email)
        except AuthError:
            return None


def _call_route(url: str) -> None:
    """Have the browser load a route of the server in an invisible same-origin frame; the route
    sets or clears the HttpOnly session cookie."""
    st.iframe(url, height=1, width=1)


def _start_cookie_session(actor: Actor) -> None:
    st.session_state[state.ACTOR] = actor
    st.session_state.pop(state.LOGGED_OUT, None)
    token = session_routes.login_token(actor.name)
    st.session_state[state.PENDING_ROUTE] = f"/auth/session?t={quote(token)}"


def _browser_origin() -> str:
    """The address the browser used to reach this server (scheme, host and port)."""
    try:
        url = st.context.url or ""
    except Exception:  # no browser context (AppTest, bare mode)
        url = ""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _owner_form() -> None:
    st.title(CREATE_OWNER_TITLE)
    st.write("This is the first start. The owner can do everything, including adding users.")
    with st.form("create_owner", border=True):
        email = st.text_input("Email", key="owner_email")
        password = st.text_input(
            "Password (at least 10 characters)", type="password", key="owner_pw"
        )
        repeat = st.text_input("Repeat the password", type="password", key="owner_pw2")
        base_url = st.text_input(
            "Public web address of this dashboard (for links in emails)",
            _browser_origin() or resources.settings().public_base_url,
            key="owner_url",
            help="Where customers reach review, referral and unsubscribe links, e.g. "
            "https://orders.my-shop.example. Change it later on the Settings page.",
        )
        submitted = st.form_submit_button("Create owner account", type="primary")
    if submitted:
        if password != repeat:
            st.error("password: the two passwords differ.")
            return
        try:
            with resources.session() as s, s.begin():
                user = auth.create_owner(s, email, password)
                actor = Actor(user.email, auth.Role(user.role))
                store_settings.update_settings(s, actor, {"public_base_url": base_url})
        except OrderflowError as exc:
            show_error(exc)
            return
        _start_cookie_session(actor)
        st.rerun()


def _login_form() -> None:
    st.title(LOGIN_TITLE)
    with st.form("login", border=True):
        email = st.text_input("Email", key="login_email")
        password = st.text_input("Password", type="password", key="login_pw")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            with resources.session() as s, s.begin():
                actor = auth.authenticate(s, email, password)
        except OrderflowError as exc:
            show_error(exc)
            return
        _start_cookie_session(actor)
        st.rerun()


def gate() -> Actor | None:
    """The acting user, or None after drawing the owner or login form."""
    pending = st.session_state.pop(state.PENDING_ROUTE, None)
    if pending:
        _call_route(pending)
    actor = st.session_state.get(state.ACTOR)
    if isinstance(actor, Actor):
        return actor
    if not st.session_state.get(state.LOGGED_OUT):
        actor = _actor_from_cookie()
        if actor is not None:
            st.session_state[state.ACTOR] = actor
            return actor
    with resources.session() as s:
        has_users = auth.user_count(s) > 0
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        if has_users:
            _login_form()
        else:
            _owner_form()
    return None


def logout() -> None:
    """Forget the user in this tab and, on the next run, delete the session cookie."""
    st.session_state.pop(state.ACTOR, None)
    st.session_state[state.LOGGED_OUT] = True
    st.session_state[state.PENDING_ROUTE] = "/auth/logout"
    st.rerun()
