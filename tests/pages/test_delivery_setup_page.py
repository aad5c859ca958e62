from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import delivery
from core.auth import Role
from core.delivery import slots
from core.models import DeliveryOption
from dashboard.components.mdtext import md
from tests.core.delivery.conftest import customer_order, option
from tests.pages.conftest import PageRunner

BERLIN = ZoneInfo("Europe/Berlin")


def _fill(at: object, key: str, **values: object) -> None:
    for name, value in values.items():
        widget = at.text_input(key=f"{key}_{name}")  # type: ignore[attr-defined]
        widget.set_value(value)


def test_merchant_adds_an_option_with_rules(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    assert not at.exception
    _fill(at, "new", code="collect_now", name="Click & collect", price="0", prices="PLN 0",
          free="", cutoff="15:00")  # fmt: skip
    at.selectbox(key="new_kind").set_value("pickup")
    at.session_state["new_rules"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [{"field": "Postcode starts with", "op": "is one of", "value": "10, 20"}],
    }
    at.button(key="new_save").click().run()
    assert not at.exception and not at.error
    assert f"Saved the delivery option {md('collect_now')}." in [s.value for s in at.success]
    with Session(app_db) as s:
        saved = delivery.list_options(s)[0]
        assert (saved.code, saved.kind, saved.cutoff_time, saved.prices) == (
            "collect_now", "pickup", "15:00", {"PLN": "0"},
        )  # fmt: skip
        assert saved.rules == {
            "type": "group",
            "mode": "all",
            "items": [
                {"type": "rule", "field": "basket.postcode", "op": "in", "value": ["10", "20"]}
            ],
        }


def test_each_invalid_field_is_named_and_nothing_is_saved(
    run_page: PageRunner, app_db: Engine
) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    _fill(at, "new", code="Bad Code!", name="", price="x", currency="E1", cutoff="25:00",
          transit="Austria")  # fmt: skip
    at.button(key="new_save").click().run()
    assert not at.exception and not at.success
    errors = " | ".join(e.value for e in at.error)
    for label in ("Code:", "Name shown to customers:", "Price:", "Currency:", "Order cut-off:",
                  "Transit days per country:"):  # fmt: skip
        assert md(label) in errors, label
    with Session(app_db) as s:
        assert delivery.list_options(s) == []


def test_a_rule_row_with_a_missing_part_is_named(run_page: PageRunner, app_db: Engine) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    _fill(at, "new", code="express", name="Express", price="9.90")
    at.session_state["new_rules"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [{"field": "Total weight (grams)", "op": None, "value": "5000"}],
    }
    at.button(key="new_save").click().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [md("Eligibility rules: rule 1: choose a comparison.")]
    with Session(app_db) as s:
        assert delivery.list_options(s) == []


def test_pickup_row_with_an_empty_field_is_named_not_dropped(
    run_page: PageRunner, app_db: Engine
) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    at.session_state["pickup_editor"] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [
            {"code": "ber", "name": "Berlin", "address": "Torstr. 1", "city": "Berlin",
             "country": "DE", "preparation_hours": 3},
            {"code": "ham", "name": "", "address": "Lange Reihe 4", "city": "Hamburg",
             "country": "DE"},
        ],
    }  # fmt: skip
    at.run()
    at.button(key="save_locations").click().run()
    assert not at.exception and not at.success
    assert any(md("row 2: the name is empty") in e.value for e in at.error)
    with Session(app_db) as s:
        assert delivery.list_locations(s) == []


def test_slots_and_bookings_per_day(run_page: PageRunner, app_db: Engine) -> None:
    now = dt.datetime.now(dt.UTC)
    with Session(app_db) as s:
        opt = option(s, code="scheduled", kind="scheduled", time_slots="08:00-12:00",
                     slot_days="mon-sun", slot_capacity=4)  # fmt: skip
        day = (now + dt.timedelta(days=2)).astimezone(BERLIN).date()
        start = dt.datetime.combine(day, dt.time(8), tzinfo=BERLIN).astimezone(dt.UTC)
        order = customer_order(s, 1)
        slots.book(s, order, s.get_one(DeliveryOption, opt.id), start, start, now)
        s.commit()
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    board = next(f for f in frames if "remaining" in f.columns)
    day = board[board["booked"] == 1]
    assert len(day) == 1 and int(day["remaining"].iloc[0]) == 3
    bookings: pd.DataFrame = at.table[0].value
    assert list(bookings.index) == ["#1001"] and list(bookings["option"]) == ["scheduled"]


def test_read_only_for_roles_without_delivery_rights(run_page: PageRunner) -> None:
    at = run_page("delivery_setup.py", role=Role.MANAGER)
    assert not at.exception
    assert not [b for b in at.button if b.key == "save_locations"]
    assert all(b.disabled for b in at.button if b.key in {"new_save", "save_delivery_settings"})
