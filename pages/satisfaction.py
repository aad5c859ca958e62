"""Satisfaction: ratings, CSAT, NPS, by delivery option and punctuality, latest comments."""

import altair as alt
import plotly.express as px
import streamlit as st

from core.metrics import views
from core.metrics.types import Filters, Period
from dashboard import resources
from dashboard.components.charts import chart_with_data, data_table, empty_note
from dashboard.components.feedback import errors_shown
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Computing satisfaction...", max_entries=32)
def load(period: Period, filters: Filters, version: int) -> views.SatisfactionView:
    return views.satisfaction_view(resources.engine(), period, filters)


def fmt(value: float | None, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


st.title("Satisfaction")
with errors_shown():
    period, filters = global_filters()
    view = load(period, filters, resources.data_version())
    s = view.summary
    st.caption(
        f"Reviews submitted {period} (one per order). CSAT = % of 4-5 star ratings; "
        "NPS = % promoters (9-10) - % detractors (0-6) of NPS answers."
    )
    cards = st.columns(5)
    cards[0].metric(
        "Average rating", fmt(s.avg_rating, "{:.2f} ★"), help=f"n = {s.reviews}", border=True
    )
    cards[1].metric("Reviews", f"{s.reviews:,}", border=True)
    cards[2].metric("CSAT", fmt(s.csat, "{:.0f}%"), border=True)
    cards[3].metric("NPS", fmt(s.nps, "{:+.0f}"), help=f"n = {s.nps_answers}", border=True)
    cards[4].metric("Review rate", fmt(view.review_rate, "{:.1%}"), border=True)
    if not empty_note(view.distribution[view.distribution["reviews"] > 0], "reviews"):
        bars = (
            alt.Chart(view.distribution)
            .mark_bar()
            .encode(
                x=alt.X("rating:O", title="Stars"),
                y=alt.Y("reviews:Q"),
                tooltip=["rating", "reviews", alt.Tooltip("share:Q", format=".1%")],
            )
        )
        chart_with_data(
            bars, view.distribution, "rating-distribution", "dist", "Rating distribution"
        )
        trend = px.line(
            view.daily,
            x="day",
            y="avg_rating",
            markers=True,
            labels={"day": "", "avg_rating": "Average rating"},
        )
        chart_with_data(trend, view.daily, "ratings-per-day", "sat_daily", "Average rating per day")
        left, right = st.columns(2)
        with left:
            opt = px.bar(
                view.by_delivery_option,
                x="delivery_option",
                y="avg_rating",
                hover_data=["reviews", "csat", "nps"],
            )
            chart_with_data(
                opt,
                view.by_delivery_option,
                "satisfaction-by-delivery-option",
                "sat_option",
                "By delivery option",
            )
        with right:
            punct = px.bar(
                view.by_punctuality,
                x="punctuality",
                y="avg_rating",
                hover_data=["reviews", "csat", "nps"],
            )
            chart_with_data(
                punct,
                view.by_punctuality,
                "satisfaction-by-punctuality",
                "sat_punct",
                "On time vs late",
            )
        st.subheader("Latest comments")
        data_table(view.comments, "latest-comments", "comments")
