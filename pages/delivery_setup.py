"""Delivery options: what customers can choose (standard, express, click-and-collect, time slots)
and where they can collect."""

import pandas as pd
import streamlit as st

from core import delivery
from core.auth import Action
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.delivery_tables import LOCATION_COLUMNS, OPTION_COLUMNS, rows_from
from dashboard.components.feedback import errors_shown

actor = current_actor()
can_edit = actor.can(Action.EDIT_DELIVERY)
st.title("Delivery options")
st.caption(
    "Offer options by country and basket value. Orders keep the option code they were placed with; "
    "the Delivery page measures each option's punctuality and satisfaction."
)

with resources.session() as s:
    options = pd.DataFrame(
        delivery.option_inputs(delivery.list_options(s)), columns=list(OPTION_COLUMNS)
    )
    locations = pd.DataFrame(
        [
            {c: getattr(loc, c) or "" for c in LOCATION_COLUMNS}
            for loc in delivery.list_locations(s)
        ],
        columns=list(LOCATION_COLUMNS),
    )

st.subheader("Options")
edited = st.data_editor(
    options,
    num_rows="dynamic",
    column_config=OPTION_COLUMNS,
    hide_index=True,
    disabled=not can_edit,
    key="delivery_options_editor",
    width="stretch",
)
if can_edit and st.button("Save options", key="save_options", type="primary"):
    with errors_shown(), resources.session() as s, s.begin():
        count = delivery.save_options(s, actor, rows_from(edited, delivery.OptionInput))
        st.success(f"Saved {count} delivery options.")

st.subheader("Pickup locations")
edited_locations = st.data_editor(
    locations,
    num_rows="dynamic",
    column_config=LOCATION_COLUMNS,
    hide_index=True,
    disabled=not can_edit,
    key="pickup_editor",
    width="stretch",
)
if can_edit and st.button("Save pickup locations", key="save_locations", type="primary"):
    with errors_shown(), resources.session() as s, s.begin():
        count = delivery.save_locations(
            s, actor, rows_from(edited_locations, delivery.LocationInput)
        )
        st.success(f"Saved {count} pickup locations.")
