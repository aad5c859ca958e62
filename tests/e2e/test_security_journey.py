"""Issue 11 "Done when", in a real browser: an analyst cannot open the builder by URL (a clear
message), five failed passwords throttle the account, and an analyst deactivated by the owner
is logged out at once, in the tab they have open."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, login, screenshot, wait_idle

PASSWORD = "analyst staple horse battery"


def _add_analyst(server: Server, email: str) -> None:
    import subprocess
    import sys

    from tests.e2e.conftest import ROOT

    result = subprocess.run(
        [sys.executable, "-m", "core", "users", "add", email, "--role", "analyst"],
        cwd=ROOT,
        env={**server.env, "ORDERFLOW_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _try_login(page: Any, url: str, email: str, password: str) -> None:
    page.goto(url)
    wait_idle(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    wait_idle(page)


def test_analyst_builder_by_url_throttling_and_deactivation(page: Any, server: Server) -> None:
    run = uuid.uuid4().hex[:6]  # a retry on the shared server uses new accounts
    analyst, target = f"ana.{run}@example.com", f"target.{run}@example.com"
    _add_analyst(server, analyst)
    login(page, server.url, analyst, PASSWORD)
    page.goto(f"{server.url}/builder")
    wait_idle(page)
    expect(page.get_by_text("Your role (analyst) may not open Builder")).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "security_analyst_builder_by_url")

    server_cli = server.cli("users", "deactivate", analyst)
    assert server_cli.returncode == 0, server_cli.stderr
    page.get_by_role("link", name="Overview").click()  # the open tab's next click
    wait_idle(page)
    expect(page.get_by_text("Your session has ended")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    screenshot(page, "security_deactivated_logged_out")

    _add_analyst(server, target)
    page.context.clear_cookies()
    for attempt in range(5):
        _try_login(page, server.url, target, f"wrong guess {attempt}")
        expect(page.get_by_text("Wrong email or password.")).to_be_visible(timeout=30_000)
    _try_login(page, server.url, target, PASSWORD)  # right, yet refused
    expect(page.get_by_text("Too many failed logins")).to_be_visible(timeout=30_000)
    screenshot(page, "security_throttled")
