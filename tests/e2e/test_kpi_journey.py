"""KPI journey in a real browser: open the Overview, change the date range, open the cohort
table on Retention (the range is kept), download its CSV and check it against the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, screenshot, wait_idle


def _metric(page: Any, label: str) -> str:
    card = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return str(card.locator("[data-testid=stMetricValue]").inner_text())


def _set_dates(page: Any, start: dt.date, end: dt.date) -> None:
    """Type both dates into the sidebar's range field (one spin button per year/month/day)."""
    label = "Period (store time zone, inclusive)"
    for which, day in (("start", start), ("end", end)):
        page.get_by_role("spinbutton", name=f"year, {label} {which} date").click()
        page.keyboard.type(day.strftime("%Y%m%d"), delay=30)
    page.keyboard.press("Escape")
    page.get_by_text("Filters", exact=True).click()  # leaving the field commits the range
    wait_idle(page)


def test_overview_dates_then_cohort_csv(owner_page: Any, server: Server) -> None:
    page = owner_page
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible(timeout=30_000)
    wait_idle(page)
    before = _metric(page, "Orders")
    data = json.loads(server.cli("kpis", "--json").stdout)
    until = dt.date.fromisoformat(max(data["cohort_sizes"]) + "-01") + dt.timedelta(days=40)
    until = min(until, dt.date.today()).replace(day=1) - dt.timedelta(days=1)
    start = until - dt.timedelta(days=89)
    _set_dates(page, start, until)
    expect(page.get_by_text(f"{start.isoformat()} to {until.isoformat()}").first).to_be_visible(
        timeout=30_000
    )
    assert _metric(page, "Orders") != before
    screenshot(page, "kpi-overview-90-days")

    page.get_by_role("link", name="Retention").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Retention", exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"History up to {until.isoformat()}")).to_be_visible()
    cohort_block = (
        page.locator("[data-testid=stVerticalBlock]")
        .filter(has=page.get_by_text("Cohort retention (share"))
        .last
    )
    cohort_block.get_by_role("tab", name="Data").first.click()
    wait_idle(page)
    screenshot(page, "kpi-retention-cohort-table")
    with page.expect_download() as info:
        cohort_block.get_by_role("button", name="Download CSV").first.click()
    raw = info.value.path().read_bytes()
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["cohort", "customers"]
    # readable month columns, in order: "Month 0 retention", "Month 1 retention", ...
    assert header[2:] == [f"Month {k} retention" for k in range(len(header) - 2)]
    sizes = {r[0]: int(r[1]) for r in body}
    expected = {k: v for k, v in data["cohort_sizes"].items() if k <= until.strftime("%Y-%m")}
    assert sizes == expected
    assert all(r[2] == "1,0" for r in body)  # R(c, 0) = 1, with a decimal comma
    last = body[-1]
    assert last[-1] == "" or last[3] == ""  # future cells are empty, not 0


def test_workflow_impact_draws_the_lift(owner_page: Any, server: Server) -> None:
    page = owner_page
    page.get_by_role("link", name="Workflow impact").click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Workflow impact", exact=True)).to_be_visible(
        timeout=30_000
    )
    section = page.get_by_role("heading", name="Messaged vs held out", exact=True)
    # the page is drawn to its last section before the picker is opened (a picker opened while
    # the script still runs is redrawn, closed, under the pointer)
    expect(section).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_label("Workflow", exact=True).click()
    # typed, so the option is in the (virtualised) list however many workflows other journeys added
    page.keyboard.type("Second order thank-you")
    page.get_by_role("option", name=re.compile("Second order thank-you")).click()
    wait_idle(page)
    expect(section).to_be_visible(timeout=60_000)
    # the plain-language sentence for the chosen workflow, under the section heading
    said = page.locator("[data-testid=stMarkdownContainer]").filter(
        has_text=re.compile(r"^Second order thank-you \(demo\) (brought|changed|cost)")
    )
    expect(said.first).to_be_visible()
    sentence = said.first.inner_text()
    numbers = re.search(
        r"about (\S+ \S+) per customer \(95% range (\S+ \S+) to (\S+ \S+)\)", sentence
    )
    assert numbers, sentence
    # one chart per measure, each titled with its verdict
    charts = page.locator("[data-testid=stPlotlyChart]").filter(
        has_text=re.compile(r"(proven|not proven yet)")
    )
    titles = ("Revenue per customer", "Customers who ordered", "Extra revenue over all")
    for title in titles:
        expect(charts.filter(has_text=title)).to_have_count(1, timeout=30_000)
    # the revenue chart writes the same estimate and 95% range as the sentence
    drawn = str(charts.filter(has_text="Revenue per customer:").first.text_content())
    for value in numbers.groups():
        assert value in drawn, (value, drawn)
    section.scroll_into_view_if_needed()
    screenshot(page, "kpi-workflow-impact-lift")


def test_other_kpi_pages_render(owner_page: Any) -> None:
    page = owner_page
    for title in ("Revenue", "Satisfaction", "Delivery"):
        page.get_by_role("link", name=title, exact=True).click()
        wait_idle(page)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=30_000)
        expect(page.locator("[data-testid=stException]")).to_have_count(0)
        expect(page.get_by_text("Something went wrong")).to_have_count(0)
        expect(page.get_by_role("tab", name="Data").first).to_be_visible()
        screenshot(page, f"kpi-{title.lower()}")
