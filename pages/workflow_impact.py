"""Workflow impact: funnel per workflow and step, A/B branches, and holdout lift with honest
intervals (an interval that crosses zero reads "not proven yet")."""

from typing import cast

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core.metrics import workflows
from core.metrics.types import Period
from dashboard import resources
from dashboard.components.charts import chart_with_data, data_table
from dashboard.components.feedback import errors_shown
from dashboard.components.lift_chart import lift_figure, lift_frame
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Measuring the workflow...", max_entries=32)
def load(workflow_id: int, period: Period, window: int, version: int) -> workflows.WorkflowReport:
    return workflows.report(resources.engine(), workflow_id, period, window)


@st.cache_data(show_spinner=False)
def choices(version: int) -> list[tuple[int, str]]:
    return workflows.workflow_ids(resources.engine())


st.title("Workflow impact")
with errors_shown():
    period, _ = global_filters()
    options = choices(resources.data_version())
    if not options:
        st.info("No workflow yet: create one on the Workflows page.", icon=":material/info:")
        st.stop()
    names = dict(options)
    picked = st.selectbox(
        "Workflow", list(names), format_func=lambda i: f"{names[i]} (#{i})", key="impact_workflow"
    )
    window = st.number_input(
        "Lift window (days after entry)",
        7,
        365,
        workflows.DEFAULT_LIFT_WINDOW_DAYS,
        key="impact_window",
    )
    report = load(int(picked), period, int(window), resources.data_version())
    f = report.funnel
    st.caption(
        f"Messages queued {period}. Attribution: last touch within {report.window_days} days, "
        "net of refunds and coupon cost. Lift: treated vs holdout, intention-to-treat."
    )
    cards = st.columns(6)
    labels = {"coupon_cost": "Value of redeemed coupons"}
    for col, key in zip(
        cards,
        ["enrolled", "sent", "suppressed", "converted", "attributed_revenue", "coupon_cost"],
        strict=True,
    ):
        value = f[key]
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        label = labels.get(key, key.replace("_", " ").capitalize())
        col.metric(label, shown, border=True)
    stage_names = ["enrolled", "sent", "converted"]
    counts = [cast(int, f[n]) for n in stage_names]
    stages = pd.DataFrame({"stage": stage_names, "count": counts})
    funnel = go.Figure(go.Funnel(y=stages["stage"], x=stages["count"]))
    chart_with_data(funnel, stages, f"workflow-{picked}-funnel", "impact_funnel", "Funnel")
    by_reason = cast(dict[str, int], f["suppressed_by_reason"])
    if by_reason:
        reasons = pd.DataFrame({"reason": list(by_reason), "messages": list(by_reason.values())})
        bars = px.bar(reasons, x="reason", y="messages")
        chart_with_data(
            bars,
            reasons,
            f"workflow-{picked}-suppressed",
            "impact_reasons",
            "Suppressed messages by reason",
        )
    if not report.branches.empty:
        branch = px.bar(
            report.branches,
            x="variant",
            y="conversion_rate",
            error_y=report.branches["conversion_high"] - report.branches["conversion_rate"],
            error_y_minus=report.branches["conversion_rate"] - report.branches["conversion_low"],
        )
        chart_with_data(
            branch,
            report.branches,
            f"workflow-{picked}-branches",
            "impact_branches",
            "A/B branches (conversion with 95% interval)",
        )
    st.subheader("Holdout lift")
    if report.lift is None:
        st.info(
            f"Not measurable yet: it needs treated and holdout customers whose {int(window)}-day "
            "window has ended.",
            icon=":material/hourglass_empty:",
        )
    else:
        table = lift_frame(report.lift)
        chart_with_data(lift_figure(table), table, f"workflow-{picked}-lift", "impact_lift")
        for row in table.itertuples():
            st.markdown(f"**{row.measure}**: {row.verdict}")
        if report.lift.needed_per_arm:
            st.caption(
                f"To detect the observed conversion lift reliably: about "
                f"{report.lift.needed_per_arm:,} customers per arm (5% two-sided, 80% power)."
            )
    with st.expander("Steps"):
        data_table(report.steps, f"workflow-{picked}-steps", "impact_steps_table")
