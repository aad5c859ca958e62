"""The pages a merchant judges at a glance, in a real browser at 1280x800, with a screenshot of
each in artifacts/screenshots/: Workflow impact (plain sentences with the 95% range), Retention,
Revenue (month labels), Builder (navigation kept) and Settings (the localhost warning); then
logging out leaves no page in the sidebar."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Server, screenshot, wait_idle

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


def _open(page: Any, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    wait_idle(page, timeout=240_000)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=60_000)
    wait_idle(page, timeout=240_000)


def _nav_links(page: Any) -> int:
    return int(page.locator("[data-testid=stSidebarNav] a").count())


def test_pages_read_well_and_logout_hides_them(owner_page: Any, server: Server) -> None:
    page = owner_page

    _open(page, "Workflow impact")
    glance = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="per customer")
    expect(glance.first).to_contain_text("95% range", timeout=120_000)
    text = glance.first.inner_text()
    assert "EUR" in text and ("Not proven yet" in text or "Proven" in text), text
    assert "Welch" not in page.locator("[data-testid=stMain]").inner_text()  # in the expander
    screenshot(page, "workflow-impact")

    _open(page, "Retention")
    expect(page.get_by_text("Cohort retention (share")).to_be_visible()
    screenshot(page, "retention")

    _open(page, "Revenue")
    expect(page.get_by_text("Net revenue per month")).to_be_visible()
    page.get_by_text("Net revenue per month").scroll_into_view_if_needed()
    screenshot(page, "revenue")

    _open(page, "Builder")
    assert _nav_links(page) > 5  # the builder keeps the navigation
    expect(page.locator("[data-testid=stSidebar]")).to_be_visible()
    screenshot(page, "builder")

    _open(page, "Settings")
    expect(page.get_by_text("only works on this computer")).to_be_visible()
    screenshot(page, "settings")

    page.get_by_role("button", name="Log out").click()
    wait_idle(page)
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=60_000)
    assert _nav_links(page) == 0  # signed out: no page is listed
    screenshot(page, "signed-out")
