"""Retention: cohort heatmap, repeat purchase rate over time, time between orders, segments."""

import altair as alt
import plotly.express as px
import streamlit as st

from core.metrics import views
from core.metrics.types import Filters, Period, RetentionView
from dashboard import resources
from dashboard.components.charts import chart_with_data, empty_note
from dashboard.components.feedback import errors_shown
from dashboard.components.readable import month_label
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Computing retention...", max_entries=32)
def load(period: Period, filters: Filters, version: int) -> RetentionView:
    return views.retention_view(resources.engine(), period, filters)


st.title("Retention")
with errors_shown():
    period, filters = global_filters()
    view = load(period, filters, resources.data_version())
    st.caption(
        f"History up to {period.end}; months in the store's time zone. A customer is one "
        "customer id; cancelled and test orders excluded."
    )
    cards = st.columns(3)
    rate = "–" if view.repeat_rate is None else f"{view.repeat_rate:.1%}"
    cards[0].metric("Repeat purchase rate in the period", rate, border=True)
    gap = "–" if view.median_gap is None else f"{view.median_gap:.0f} days"
    cards[1].metric("Median time between orders", gap, border=True)
    cards[2].metric("Cohorts", len(view.cohorts), border=True)
    if not empty_note(view.cohorts, "orders"):
        shares = view.cohorts.drop(columns="customers")
        shares.index = [month_label(c) for c in shares.index]
        heat = px.imshow(
            shares,
            text_auto=".0%",
            aspect="auto",
            color_continuous_scale="Blues",
            labels={"x": "Months since first order", "y": "First-order month", "color": "Retained"},
        )
        table = view.cohorts.reset_index()
        table.columns = [
            c if c in ("cohort", "customers") else f"Month {c} retention" for c in table.columns
        ]
        chart_with_data(
            heat,
            table,
            "cohort-retention",
            "cohorts",
            "Cohort retention (share of the cohort ordering k months later; future cells and the "
            "month in progress empty)",
        )
        repeat = view.repeat_by_month.assign(
            month=[
                month_label(m, p)
                for m, p in zip(
                    view.repeat_by_month["month"], view.repeat_by_month["partial"], strict=True
                )
            ]
        )
        line = (
            alt.Chart(repeat)
            .mark_line(point=True)
            .encode(
                x=alt.X("month:O", title=None, sort=None),
                y=alt.Y("repeat_rate:Q", axis=alt.Axis(format="%"), title="Repeat purchase rate"),
                tooltip=[
                    alt.Tooltip("month:O", title="Month"),
                    alt.Tooltip("customers:Q", title="Customers", format=","),
                    alt.Tooltip("repeat_customers:Q", title="Repeat customers", format=","),
                    alt.Tooltip("repeat_rate:Q", title="Repeat purchase rate", format=".1%"),
                ],
            )
        )
        chart_with_data(
            line,
            view.repeat_by_month,
            "repeat-rate-by-month",
            "repeat",
            "Repeat purchase rate over time (customers so far with 2+ orders)",
        )
        hist = px.histogram(
            view.gaps,
            x="days",
            y="count",
            histfunc="sum",
            nbins=60,
            labels={"days": "Days between orders", "count": "Gaps"},
        )
        hist.update_yaxes(title="Gaps")
        chart_with_data(
            hist,
            view.gaps,
            "days-between-orders",
            "gaps",
            "Time between orders (same-day orders merged)",
        )
        monthly = view.monthly_retention.assign(
            month=[
                month_label(m, p)
                for m, p in zip(
                    view.monthly_retention["month"], view.monthly_retention["partial"], strict=True
                )
            ]
        )
        churn = px.line(
            monthly, x="month", y=["retention", "churn"], labels={"value": "", "month": ""}
        )
        churn.update_xaxes(type="category")
        churn.update_yaxes(tickformat=".0%")
        chart_with_data(
            churn,
            view.monthly_retention,
            "monthly-retention",
            "monthly",
            "Monthly retention and churn (active = ordered that month; the month in progress is "
            "left out)",
        )
        if not view.segments.empty:
            seg = px.bar(
                view.segments, x="segment", y="customers", hover_data=["share", "avg_monetary"]
            )
            chart_with_data(
                seg, view.segments, "rfm-segments", "segments", f"RFM segments on {period.end}"
            )
