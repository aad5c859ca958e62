"""Login cookies. The dashboard cannot set cookies over its websocket, so after a successful
login the page has the browser fetch ``/auth/session?t=<one-minute token>``; this route turns it
into a signed, HttpOnly session cookie (answering 204, or redirecting to ``next``). The cookie
carries the random token of a server-side session (:mod:`core.accounts`), which every script
run checks and reloads, so logging out or deactivating a user ends it at once;
``/auth/logout`` deletes the cookie. The cookie is ``Secure`` on https, also behind a TLS proxy
when ``ORDERFLOW_TRUST_PROXY=1`` says to believe its ``X-Forwarded-Proto`` header."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from core import config, security
from core.errors import AuthError

COOKIE = "orderflow_session"
LOGIN_PURPOSE = "login"
SESSION_PURPOSE = "session"
LOGIN_TOKEN_MAX_AGE = 60


def login_token(session_token: str) -> str:
    return security.sign(LOGIN_PURPOSE, {"sid": session_token})


def session_token(cookie_value: str | None) -> str | None:
    """The server-side session token in a valid session cookie, or None."""
    if not cookie_value:
        return None
    try:
        payload = security.unsign(SESSION_PURPOSE, cookie_value, security.SESSION_MAX_AGE)
    except AuthError:
        return None
    sid = payload.get("sid") if isinstance(payload, dict) else None
    return sid if isinstance(sid, str) else None


def trust_proxy() -> bool:
    return config.get_secret("ORDERFLOW_TRUST_PROXY", "0") in {"1", "true", "yes"}


def is_https(request: Request) -> bool:
    """True on https, or behind a TLS proxy the owner said to trust."""
    if request.url.scheme == "https":
        return True
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return trust_proxy() and forwarded == "https"


def _safe_next(value: str | None) -> str:
    """Only same-site paths: never redirect to another host."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


async def start_session(request: Request) -> Response:
    token = request.query_params.get("t", "")
    try:
        payload = security.unsign(LOGIN_PURPOSE, token, LOGIN_TOKEN_MAX_AGE)
    except AuthError as exc:
        return PlainTextResponse(f"{exc} Go back and log in again.", status_code=400)
    target = request.query_params.get("next")
    response: Response = (
        RedirectResponse(_safe_next(target), status_code=303)
        if target
        else Response(status_code=204)
    )
    response.set_cookie(
        COOKIE,
        security.sign(SESSION_PURPOSE, {"sid": payload.get("sid", "")}),
        max_age=security.SESSION_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=is_https(request),
        path="/",
    )
    return response


async def end_session(request: Request) -> Response:
    response: Response = (
        RedirectResponse("/", status_code=303)
        if request.query_params.get("next")
        else Response(status_code=204)
    )
    response.delete_cookie(COOKIE, path="/")
    return response


ROUTES = [
    Route("/auth/session", start_session, methods=["GET"]),
    Route("/auth/logout", end_session, methods=["GET"]),
]
