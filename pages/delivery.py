"""Delivery: on-time rate, delivery option mix, click-and-collect lead time."""

import altair as alt
import pandas as pd
import plotly.express as px
import streamlit as st

from core.delivery import board
from core.metrics import views
from core.metrics.types import Filters, Period
from dashboard import resources
from dashboard.components.charts import chart_with_data, data_table, empty_note
from dashboard.components.feedback import errors_shown
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Computing delivery KPIs...", max_entries=32)
def load(period: Period, filters: Filters, version: int) -> views.DeliveryView:
    return views.delivery_view(resources.engine(), period, filters)


st.title("Delivery")
with errors_shown():
    period, filters = global_filters()
    view = load(period, filters, resources.data_version())
    st.caption(
        f"Orders placed {period}. On time = delivered (or ready for pickup) at or before "
        "the promised time; the rate counts delivered orders with a promise."
    )
    cards = st.columns(3)
    rate = "–" if view.on_time_rate is None else f"{view.on_time_rate:.1%}"
    cards[0].metric("On-time delivery rate", rate, border=True)
    cards[1].metric("Delivered with a promise", f"{view.delivered_with_promise:,}", border=True)
    cards[2].metric("Delivery options used", len(view.mix), border=True)
    if not empty_note(view.mix, "orders"):
        if not view.weekly.empty:
            line = (
                alt.Chart(view.weekly)
                .mark_line(point=True)
                .encode(
                    x=alt.X("week:T", title=None),
                    y=alt.Y("on_time_rate:Q", axis=alt.Axis(format="%"), title="On-time rate"),
                    tooltip=[
                        alt.Tooltip("week:T", title="Week of", format="%d %b %Y"),
                        alt.Tooltip("delivered:Q", title="Delivered", format=","),
                        alt.Tooltip("on_time_rate:Q", title="On-time rate", format=".1%"),
                    ],
                )
            )
            chart_with_data(
                line, view.weekly, "on-time-per-week", "ontime_week", "On-time rate per week"
            )
            if view.weekly["partial"].any():
                st.caption("The week in progress is left out of the rate until it is over.")
        left, right = st.columns(2)
        with left:
            pie = px.pie(view.mix, names="delivery_option", values="orders", hole=0.4)
            chart_with_data(pie, view.mix, "delivery-option-mix", "mix", "Delivery option mix")
        with right:
            bars = px.bar(
                view.by_option,
                x="delivery_option",
                y="on_time_rate",
                hover_data=["delivered", "on_time"],
            )
            bars.update_yaxes(tickformat=".0%")
            chart_with_data(
                bars, view.by_option, "on-time-by-option", "ontime_option", "On-time rate by option"
            )
        st.subheader("Click-and-collect lead time (hours)")
        data_table(view.pickup, "pickup-lead-time", "pickup")
    st.subheader("Promise kept per option and carrier")
    with resources.session() as s:
        kept = board.promise_kept(s, period.start, period.end)
    data_table(
        pd.DataFrame(
            [{**vars(k), "rate": k.rate} for k in kept],
            columns=["option", "carrier", "delivered", "kept", "rate"],
        ),
        "promise-kept",
        "promise_kept",
    )
