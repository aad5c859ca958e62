"""The typed form of one delivery option (every field its own widget, each invalid field named
under the form) and its eligibility rules in the builder's nested AND/OR/NOT condition editor
(:mod:`dashboard.components.rules_editor`). Not an ``st.form``: the rule editor's buttons and
callbacks need reruns; nothing is saved before "Save option"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.delivery import KINDS, OptionInput
from core.delivery.calendar import WEEKDAYS
from core.delivery.options import FormErrors
from core.errors import ValidationError
from dashboard.components import rules_editor
from dashboard.components.mdtext import md_code

LABELS = {
    "code": "Code",
    "name": "Name shown to customers",
    "kind": "Kind",
    "price": "Price",
    "currency": "Currency",
    "prices": "Prices in other currencies",
    "free_above": "Free from (per currency)",
    "countries": "Countries",
    "min_basket": "Minimum basket",
    "lead_days": "Transit days",
    "cutoff_time": "Order cut-off",
    "transit_days": "Transit days per country",
    "carrier": "Carrier",
    "time_slots": "Time slots",
    "slot_days": "Slot days",
    "slot_capacity": "Places per slot",
    "slot_cutoff_hours": "Slot cut-off (hours before)",
    "rules": "Eligibility rules",
}


def show_errors(exc: ValidationError) -> None:
    """Each invalid field of a FormErrors on its own line, named by its label."""
    if isinstance(exc, FormErrors):
        for field, message in exc.errors.items():
            st.error(md_code(f"{LABELS.get(field, field)}: {message}"), icon=":material/error:")
    else:
        st.error(md_code(exc), icon=":material/error:")


def option_form(key: str, row: Mapping[str, Any], can_edit: bool) -> OptionInput | None:
    """The form of one option; the input to save when submitted, else None."""
    with st.container(border=True, key=f"option_form_{key}"):
        left, right = st.columns(2)
        code = left.text_input(LABELS["code"], row.get("code", ""), key=f"{key}_code",
                               help="Lowercase letters, digits and _; the shop's shipping code.")  # fmt: skip
        name = right.text_input(LABELS["name"], row.get("name", ""), key=f"{key}_name")
        kind_now = row.get("kind", "standard")
        kind = left.selectbox(LABELS["kind"], KINDS, index=KINDS.index(kind_now)
                              if kind_now in KINDS else 0, key=f"{key}_kind")  # fmt: skip
        carrier = right.text_input(LABELS["carrier"], row.get("carrier", ""), key=f"{key}_carrier")
        price = left.text_input(LABELS["price"], str(row.get("price", "0")), key=f"{key}_price")
        currency = right.text_input(LABELS["currency"], row.get("currency", "EUR"), max_chars=3,
                                    key=f"{key}_currency")  # fmt: skip
        prices = left.text_input(LABELS["prices"], row.get("prices", ""), key=f"{key}_prices",
                                 help="e.g. PLN 19.99, SEK 59")  # fmt: skip
        free_above = right.text_input(LABELS["free_above"], row.get("free_above", ""),
                                      key=f"{key}_free", help="e.g. EUR 60, PLN 250")  # fmt: skip
        countries = left.text_input(LABELS["countries"], row.get("countries", ""),
                                    key=f"{key}_countries", help="Empty = all; e.g. DE, AT")  # fmt: skip
        min_basket = right.text_input(LABELS["min_basket"], row.get("min_basket", ""),
                                      key=f"{key}_min")  # fmt: skip
        lead_min = left.number_input("Transit days (min)", 0, 60, int(row.get("lead_days_min", 1)),
                                     key=f"{key}_lead_min")  # fmt: skip
        lead_max = right.number_input("Transit days (max)", 0, 60,
                                      int(row.get("lead_days_max", 3)), key=f"{key}_lead_max")  # fmt: skip
        cutoff = left.text_input(LABELS["cutoff_time"], row.get("cutoff_time", "14:00"),
                                 key=f"{key}_cutoff", help="Orders after it ship the next working day.")  # fmt: skip
        transit = right.text_input(LABELS["transit_days"], row.get("transit_days", ""),
                                   key=f"{key}_transit", help="e.g. AT 2-3, FR 3-5")  # fmt: skip
        slots = left.text_input(LABELS["time_slots"], row.get("time_slots", ""),
                                key=f"{key}_slots", help="e.g. 08:00-12:00, 14:00-18:00")  # fmt: skip
        days_now = [d.strip() for d in str(row.get("slot_days", "")).split(",") if d.strip()]
        slot_days = right.multiselect(LABELS["slot_days"], WEEKDAYS, days_now,
                                      key=f"{key}_slot_days", help="Empty = Monday to Saturday")  # fmt: skip
        capacity = left.number_input(LABELS["slot_capacity"], 1, 10_000,
                                     int(row.get("slot_capacity", 10)), key=f"{key}_capacity")  # fmt: skip
        slot_cutoff = right.number_input(LABELS["slot_cutoff_hours"], 0, 336,
                                         int(row.get("slot_cutoff_hours", 12)), key=f"{key}_slot_cutoff")  # fmt: skip
        active = st.checkbox("Active", bool(row.get("active", True)), key=f"{key}_active")
        st.markdown("**Eligibility rules** (offered to every basket when empty)")
        draft = rules_editor.draft(key, row.get("rules"))
        rules_editor.rules_editor(draft, readonly=not can_edit)
        submitted = st.button(
            "Save option", type="primary", disabled=not can_edit, key=f"{key}_save"
        )
    if not submitted:
        return None
    return OptionInput(
        code=code, name=name, kind=kind, price=price, currency=currency,
        lead_days_min=int(lead_min), lead_days_max=int(lead_max), countries=countries,
        min_basket=min_basket, time_slots=slots, active=active, prices=prices,
        free_above=free_above, cutoff_time=cutoff, transit_days=transit, carrier=carrier,
        slot_days=", ".join(slot_days), slot_capacity=int(capacity),
        slot_cutoff_hours=int(slot_cutoff), rules=draft.as_json(),
    )  # fmt: skip
