"""Reviews inbox: the latest reviews with their products, delivery option and punctuality;
low ratings need a reply and can be sent to the store's inbox."""

import pandas as pd
import streamlit as st

from core import reviews_inbox
from core.auth import Action
from dashboard import resources
from dashboard.auth_ui import current_actor
from dashboard.components.download import table_with_download
from dashboard.components.feedback import errors_shown
from dashboard.components.mdtext import md

actor = current_actor()
st.title("Reviews")
st.caption(
    f"Newest first. A rating of {reviews_inbox.LOW_RATING} stars or less needs a reply until "
    "the store was notified. On time: delivered at or before the promised time."
)


@st.cache_data(show_spinner=False)
def _options(version: int) -> tuple[list[str], list[str]]:
    with resources.session() as s:
        return reviews_inbox.options(s)


@st.cache_data(show_spinner=False)
def _inbox(version: int, wanted: reviews_inbox.InboxFilter) -> pd.DataFrame:
    with resources.session() as s:
        return reviews_inbox.inbox(s, wanted)


version = resources.data_version()
with errors_shown():
    products, options = _options(version)
    a, b, c, d = st.columns(4)
    ratings = a.multiselect("Rating", [5, 4, 3, 2, 1], key="reviews_ratings")
    product = b.selectbox("Product", ["", *products], key="reviews_product")
    option = c.selectbox("Delivery option", ["", *options], key="reviews_option")
    punctuality = d.selectbox(
        "Delivery",
        ["", *reviews_inbox.PUNCTUALITY],
        key="reviews_punctuality",
        format_func=lambda v: {"": "any", "on_time": "on time", "late": "late"}[v],
    )
    needs_reply = st.toggle("Needs a reply only", key="reviews_needs_reply")
    wanted = reviews_inbox.InboxFilter(tuple(ratings), product, option, punctuality, needs_reply)
    frame = _inbox(version, wanted)
    waiting = frame.loc[frame["needs_reply"], "review_id"].astype(int).tolist()
    st.metric("Need a reply", f"{len(waiting):,}", border=True)
    table_with_download(frame, "reviews", key="reviews", actor=actor)
    if waiting and actor.can(Action.MANAGE_OUTBOX):
        picked = st.multiselect(
            "Low ratings to send to the store's inbox",
            waiting,
            default=waiting,
            key="reviews_notify_ids",
        )
        if st.button(
            "Notify the merchant", key="reviews_notify", type="primary", disabled=not picked
        ):
            with resources.session() as s, s.begin():
                count = reviews_inbox.notify_merchant(s, actor, picked)
            st.success(f"{count} review(s) sent to {md(resources.settings().sender_email)}.")
