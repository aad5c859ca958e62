"""Delivery options: what customers can choose (standard, express, click-and-collect, time slots),
where they can collect, the slots booked per day, and the store-wide delivery settings."""

import datetime as dt

import pandas as pd
import streamlit as st

from core import delivery
from core import settings as store_settings
from core.auth import Action
from core.delivery import board
from core.delivery import config as delivery_config
from core.errors import ValidationError
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components import rules_editor
from dashboard.components.delivery_forms import option_form, show_errors
from dashboard.components.delivery_tables import LOCATION_COLUMNS, price_difference, rows_from
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md
from dashboard.components.readable import display_frame

actor = current_actor()
can_edit = actor.can(Action.EDIT_DELIVERY)
now = dt.datetime.now(dt.UTC)
st.title("Delivery options")
st.caption(
    "Offer options by rules, price them per currency, promise dates from cut-offs, transit days "
    "and holidays; customers pick time slots or switch to pickup from the link in their emails."
)
with resources.session() as s:
    rows = {r["code"]: r for r in delivery.option_inputs(delivery.list_options(s))}
    stores = pd.DataFrame(
        [{c: getattr(loc, c) for c in LOCATION_COLUMNS} for loc in delivery.list_locations(s)],
        columns=list(LOCATION_COLUMNS),
    )
    slots = pd.DataFrame([{**vars(r), "remaining": r.remaining} for r in board.slot_board(s, now)])
    tz = store_settings.load(s).tz
    booked = pd.DataFrame(
        [
            {"order": b.order, "customer": b.customer, "option": b.option,
             "slot": f"{b.starts_at.astimezone(tz):%a %Y-%m-%d %H:%M}-{b.ends_at.astimezone(tz):%H:%M}",
             "booked at": f"{b.booked_at.astimezone(tz):%Y-%m-%d %H:%M}",
             "price difference": price_difference(b.price_difference, b.currency)}
            for b in board.bookings(s, now - dt.timedelta(days=1))
        ]
    )  # fmt: skip
    leads = pd.DataFrame([vars(x) for x in board.pickup_lead_times(s)])
    settings = delivery_config.load(s)

options_tab, stores_tab, slots_tab, settings_tab = st.tabs(
    ["Options", "Pickup stores", "Slots and bookings", "Settings"]
)
with options_tab:
    if rows:
        overview = pd.DataFrame(
            [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "price": f"{r['price']} {r['currency']}",
                    "countries": r["countries"] or "all",
                    "carrier": r["carrier"],
                    "rules": "yes" if r["rules"] else "no",
                    "active": r["active"],
                }
                for r in rows.values()
            ]
        )
        st.dataframe(display_frame(overview, ""), hide_index=True, key="delivery_options_list")
    choice = st.selectbox(
        "Option to edit", [*rows, "New option"], key="delivery_option_pick",
        format_func=lambda c: f"{c} · {rows[c]['name']}" if c in rows else "New option",
    )  # fmt: skip
    key = choice if choice in rows else "new"
    try:
        data = option_form(key, rows.get(choice, {}), can_edit)
        if data is not None:
            with resources.session() as s, s.begin():
                original = rows.get(choice, {}).get("code")
                saved = delivery.save_option(s, actor, data, original=original)
            rules_editor.saved(key)
            st.success(f"Saved the delivery option {md(saved.code)}.")
    except ValidationError as exc:
        show_errors(exc)
with stores_tab:
    edited = st.data_editor(stores, num_rows="dynamic", column_config=LOCATION_COLUMNS,
                            hide_index=True, disabled=not can_edit, key="pickup_editor",
                            width="stretch")  # fmt: skip
    if can_edit and st.button("Save pickup stores", key="save_locations", type="primary"):
        with errors_shown(), resources.session() as s, s.begin():
            count = delivery.save_locations(s, actor, rows_from(edited, delivery.LocationInput))
            st.success(f"Saved {count} pickup stores.")
    st.subheader("Pickup lead times")
    st.dataframe(leads, hide_index=True, width="stretch", key="pickup_leads")
with slots_tab:
    st.subheader("Capacity per day")
    st.dataframe(slots, hide_index=True, width="stretch", key="slot_board")
    st.subheader("Booked slots")
    st.caption("Slot times in the store's time zone; customers see them in their own. The "
               "price difference is what the booking changed the delivery's price by: the shop "
               "charges (+) or refunds (-) it.")  # fmt: skip
    if booked.empty:
        st.info("No slot is booked yet.")
    else:
        st.table(booked.set_index("order"))
with settings_tab, st.form("delivery_settings"):
    origin = st.text_input("Ships from (country)", settings.origin_country, key="dl_origin")
    url = st.text_input("Report customer changes to (URL)", settings.report_url, key="dl_url")
    hold = st.number_input("Hold a slot while confirming (minutes)", 1, 60,
                           settings.hold_minutes, key="dl_hold")  # fmt: skip
    until = st.number_input("Changes allowed until (hours before delivery)", 0, 168,
                            settings.change_until_hours, key="dl_until")  # fmt: skip
    choices = list(delivery_config.DEARER_CHOICES)
    dearer = st.radio("Changes that cost the customer more", choices,
                      index=choices.index(settings.dearer_changes),
                      format_func=delivery_config.DEARER_CHOICES.__getitem__, key="dl_dearer",
                      help="Orderflow cannot charge a card: the customer sees the difference, "
                      "and the report and the bookings table list it for the shop to charge "
                      "or refund.")  # fmt: skip
    if settings.report_secret:
        st.caption(f"Reports are signed (X-Orderflow-Signature) with `{settings.report_secret}`.")
    if st.form_submit_button("Save settings", disabled=not can_edit, key="save_delivery_settings"):
        with errors_shown(), resources.session() as s, s.begin():
            new = delivery_config.DeliveryConfig(origin, url, int(hold), int(until),
                                                 settings.report_secret, dearer)  # fmt: skip
            delivery_config.save(s, actor, new)
            st.success("Saved the delivery settings.")
