"""The login gate: first-start owner form, login form, session cookie, logout."""

from __future__ import annotations

import hashlib
from urllib.parse import quote, urlsplit

import streamlit as st

from core import accounts, auth
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


def _cookie_token() -> str | None:
    try:
        cookie = st.context.cookies.get(session_routes.COOKIE)
    except Exception:  # no browser context (AppTest, bare mode)
        return None
    return session_routes.session_token(cookie)


def client_address() -> str:
    """The browser's address (the first X-Forwarded-For hop only behind a trusted proxy)."""
    try:
        if session_routes.trust_proxy():
            forwarded = st.context.headers.get("X-Forwarded-For") or ""
            if forwarded.strip():
                return forwarded.split(",")[0].strip()[:64]
        return str(getattr(st.context, "ip_address", None) or "unknown")[:64]
    except Exception:  # no browser context (AppTest, bare mode)
        return "unknown"


# Stores the login cookie: the browser fetches the session route itself and reports back, so
# the app counts as logged in only once the cookie exists (a URL typed right after logging in,
# or a reload, then opens the app instead of the login form).
_COOKIE_SETTER = st.components.v2.component(
    "orderflow_login_cookie",
    js="""
const requested = new Set();
export default function ({ data, setStateValue }) {
  if (requested.has(data)) return;
  requested.add(data);
  fetch(data, { credentials: "same-origin", cache: "no-store" })
    .then((r) => setStateValue("status", r.ok ? "set" : "failed: HTTP " + r.status))
    .catch((e) => setStateValue("status", "failed: " + e));
}
""",
)


def _cookie_confirmed() -> bool:
    """Have the browser store the session cookie after a login; True once it says it did.
    Until then the page says the login is being finished (the app's pages are not shown)."""
    url = st.session_state.get(state.COOKIE_PENDING)
    if not url:
        return True
    key = "login-cookie-" + hashlib.sha256(str(url).encode()).hexdigest()[:16]
    result = _COOKIE_SETTER(data=str(url), key=key, on_status_change=lambda: None)
    status = getattr(result, "status", None)
    if status == "set":
        st.session_state.pop(state.COOKIE_PENDING, None)
        return True
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        if status:
            st.error(
                f"This browser did not store the login ({status}). Allow cookies for this "
                "site, then reload the page and log in again.",
                icon=":material/cookie:",
            )
        else:
            st.info("Finishing the login in this browser…", icon=":material/hourglass_top:")
    return False


def _call_route(url: str) -> None:
    """Have the browser load a route of the server in an invisible same-origin frame; the route
    sets or clears the HttpOnly session cookie."""
    st.iframe(url, height=1, width=1)


def _start_cookie_session(actor: Actor, session_token: str) -> None:
    st.session_state[state.ACTOR] = actor
    st.session_state[state.SESSION_TOKEN] = session_token
    st.session_state.pop(state.LOGGED_OUT, None)
    token = session_routes.login_token(session_token)
    st.session_state[state.COOKIE_PENDING] = f"/auth/session?t={quote(token)}"


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
    st.write(
        "This is the first start. The owner can do everything, including adding users. The "
        "setup code is printed in the server's log (or run `python -m core users add EMAIL "
        "--role owner` on the server instead)."
    )
    with st.form("create_owner", border=True):
        code = st.text_input("Setup code (from the server log)", key="owner_code")
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
                user = accounts.create_owner(s, email, password, code)
                actor = Actor(user.email, auth.Role(user.role))
                store_settings.update_settings(s, actor, {"public_base_url": base_url})
                token = accounts.start_session(s, user, client_address())
        except OrderflowError as exc:
            show_error(exc)
            return
        _start_cookie_session(actor, token)
        st.rerun()


def _login_form() -> None:
    st.title(LOGIN_TITLE)
    with st.form("login", border=True):
        email = st.text_input("Email", key="login_email")
        password = st.text_input("Password", type="password", key="login_pw")
        submitted = st.form_submit_button("Log in", type="primary")
    if submitted:
        try:
            done = accounts.login(resources.engine(), email, password, client_address())
        except OrderflowError as exc:
            show_error(exc)
            return
        _start_cookie_session(done.actor, done.token)
        st.rerun()


def _reload(token: str) -> Actor:
    """The session's user and role as the database has them now (every script run)."""
    with resources.session() as s, s.begin():
        return accounts.session_actor(s, token)


def gate() -> Actor | None:
    """The acting user, reloaded from the database on every run, or None after drawing the
    owner or login form (saying why a session ended)."""
    pending = st.session_state.pop(state.PENDING_ROUTE, None)
    if pending:
        _call_route(pending)
    token = st.session_state.get(state.SESSION_TOKEN)
    if not token and not st.session_state.get(state.LOGGED_OUT):
        token = _cookie_token()
    ended: str | None = None
    if token:
        try:
            actor = _reload(str(token))
        except AuthError as exc:
            ended = exc.message
            st.session_state.pop(state.ACTOR, None)
            st.session_state.pop(state.SESSION_TOKEN, None)
            st.session_state.pop(state.COOKIE_PENDING, None)
            st.session_state[state.LOGGED_OUT] = True
            _call_route("/auth/logout")
        else:
            st.session_state[state.ACTOR] = actor
            st.session_state[state.SESSION_TOKEN] = token
            return actor if _cookie_confirmed() else None
    st.session_state.pop(state.ACTOR, None)
    with resources.session() as s:
        has_users = auth.user_count(s) > 0
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        if has_users:
            if ended:
                st.info(ended, icon=":material/logout:")
            _login_form()
        else:
            _owner_form()
    return None


def logout() -> None:
    """End the server-side session, forget the user in this tab and delete the cookie."""
    token = st.session_state.pop(state.SESSION_TOKEN, None)
    if token:
        with resources.session() as s, s.begin():
            accounts.end_session(s, str(token))
    st.session_state.pop(state.ACTOR, None)
    st.session_state.pop(state.COOKIE_PENDING, None)
    st.session_state[state.LOGGED_OUT] = True
    st.session_state[state.PENDING_ROUTE] = "/auth/logout"
    st.rerun()
