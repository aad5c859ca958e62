from __future__ import annotations

from core.auth import Role
from tests.pages.conftest import PageRunner


def test_overview_on_an_empty_shop(run_page: PageRunner) -> None:
    at = run_page("overview.py", role=Role.ANALYST)
    assert not at.exception
    assert at.title[0].value == "Overview"
    labels = [m.label for m in at.metric]
    assert labels[:5] == ["Orders", "Customers", "Gross revenue", "Net revenue", "AOV (gross)"]
    assert at.metric[0].value == "0"
    assert not [e for e in at.error]


def test_manager_sees_kpis_but_no_csv_download(run_page: PageRunner) -> None:
    at = run_page("overview.py", role=Role.MANAGER)
    assert not at.exception
    assert any("CSV downloads are for" in c.value for c in at.caption)
