"""The backtest panel: what the workflow would have done over a chosen period of history."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from core.auth import Actor
from core.builder.backtest import BacktestReport, backtest
from dashboard import resources
from dashboard.components.builder_state import Working
from dashboard.components.download import csv_download

RESULT = "builder.backtest"
PERIOD = "builder.backtest_period"


def _chart(weekly: pd.DataFrame) -> None:
    if weekly.empty:
        return
    data = weekly.assign(treated=weekly["enrolled"] - weekly["holdout"]).melt(
        id_vars="week", value_vars=["treated", "holdout"], var_name="group", value_name="customers"
    )
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("customers:Q", title="Enrolments"),
            color=alt.Color("group:N", scale=alt.Scale(range=["#0284C7", "#CBD5E1"]), title=None),
            tooltip=["week:T", "group:N", "customers:Q"],
        )
        .properties(height=220)
    )
    st.altair_chart(chart, width="stretch", key="builder.backtest_chart")


def _show(report: BacktestReport) -> None:
    st.caption(
        f"{report.since} to {report.until} · counts are what would have happened; "
        "the frequency cap is counted within this workflow; coupon cost assumes every "
        "coupon is used."
    )
    a, b, c, d, e = st.columns(5)
    a.metric("Trigger events", f"{report.triggered:,}")
    b.metric("Would enrol", f"{report.enrolled:,}")
    c.metric("Holdout", f"{report.holdout:,}")
    d.metric("Projected sends", f"{report.projected_sends:,}")
    e.metric(
        "Coupon cost",
        f"{report.coupon_cost:,.2f} {report.currency}",
        help=f"{report.coupons:,} coupons",
    )
    _chart(report.weekly)
    left, right = st.columns(2)
    with left:
        st.markdown("**Customers per step**")
        st.dataframe(report.steps, hide_index=True, width="stretch", key="builder.bt_steps")
        if len(report.branches):
            st.markdown("**Per branch**")
            st.dataframe(
                report.branches, hide_index=True, width="stretch", key="builder.bt_branches"
            )
    with right:
        st.markdown("**Messages after consent, caps and holdout**")
        st.dataframe(report.messages, hide_index=True, width="stretch", key="builder.bt_messages")
        st.markdown("**Overlap with other active workflows**")
        if report.overlap.empty:
            st.caption("No customer of this backtest was in another active workflow then.")
        else:
            st.dataframe(report.overlap, hide_index=True, width="stretch", key="builder.bt_overlap")
    if len(report.weekly):
        csv_download(
            report.weekly,
            "backtest-weekly",
            key="builder.bt_csv",
            label="Download weekly enrolments (CSV)",
        )


def backtest_panel(actor: Actor, work: Working) -> None:
    today = dt.datetime.now(resources.settings().tz).date()
    period = st.date_input(
        "Period of history", (today - dt.timedelta(days=365), today), key=PERIOD, max_value=today
    )
    if st.button(
        "Run backtest", key="builder.backtest_run", icon=":material/query_stats:", type="primary"
    ):
        start, end = (
            (period[0], period[-1]) if isinstance(period, tuple) and period else (today, today)
        )
        with st.spinner("Replaying the order history..."), resources.session() as s:
            st.session_state[RESULT] = (
                work.definition.model_dump_json(),
                backtest(s, actor, work.definition, start, end, workflow_id=work.workflow_id),
            )
    kept = st.session_state.get(RESULT)
    if kept and isinstance(kept[1], BacktestReport):
        if kept[0] != work.definition.model_dump_json():
            st.info("The workflow changed since this backtest: run it again to update.")
        _show(kept[1])
