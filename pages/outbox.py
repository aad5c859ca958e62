"""Outbox: every message by state and suppression reason, retry failed ones, and the run log of
a customer or an order."""

import pandas as pd
import streamlit as st

from core.auth import Action
from core.builder.why_not import explained_log
from core.engine import outbox, runlog
from core.models import SUPPRESSION_REASONS
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.download import table_with_download
from dashboard.components.feedback import errors_shown

actor = current_actor()
st.title("Outbox")
st.caption(
    "Each workflow step sends at most one message. Suppressed messages say why; messages "
    "deferred by quiet hours go out when they end; failed ones can be retried."
)


@st.cache_data(show_spinner=False)
def _counts(version: int) -> pd.DataFrame:
    with resources.session() as s:
        return outbox.counts(s)


@st.cache_data(show_spinner=False)
def _messages(
    version: int, states: tuple[str, ...], reasons: tuple[str, ...], search: str
) -> pd.DataFrame:
    with resources.session() as s:
        return outbox.messages_frame(s, states=states, reasons=reasons, search=search)


version = resources.data_version()
counts = _counts(version)
cols = st.columns(4)
for col, state in zip(cols, ("sent", "queued", "suppressed", "failed"), strict=True):
    col.metric(state.title(), f"{int(counts.loc[counts['state'] == state, 'messages'].sum()):,}")

left, middle, right = st.columns([2, 2, 3])
states = left.multiselect("State", outbox.STATES, key="outbox_states")
reasons = middle.multiselect("Suppression reason", SUPPRESSION_REASONS, key="outbox_reasons")
search = right.text_input("Recipient contains", key="outbox_search")
frame = _messages(version, tuple(states), tuple(reasons), search)
table_with_download(frame, "outbox", key="outbox", actor=actor)

failed = frame.loc[frame["state"] == "failed", "id"].tolist() if len(frame) else []
if actor.can(Action.MANAGE_OUTBOX) and failed:
    picked = st.multiselect(
        "Failed messages to retry", failed, default=failed, key="outbox_retry_ids"
    )
    if st.button("Retry", key="outbox_retry", type="primary", disabled=not picked):
        with errors_shown(), resources.session() as s, s.begin():
            count = outbox.retry_failed(s, actor, picked)
            from core import settings as store_settings

            store_settings.bump_data_version(s)
            st.success(f"{count} message(s) queued again.")

st.subheader("Run log")
kind = st.radio("For", ["Customer email", "Order"], horizontal=True, key="runlog_kind")
ref = st.text_input("Email" if kind == "Customer email" else "Order id or number", key="runlog_ref")
if ref.strip():
    with errors_shown(), resources.session() as s:
        if kind == "Customer email":
            log = explained_log(s, customer_id=runlog.find_customer(s, ref).id)
        else:
            log = explained_log(s, order_id=runlog.find_order(s, ref.strip()).id)
        if log.empty:
            st.info("No active or paused workflow is triggered by its events.")
        else:
            table_with_download(log, "run_log", key="runlog", actor=actor)
