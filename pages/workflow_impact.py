"""Workflow impact: in plain words first (what each workflow brought per customer, with its 95%
range, and what it still needs when not proven), then the shared counts, the lift charts and the
statistical detail."""

import streamlit as st

from core.metrics import workflows
from core.metrics.impact import Impact
from core.metrics.types import Period
from dashboard import resources
from dashboard.components.charts import data_table
from dashboard.components.feedback import errors_shown
from dashboard.components.impact_view import (
    at_a_glance,
    count_cards,
    funnel_section,
    lift_section,
)
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Measuring the workflow...", max_entries=32)
def load(workflow_id: int, period: Period, window: int, version: int) -> workflows.WorkflowReport:
    return workflows.report(resources.engine(), workflow_id, period, window)


@st.cache_data(show_spinner="Measuring every workflow...", max_entries=8)
def glance(window: int, version: int) -> list[Impact]:
    return workflows.impacts(resources.engine(), window)


@st.cache_data(show_spinner=False)
def choices(version: int) -> list[tuple[int, str]]:
    return workflows.workflow_ids(resources.engine())


st.title("Workflow impact")
with errors_shown():
    period, _ = global_filters()
    version = resources.data_version()
    options = choices(version)
    if not options:
        st.info("No workflow yet: create one on the Workflows page.", icon=":material/info:")
        st.stop()
    currency = resources.settings().currency
    window = int(
        st.number_input(
            "Follow customers for (days after entering)",
            7,
            365,
            workflows.DEFAULT_LIFT_WINDOW_DAYS,
            key="impact_window",
            help="Messaged and held-out customers are compared over this many days.",
        )
    )
    at_a_glance(glance(window, version))
    st.divider()
    names = dict(options)
    picked = st.selectbox(
        "Workflow", list(names), format_func=lambda i: f"{names[i]} (#{i})", key="impact_workflow"
    )
    report = load(int(picked), period, window, version)
    count_cards(report, period, currency)
    lift_section(report, currency, window)
    funnel_section(report)
    with st.expander("Steps"):
        data_table(report.steps.round(4), f"workflow-{picked}-steps", "impact_steps_table")
