"""Workflows: status, published version, trigger and results for a period; create; open."""

import datetime as dt

import streamlit as st

from core.auth import Action
from core.builder import overview
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.builder.create import create_form
from dashboard.builder.links import OPENED, go_to_builder, link
from dashboard.components.download import csv_download
from dashboard.components.feedback import errors_shown
from dashboard.components.readable import display_frame

actor = current_actor()
st.title("Workflows")
st.caption(
    "What runs after each order: status, the version running, what starts it, and what it "
    "did in the period. Converted: ordered again within the attribution window."
)
settings = resources.settings()
today = dt.datetime.now(settings.tz).date()
period = st.date_input(
    "Period", (today - dt.timedelta(days=29), today), key="workflows.period", max_value=today
)
with errors_shown():
    start, end = (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)
    with resources.session() as s:
        frame = overview.workflow_table(s, actor, overview.Period(start, end), settings)
    if frame.empty:
        st.info(
            "No workflow yet."
            + (
                " Create one below, blank or from a ready preset."
                if actor.can(Action.EDIT_WORKFLOWS)
                else ""
            )
        )
    else:
        picked = st.dataframe(
            # the same rows, in words and with separators; the last change in the store's zone
            display_frame(
                frame.rename(columns={"last change": "last_change_at"}),
                settings.currency,
                settings.tz,
            ),
            hide_index=True,
            width="stretch",
            key="workflows.table",
            on_select="rerun",
            selection_mode="single-row",
        )
        rows = picked.selection.rows if picked else []
        if rows:
            go_to_builder(int(frame.iloc[rows[0]]["id"]))
        csv_download(frame, f"workflows-{start}-{end}", key="workflows.csv")
        names = dict(zip(frame["id"].astype(int), frame["name"], strict=True))
        pick, go = st.columns([3, 1], vertical_alignment="bottom")
        chosen = pick.selectbox(
            "Workflow", list(names), format_func=names.__getitem__, key="workflows.open_pick"
        )
        if go.button("Open in builder", key="workflows.open", icon=":material/edit_note:"):
            go_to_builder(int(chosen))
    if st.session_state.get(OPENED):
        link("builder", "Continue in the Builder", ":material/edit_note:", st.session_state[OPENED])
    if actor.can(Action.EDIT_WORKFLOWS):
        with st.expander("Create a workflow", expanded=frame.empty, icon=":material/add:"):
            create_form(actor)
    else:
        st.caption("Your role can look at workflows; ask the owner or a merchant to change them.")
