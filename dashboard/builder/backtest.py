"""The backtest panel: what the workflow would have done over a chosen period of history."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from core.auth import Action, Actor, require
from core.engine.backtest import BacktestReport, backtest
from dashboard import resources
from dashboard.builder.state import Working
from dashboard.components.download import csv_download

RESULT = "builder.backtest"
PERIOD = "builder.backtest_days"
PERIODS = {
    30: "Last 30 days",
    90: "Last 90 days",
    180: "Last 6 months",
    365: "Last year",
    730: "Last 2 years",
}


def _chart(weekly: pd.DataFrame) -> None:
    if weekly.empty:
        return
    chart = (
        alt.Chart(weekly.assign(week=pd.to_datetime(weekly["week"])))
        .mark_bar(color="#0284C7")
        .encode(
            x=alt.X("week:T", title="Week"),
            y=alt.Y("enrolments:Q", title="Enrolments"),
            tooltip=[alt.Tooltip("week:T", title="Week of"), "enrolments:Q"],
        )
        .properties(height=220)
    )
    st.altair_chart(chart, width="stretch", key="builder.backtest_chart")


def _show(report: BacktestReport) -> None:
    st.caption(
        f"{report.since:%Y-%m-%d} to {report.until:%Y-%m-%d} · what would have happened "
        "(waits add their duration; the frequency cap is counted within this workflow; exit "
        "conditions are not replayed; the projected issued value counts every coupon issued under "
        "the budget cap, used or not)."
    )
    projected = int(report.messages["projected"].sum()) if len(report.messages) else 0
    a, b, c, d, e = st.columns(5)
    a.metric("Trigger events", f"{report.triggered:,}")
    b.metric("Would enrol", f"{report.enrolled:,}")
    c.metric("Holdout", f"{report.holdout:,}")
    d.metric("Projected sends", f"{projected:,}")
    e.metric("Projected issued value", f"{report.projected_issued_value:,.2f} {report.currency}")
    _chart(report.by_week)
    left, right = st.columns(2)
    with left:
        st.markdown("**Customers per step**")
        st.dataframe(report.steps, hide_index=True, width="stretch", key="builder.bt_steps")
        if len(report.branches):
            st.markdown("**Per branch or path**")
            st.dataframe(
                report.branches, hide_index=True, width="stretch", key="builder.bt_branches"
            )
    with right:
        st.markdown("**Messages after holdout, consent and the frequency cap**")
        st.dataframe(report.messages, hide_index=True, width="stretch", key="builder.bt_messages")
        st.markdown("**Overlap with other active workflows**")
        if report.overlap.empty:
            st.caption("No customer of this backtest was in another active workflow then.")
        else:
            st.dataframe(report.overlap, hide_index=True, width="stretch", key="builder.bt_overlap")
    if len(report.by_week):
        csv_download(
            report.by_week,
            "backtest-weekly",
            key="builder.bt_csv",
            label="Download weekly enrolments (CSV)",
        )


def backtest_panel(actor: Actor, work: Working) -> None:
    require(actor, Action.VIEW_WORKFLOWS)
    pick, run, _ = st.columns([2, 1, 3], vertical_alignment="bottom")
    days = pick.selectbox(
        "Period of history", list(PERIODS), index=3, key=PERIOD, format_func=PERIODS.__getitem__
    )
    if run.button(
        "Run backtest", key="builder.backtest_run", icon=":material/query_stats:", type="primary"
    ):
        with st.spinner("Replaying the order history..."), resources.session() as s:
            st.session_state[RESULT] = (
                work.definition.model_dump_json(),
                backtest(s, work.definition, days=int(days), workflow_id=work.workflow_id),
            )
    kept = st.session_state.get(RESULT)
    if kept and hasattr(kept[1], "by_week"):  # by shape: modules may be re-imported
        if kept[0] != work.definition.model_dump_json():
            st.info("The workflow changed since this backtest: run it again to update.")
        _show(kept[1])
