"""The Workflow impact page's sections: plain-words proof first, then counts, charts and detail."""

from __future__ import annotations

from typing import cast

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.metrics import workflows
from core.metrics.impact import Impact, money_text, sentence
from core.metrics.types import Period
from dashboard.components.charts import chart_with_data, data_table
from dashboard.components.lift_chart import interval_figure, lift_frame, measures
from dashboard.components.mdtext import md

ICONS = {True: ":material/verified:", False: ":material/hourglass_top:"}


def at_a_glance(impacts: list[Impact]) -> None:
    """One sentence per workflow, proven ones marked."""
    st.subheader("At a glance")
    if not impacts:
        st.info("No active or draft workflow to measure yet.", icon=":material/info:")
        return
    for item in impacts:
        proven = bool(item.revenue is not None and item.revenue.proven)
        st.markdown(f"{ICONS[proven]} {md(sentence(item))}")


def count_cards(report: workflows.WorkflowReport, period: Period, currency: str) -> None:
    """The shared counts of :func:`core.metrics.workflows.period_counts`, each with its population."""
    f = report.funnel
    st.caption(
        f"Counts for {period.start:%d %b %Y} to {period.end:%d %b %Y}, the same numbers as the "
        "Workflows table. Hover a card for what it counts."
    )
    cols = st.columns(5)
    for col, key in zip(cols, workflows.COUNT_COLUMNS, strict=True):
        value = cast(float, f[key])
        shown = money_text(value, currency) if key == "attributed_revenue" else f"{int(value):,}"
        col.metric(workflows.COUNT_LABELS[key], shown, help=workflows.COUNT_HELP[key], border=True)
    st.metric(
        "Value of redeemed coupons",
        money_text(cast(float, f["coupon_cost"]), currency),
        help=(
            "What this workflow's coupons took off the orders that used them (every recorded use, "
            "flagged ones included): its coupon cost, from real redemptions, not issued codes."
        ),
        border=True,
    )
    st.caption(
        f"Converted and attributed revenue: last touch within {report.window_days} days of a "
        "message; revenue is net of refunds (order totals already contain discounts and "
        "coupons, so the coupon value above is shown beside it, not subtracted)."
    )


def lift_section(report: workflows.WorkflowReport, currency: str, window: int) -> None:
    st.subheader("Messaged vs held out")
    if report.impact is not None:
        st.markdown(md(sentence(report.impact)))
    if report.lift is None:
        return
    for i, measure in enumerate(measures(report.lift, currency)):
        st.plotly_chart(interval_figure(measure), key=f"impact_lift_{i}")
    with st.expander("Statistical detail", icon=":material/functions:"):
        lift = report.lift
        st.markdown(
            f"Intention-to-treat over {lift.window_days} days after entry: {lift.treated:,} "
            f"messaged and {lift.control:,} held-out customers (first entry, window ended). "
            f"Ordered at least once: {lift.treated_conversion:.1%} vs "
            f"{lift.control_conversion:.1%}. Revenue per customer: "
            f"{money_text(lift.treated_rpc, currency)} vs {money_text(lift.control_rpc, currency)}."
        )
        data_table(lift_frame(lift, currency), f"workflow-{report.workflow_id}-lift", "impact_lift")
        if lift.needed_per_arm:
            st.caption(
                f"Sample size for the observed conversion lift: about {lift.needed_per_arm:,} "
                "customers per group (two-sided test at 5%, 80% power). The plain sentence uses "
                "the same test for revenue per customer, keeping today's split between groups."
            )


def funnel_section(report: workflows.WorkflowReport) -> None:
    f = report.funnel
    names = {"enrolled": "Enrolled", "sent": "Messages sent", "converted": "Converted"}
    stages = pd.DataFrame(
        {"stage": list(names.values()), "count": [cast(int, f[n]) for n in names]}
    )
    funnel = go.Figure(go.Funnel(y=stages["stage"], x=stages["count"], texttemplate="%{x:,}"))
    funnel.update_layout(height=300, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    wid = report.workflow_id
    chart_with_data(funnel, stages, f"workflow-{wid}-funnel", "impact_funnel", "Funnel")
    by_reason = cast(dict[str, int], f["suppressed_by_reason"])
    if by_reason:
        reasons = pd.DataFrame(
            {
                "reason": [r.replace("_", " ").capitalize() for r in by_reason],
                "messages": list(by_reason.values()),
            }
        )
        bars = px.bar(reasons, x="reason", y="messages", text_auto=",")
        bars.update_layout(xaxis_title="Reason", yaxis_title="Messages")
        chart_with_data(
            bars, reasons, f"workflow-{wid}-suppressed", "impact_reasons", "Not sent, by reason"
        )
    if not report.branches.empty:
        b = report.branches
        branch = px.bar(
            b,
            x="variant",
            y="conversion_rate",
            error_y=b["conversion_high"] - b["conversion_rate"],
            error_y_minus=b["conversion_rate"] - b["conversion_low"],
            text_auto=".1%",
        )
        branch.update_layout(xaxis_title="Branch", yaxis_title="Conversion", yaxis_tickformat=".0%")
        chart_with_data(
            branch,
            b.round(4),
            f"workflow-{wid}-branches",
            "impact_branches",
            "A/B branches (conversion with 95% range)",
        )
