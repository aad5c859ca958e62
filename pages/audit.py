"""Audit: who did what and when, filtered, with a CSV download (owner only; append-only)."""

import datetime as dt

import streamlit as st

from core import audit_read
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.download import table_with_download
from dashboard.components.feedback import errors_shown

actor = current_actor()
st.title("Audit")
st.caption(
    "Every login and failed login, user change, workflow and template change, setting, import, "
    "export, GDPR action and source change. The application only adds entries; customers are "
    "named by id."
)
with errors_shown():
    with resources.session() as s:
        known = audit_read.actions(s)
    a, b, c, d = st.columns([2, 2, 2, 2])
    today = dt.date.today()
    period = a.date_input(
        "Period", (today - dt.timedelta(days=30), today), key="audit_period", format="YYYY-MM-DD"
    )
    who = b.text_input("Who (email contains)", key="audit_who")
    prefixes = sorted({k.split(".")[0] + "." for k in known} | set(known))
    action = c.selectbox("Action", ["(any)", *prefixes], key="audit_action")
    target = d.text_input("Target contains", key="audit_target")
    since, until = (period[0], period[-1]) if isinstance(period, tuple) and period else (None, None)
    with resources.session() as s:
        frame = audit_read.entries(
            s,
            actor,
            since=since,
            until=until,
            who=who,
            action="" if action == "(any)" else str(action),
            target=target,
        )
    st.caption(f"{len(frame)} entries, newest first.")
    table_with_download(frame, "audit_log", key="audit", actor=actor)
