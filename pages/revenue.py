"""Revenue: gross and net over time, and by country, channel, delivery option and currency."""

import altair as alt
import pandas as pd
import plotly.express as px
import streamlit as st

from core.metrics import views
from core.metrics.types import Filters, Period
from dashboard import resources
from dashboard.components.charts import chart_with_data, empty_note
from dashboard.components.feedback import errors_shown
from dashboard.components.kpi_cards import format_kpi
from dashboard.components.readable import month_label, words
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Computing revenue...", max_entries=32)
def load(period: Period, filters: Filters, version: int) -> views.RevenueView:
    return views.revenue_view(resources.engine(), period, filters)


def share_bar(frame: pd.DataFrame, dimension: str, cur: str) -> alt.Chart:
    chart: alt.Chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("gross_revenue:Q", title=f"Gross revenue ({cur})"),
            y=alt.Y(f"{dimension}:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip(f"{dimension}:N", title=words(dimension)),
                alt.Tooltip("orders:Q", title="Orders", format=","),
                alt.Tooltip("gross_revenue:Q", title=f"Gross revenue ({cur})", format=",.2f"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
    )
    return chart


st.title("Revenue")
with errors_shown():
    period, filters = global_filters()
    view = load(period, filters, resources.data_version())
    locale, s, cur = resources.settings().default_locale, view.summary, view.currency
    st.caption(
        f"{period}, in {cur}. Gross = order totals as charged (after discounts and coupons); "
        "net = gross - refunds (on the refund date). Discounts and coupon cost are already "
        "inside the totals: shown as their own figures, never subtracted again. Cancelled and "
        "test orders excluded."
    )
    cards = [
        ("Gross revenue", "gross_revenue", s.gross_revenue),
        ("Net revenue", "net_revenue", s.net_revenue),
        ("AOV (gross)", "aov", s.aov),
        ("Refunds (by refund date)", "net_revenue", s.refunds),
        ("Discounts (on orders)", "net_revenue", s.discounts),
        ("Coupon cost (workflow coupons redeemed)", "net_revenue", s.coupon_cost),
        ("Purchase frequency", "avg", s.purchase_frequency),
        ("AOV (net)", "aov", s.net_aov),
    ]
    for start in (0, 4):
        for column, (label, kind, value) in zip(
            st.columns(4), cards[start : start + 4], strict=True
        ):
            column.metric(label, format_kpi(kind, value, cur, locale), border=True)
    if not empty_note(view.daily[view.daily["orders"] > 0], "orders"):
        daily = px.line(
            view.daily,
            x="day",
            y=["gross_revenue", "net_revenue"],
            labels={"value": cur, "day": "", "variable": ""},
        )
        daily.update_yaxes(tickformat=",.0f")
        chart_with_data(daily, view.daily, "revenue-per-day", "rev_daily", "Revenue per day")
        if view.daily["partial"].any():
            st.caption("The last day is today: its figures are partial (the day is not over).")
        months = view.monthly.assign(
            label=[
                month_label(m, p)
                for m, p in zip(view.monthly["month"], view.monthly["partial"], strict=True)
            ]
        )
        monthly = px.bar(
            months,
            x="label",
            y="net_revenue",
            text_auto=",.0f",
            labels={"net_revenue": f"Net revenue ({cur})", "label": "Month"},
        )
        monthly.update_xaxes(type="category")
        monthly.update_yaxes(tickformat=",.0f")
        chart_with_data(
            monthly, view.monthly, "revenue-per-month", "rev_monthly", "Net revenue per month"
        )
        left, right = st.columns(2)
        with left:
            chart_with_data(
                share_bar(view.by_country, "country", cur),
                view.by_country,
                "revenue-by-country",
                "rev_country",
                "By country",
            )
            chart_with_data(
                share_bar(view.by_delivery_option, "delivery_option", cur),
                view.by_delivery_option,
                "revenue-by-delivery-option",
                "rev_option",
                "By delivery option",
            )
        with right:
            chart_with_data(
                share_bar(view.by_channel, "channel", cur),
                view.by_channel,
                "revenue-by-channel",
                "rev_channel",
                "By channel",
            )
            pie = px.pie(
                view.by_currency,
                names="currency",
                values="gross_revenue",
                labels={"gross_revenue": f"Gross revenue ({cur})", "currency": "Currency"},
            )
            chart_with_data(
                pie,
                view.by_currency,
                "revenue-by-currency",
                "rev_currency",
                f"By order currency (converted to {cur})",
            )
