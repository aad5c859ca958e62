"""First start to first import, in a real browser: create the owner, log in, refresh and stay
logged in, see the Overview, upload a CSV through a column mapping on Data, see the orders counted."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import Server, screenshot, wait_idle

OWNER = ("first.owner@example.com", "first owner password")


def _csv(tmp_path: Path) -> Path:
    today = dt.date.today()
    rows = [
        ("INV-1", today - dt.timedelta(days=3), "C-1", "120.50"),
        ("INV-2", today - dt.timedelta(days=2), "C-2", "80.00"),
        ("INV-3", today - dt.timedelta(days=1), "C-1", "45.25"),
    ]
    path = tmp_path / "invoices.csv"
    lines = ["Invoice,Date,Customer,Amount"] + [
        f"{a},{b.isoformat()},{c},{d}" for a, b, c, d in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pick(page: Any, label: str, option: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def _wait_for_session_cookie(page: Any) -> None:
    for _ in range(50):
        if any(c["name"] == "orderflow_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(200)
    raise AssertionError("the session cookie was not set")


def _metric(page: Any, label: str) -> str:
    card = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return str(card.locator("[data-testid=stMetricValue]").inner_text())


def test_first_start_to_first_import(page: Any, fresh_server: Server, tmp_path: Path) -> None:
    page.goto(fresh_server.url)
    wait_idle(page)
    expect(page.get_by_text("create the owner account")).to_be_visible()
    codes = re.findall(r"the setup code is ([A-Z0-9-]+)", fresh_server.log.read_text())
    assert codes, "the server log names the one-time setup code"
    page.get_by_label("Setup code (from the server log)").fill(codes[-1])
    page.get_by_label("Email", exact=True).fill(OWNER[0])
    page.get_by_label("Password (at least 10 characters)").fill(OWNER[1])
    page.get_by_label("Repeat the password").fill(OWNER[1])
    page.get_by_role("button", name="Create owner account").click()
    wait_idle(page)
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=30_000)
    _wait_for_session_cookie(page)

    page.reload()
    wait_idle(page)
    expect(page.get_by_text(f"Signed in as {OWNER[0]}")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    assert _metric(page, "Orders") == "0"

    page.get_by_role("link", name="Data").click()
    wait_idle(page)
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(_csv(tmp_path)))
    wait_idle(page)
    expect(page.locator("[data-testid=stDataFrame]").first).to_be_visible()
    _pick(page, "order_id *", "Invoice")
    _pick(page, "customer_id *", "Customer")
    _pick(page, "placed_at *", "Date")
    _pick(page, "total *", "Amount")
    page.get_by_role("button", name="Check file").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Would import 3 rows"))).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"Imported 3 rows: 3 new orders"))).to_be_visible()
    screenshot(page, "foundation-data-import")

    page.get_by_role("link", name="Overview").click()
    wait_idle(page)
    expect(page.locator("[data-testid=stMetric]").first).to_be_visible()
    assert _metric(page, "Orders") == "3"
    assert _metric(page, "Customers") == "2"
    screenshot(page, "foundation-overview")
