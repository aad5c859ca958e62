"""The login cookie routes of the st.App, through a real Starlette app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import security
from dashboard.routes import session


def _client() -> TestClient:
    return TestClient(Starlette(routes=session.ROUTES), follow_redirects=False)


def test_login_token_becomes_an_httponly_cookie() -> None:
    client = _client()
    response = client.get(
        "/auth/session", params={"t": session.login_token("o@example.com"), "next": "/data"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/data"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    value = response.cookies[session.COOKIE]
    assert session.session_email(value) == "o@example.com"


def test_fetch_mode_answers_204_with_the_cookie() -> None:
    response = _client().get("/auth/session", params={"t": session.login_token("o@example.com")})
    assert response.status_code == 204
    assert session.session_email(response.cookies[session.COOKIE]) == "o@example.com"


def test_tampered_or_foreign_tokens_are_refused() -> None:
    client = _client()
    token = session.login_token("o@example.com")
    assert client.get("/auth/session", params={"t": token[:-3] + "abc"}).status_code == 400
    other = security.sign("unsubscribe", {"email": "o@example.com"})
    assert client.get("/auth/session", params={"t": other}).status_code == 400
    assert session.session_email("garbage") is None


def test_no_open_redirect_and_logout_clears() -> None:
    client = _client()
    token = session.login_token("o@example.com")
    response = client.get("/auth/session", params={"t": token, "next": "https://evil.example/"})
    assert response.headers["location"] == "/"
    response = client.get("/auth/logout")
    assert response.status_code == 204 and session.COOKIE in response.headers["set-cookie"]
    assert (
        "Max-Age=0" in response.headers["set-cookie"]
        or "expires" in response.headers["set-cookie"].lower()
    )
