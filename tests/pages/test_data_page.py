from __future__ import annotations

from core.auth import Role
from tests.pages.conftest import PageRunner


def test_owner_sees_import_demo_and_export(run_page: PageRunner) -> None:
    at = run_page("data.py")
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Import", "Demo data", "Export"]
    assert at.selectbox(key="export_table").value == "orders"
    at.selectbox(key="export_table").set_value("customers").run()
    assert not at.exception
    assert any("0 rows" in c.value for c in at.caption)


def test_demo_data_load_and_clear(run_page: PageRunner) -> None:
    at = run_page("data.py")
    at.button(key="demo_load").click().run(timeout=120)
    assert not at.exception
    loaded = " ".join(m.value for m in at.markdown)
    assert "The demo shop is **loaded**:" in loaded and " orders, " in loaded
    assert at.button(key="demo_clear").disabled  # nothing goes without confirming
    at.checkbox(key="demo_clear_confirm").check().run()
    at.button(key="demo_clear").click().run(timeout=120)
    assert not at.exception
    assert "No demo data is loaded." in [m.value for m in at.markdown]
    report = at.success[0].value
    assert report.startswith("Removed ") and " orders" in report and "untouched" in report


def test_analyst_only_exports(run_page: PageRunner) -> None:
    at = run_page("data.py", role=Role.ANALYST)
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Export"]
