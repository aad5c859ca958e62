from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import delivery
from core.auth import Role
from tests.pages.conftest import PageRunner


def test_merchant_adds_an_option(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    assert not at.exception
    at.session_state["delivery_options_editor"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [
            {
                "code": "collect",
                "name": "Click & collect",
                "kind": "pickup",
                "price": "0",
                "currency": "EUR",
                "lead_days_min": 0,
                "lead_days_max": 1,
                "active": True,
            }
        ],
    }
    at.run()
    at.button(key="save_options").click().run()
    assert not at.exception
    assert "Saved 1 delivery options." in [s.value for s in at.success]
    with Session(app_db) as s:
        assert [o.code for o in delivery.list_options(s)] == ["collect"]


def test_bad_row_shows_an_error_not_a_traceback(run_page: PageRunner) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    at.session_state["delivery_options_editor"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [
            {
                "code": "x",
                "name": "X",
                "kind": "teleport",
                "price": "0",
                "currency": "EUR",
                "lead_days_min": 0,
                "lead_days_max": 1,
                "active": True,
            }
        ],
    }
    at.run()
    at.button(key="save_options").click().run()
    assert not at.exception
    assert any("row 1" in e.value and "teleport" in e.value for e in at.error)


def test_read_only_for_roles_without_delivery_rights(run_page: PageRunner) -> None:
    at = run_page("delivery_setup.py", role=Role.MANAGER)
    assert not at.exception
    assert not [b for b in at.button if b.key in {"save_options", "save_locations"}]
