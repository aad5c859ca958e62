"""The login cookie routes of the st.App, through a real Starlette app."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from core import security
from dashboard.routes import session
from tests.tokens import tampered


def _client() -> TestClient:
    return TestClient(Starlette(routes=session.ROUTES), follow_redirects=False)


def test_login_token_becomes_an_httponly_cookie() -> None:
    client = _client()
    response = client.get(
        "/auth/session", params={"t": session.login_token("sid-123"), "next": "/data"}
    )
    assert response.status_code == 303 and response.headers["location"] == "/data"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=43200" in cookie
    value = response.cookies[session.COOKIE]
    assert session.session_token(value) == "sid-123"


def test_fetch_mode_answers_204_with_the_cookie() -> None:
    response = _client().get("/auth/session", params={"t": session.login_token("sid-123")})
    assert response.status_code == 204
    assert session.session_token(response.cookies[session.COOKIE]) == "sid-123"


def test_tampered_or_foreign_tokens_are_refused() -> None:
    client = _client()
    token = session.login_token("sid-123")
    assert client.get("/auth/session", params={"t": tampered(token)}).status_code == 400
    other = security.sign("unsubscribe", {"email": "o@example.com"})
    assert client.get("/auth/session", params={"t": other}).status_code == 400
    assert session.session_token("garbage") is None


def test_no_open_redirect_and_logout_clears() -> None:
    client = _client()
    token = session.login_token("sid-123")
    response = client.get("/auth/session", params={"t": token, "next": "https://evil.example/"})
    assert response.headers["location"] == "/"
    response = client.get("/auth/logout")
    assert response.status_code == 204 and session.COOKIE in response.headers["set-cookie"]
    assert (
        "Max-Age=0" in response.headers["set-cookie"]
        or "expires" in response.headers["set-cookie"].lower()
    )


def test_cookie_secure_behind_a_trusted_tls_proxy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    client = _client()
    token = session.login_token("sid-123")
    forwarded = {"X-Forwarded-Proto": "https"}
    plain = client.get("/auth/session", params={"t": token}, headers=forwarded)
    assert "Secure" not in plain.headers["set-cookie"]  # not configured: not believed
    monkeypatch.setenv("ORDERFLOW_TRUST_PROXY", "1")
    proxied = client.get("/auth/session", params={"t": token}, headers=forwarded)
    assert "Secure" in proxied.headers["set-cookie"]
