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


def _open(page: Any, title: str, heading: str | None = None) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    wait_idle(page, timeout=240_000)
    expect(page.get_by_role("heading", name=heading or title, exact=True).first).to_be_visible(
        timeout=60_000
    )
    wait_idle(page, timeout=240_000)


def _drawn(page: Any, near: str) -> None:
    """Scroll the chart under the heading ``near`` into view and wait until plotly drew it."""
    page.get_by_text(near).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.locator("[data-testid=stMain]").evaluate("e => e.scrollBy(0, -40)")
    expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible(
        timeout=60_000
    )
    page.wait_for_timeout(1_000)  # the plot's fade-in, for the picture only


def _nav_links(page: Any) -> int:
    return int(page.locator("[data-testid=stSidebarNav] a").count())


def test_pages_read_well_and_logout_hides_them(owner_page: Any, server: Server) -> None:
    page = owner_page

    _open(page, "Workflow impact")
    page.get_by_text("At a glance").first.evaluate("e => e.scrollIntoView({block: 'start'})")
    glance = page.locator("[data-testid=stMarkdownContainer]").filter(has_text="per customer")
    expect(glance.first).to_contain_text("95% range", timeout=120_000)
    text = glance.first.inner_text()
    assert "EUR" in text and ("Not proven yet" in text or "Proven" in text), text
    assert "Welch" not in page.locator("[data-testid=stMain]").inner_text()  # in the expander
    screenshot(page, "workflow-impact")

    _open(page, "Retention")
    _drawn(page, "Cohort retention (share")
    screenshot(page, "retention")

    _open(page, "Revenue")
    _drawn(page, "Net revenue per month")
    screenshot(page, "revenue")

    page.get_by_role("link", name="Builder", exact=True).click()
    wait_idle(page, timeout=240_000)
    expect(page.get_by_role("button", name="Save draft")).to_be_visible(timeout=120_000)
    expect(
        page.frame_locator("iframe[title*='streamlit_flow']")
        .first.locator(".react-flow__node")
        .first
    ).to_be_visible(timeout=60_000)
    wait_idle(page, timeout=240_000)
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
