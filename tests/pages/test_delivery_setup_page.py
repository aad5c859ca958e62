from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core import delivery
from core.auth import Role
from core.delivery import config as delivery_config
from core.delivery import selfservice, slots
from core.models import DeliveryOption
from dashboard.components.mdtext import md
from tests.core.delivery.conftest import MERCHANT, customer_order, option
from tests.pages.conftest import PageRunner

BERLIN = ZoneInfo("Europe/Berlin")


def _fill(at: object, key: str, **values: object) -> None:
    for name, value in values.items():
        widget = at.text_input(key=f"{key}_{name}")  # type: ignore[attr-defined]
        widget.set_value(value)


def w(at: AppTest, kind: str, suffix: str) -> Any:
    """The rule editor's widget of ``kind`` whose key ends with ``suffix`` (keys carry a
    generation)."""
    found = [
        x for x in getattr(at, kind) if x.key and x.key.startswith("dr.") and x.key.endswith(suffix)
    ]
    assert found, f"no {kind} ending with {suffix!r}: {[x.key for x in getattr(at, kind)]}"
    return found[-1]


NESTED = {
    "type": "group",
    "mode": "all",
    "items": [
        {"type": "rule", "field": "basket.country", "op": "in", "value": ["DE", "AT"]},
        {
            "type": "group",
            "mode": "any",
            "items": [
                {"type": "rule", "field": "basket.postcode", "op": "in", "value": ["10", "20"]},
                {"type": "rule", "field": "basket.weight_grams", "op": "le", "value": 1000},
            ],
        },
    ],
}


def test_merchant_builds_nested_rules_with_the_condition_editor(
    run_page: PageRunner, app_db: Engine
) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    assert not at.exception
    _fill(at, "new", code="express", name="Express", price="9.90", cutoff="15:00")
    at.selectbox(key="new_kind").set_value("express")
    w(at, "button", "rules.root.add_rule").click().run()
    assert w(at, "selectbox", "rules.0.field").value == "basket.country"
    w(at, "selectbox", "rules.0.basket.country.op").select("in").run()
    w(at, "multiselect", "rules.0.basket.country.in").select("DE").select("AT").run()
    w(at, "button", "rules.root.add_group").click().run()
    assert w(at, "selectbox", "rules.1.mode").value == "any"
    w(at, "button", "rules.1.add_rule").click().run()
    w(at, "selectbox", "rules.1.0.field").select("basket.postcode").run()
    w(at, "selectbox", "rules.1.0.basket.postcode.op").select("in").run()
    w(at, "multiselect", "rules.1.0.basket.postcode.in").select("10").select("20").run()
    w(at, "button", "rules.1.add_rule").click().run()
    w(at, "selectbox", "rules.1.1.field").select("basket.weight_grams").run()
    w(at, "selectbox", "rules.1.1.basket.weight_grams.op").select("le").run()
    w(at, "number_input", "rules.1.1.basket.weight_grams.le").set_value(1000).run()
    assert not at.exception and not at.error
    reads = [c.value for c in at.caption if c.value.startswith("Reads:")]
    assert reads == [
        "Reads: "
        + md(
            "Shipping country is one of DE, AT AND (Postcode starts with is one of 10, 20"
            " OR Total weight (grams) ≤ 1000)"
        )
    ]
    with Session(app_db) as s:
        assert delivery.list_options(s) == []  # nothing saved before "Save option"
    at.button(key="new_save").click().run()
    assert not at.exception and not at.error
    assert "Saved the delivery option express." in [s.value for s in at.success]
    with Session(app_db) as s:
        saved = delivery.list_options(s)[0]
        assert (saved.code, saved.kind, saved.cutoff_time) == ("express", "express", "15:00")
        assert saved.rules == NESTED


def test_stored_nested_rules_are_shown_and_kept(run_page: PageRunner, app_db: Engine) -> None:
    with Session(app_db) as s:
        option(s, code="express", name="Express", kind="express", rules=NESTED)
        s.commit()
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    # the stored options are listed and the first one is open for editing (not a blank form)
    listed = at.dataframe[0].value
    assert list(listed["Code"]) == ["express"] and list(listed["Rules"]) == ["yes"]
    assert at.selectbox(key="delivery_option_pick").value == "express"
    assert not at.exception and not at.error
    assert w(at, "selectbox", "rules.1.mode").value == "any"
    assert w(at, "multiselect", "rules.1.0.basket.postcode.in").value == ["10", "20"]
    assert w(at, "number_input", "rules.1.1.basket.weight_grams.le").value == 1000
    w(at, "selectbox", "rules.1.mode").select("not").run()
    w(at, "button", "rules.1.0.remove").click().run()
    at.text_input(key="express_name").set_value("Express courier")
    at.button(key="express_save").click().run()
    assert not at.exception and not at.error
    with Session(app_db) as s:
        saved = delivery.list_options(s)[0]
        assert saved.name == "Express courier"
        assert saved.rules["items"][1] == {
            "type": "group",
            "mode": "not",
            "items": [{"type": "rule", "field": "basket.weight_grams", "op": "le", "value": 1000}],
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


def test_an_invalid_rule_is_named_kept_and_nothing_is_saved(
    run_page: PageRunner, app_db: Engine
) -> None:
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    _fill(at, "new", code="express", name="Express", price="9.90")
    w(at, "button", "rules.root.add_group").click().run()
    w(at, "button", "rules.0.add_rule").click().run()
    w(at, "selectbox", "rules.0.0.field").select("basket.postcode").run()
    w(at, "selectbox", "rules.0.0.basket.postcode.op").select("in").run()
    w(at, "button", "rules.root.add_group").click().run()
    problem = "Condition 1 in group 1 (Postcode starts with): give at least one value."
    empty = "Group 2 has no conditions. Add a condition to it or remove it."
    assert [e.value for e in at.error] == [
        md(problem),
        md(empty),
    ]  # beside the rules, before saving
    at.button(key="new_save").click().run()
    assert not at.exception and not at.success
    assert md(f"Eligibility rules: {problem} {empty}") in [e.value for e in at.error]
    with Session(app_db) as s:
        assert delivery.list_options(s) == []
    # The rules are still there to be fixed: nothing was dropped.
    assert w(at, "selectbox", "rules.0.0.field").value == "basket.postcode"
    w(at, "multiselect", "rules.0.0.basket.postcode.in").select("10").run()
    w(at, "button", "rules.1.remove").click().run()
    at.button(key="new_save").click().run()
    assert not at.exception and not at.error
    with Session(app_db) as s:
        assert delivery.list_options(s)[0].rules == {
            "type": "group",
            "mode": "all",
            "items": [{"type": "group", "mode": "any", "items": [
                {"type": "rule", "field": "basket.postcode", "op": "in", "value": ["10"]}]}],
        }  # fmt: skip


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


def test_bookings_show_the_price_difference_and_the_setting_is_saved(
    run_page: PageRunner, app_db: Engine
) -> None:
    now = dt.datetime.now(dt.UTC)
    with Session(app_db) as s:
        option(s, code="scheduled", kind="scheduled", price="9.90", time_slots="08:00-12:00",
               slot_days="mon-sun", slot_cutoff_hours=0, lead_days_min=0)  # fmt: skip
        config = delivery_config.DeliveryConfig(dearer_changes=delivery_config.SHOP_CHARGES)
        delivery_config.save(s, MERCHANT, config)
        order = customer_order(s, 1, option_code="standard")
        order.shipping_amount = Decimal("4.90")
        first = selfservice.choices(s, order, now).slotted[0]["slots"][0]
        selfservice.hold_slot(s, order, "scheduled", first["start"], now)
        selfservice.confirm_slot(s, order, now)
        s.commit()
    at = run_page("delivery_setup.py", role=Role.MERCHANT)
    assert not at.exception
    bookings: pd.DataFrame = at.table[0].value
    assert list(bookings["price difference"]) == ["+5.00 EUR"]
    assert at.radio(key="dl_dearer").value == delivery_config.SHOP_CHARGES
    at.radio(key="dl_dearer").set_value(delivery_config.REFUSE)
    at.button(key="save_delivery_settings").click().run()
    assert not at.exception and "Saved the delivery settings." in [x.value for x in at.success]
    with Session(app_db) as s:
        assert delivery_config.load(s).dearer_changes == delivery_config.REFUSE
