"""Overview: the shop's vital signs for a period, against the previous period."""

import plotly.express as px
import streamlit as st

from core.metrics import overview as kpi_overview
from core.metrics.types import KPI_LABELS, Filters, OverviewResult, Period
from dashboard import resources
from dashboard.components.charts import chart_with_data
from dashboard.components.feedback import errors_shown
from dashboard.components.kpi_cards import kpi_card
from dashboard.filters import global_filters


@st.cache_data(show_spinner="Computing KPIs...", max_entries=32)
def load(period: Period, filters: Filters, version: int) -> OverviewResult:
    return kpi_overview.overview(resources.engine(), period, filters)


SHORT_LABELS = {"repeat_rate": "Repeat rate", "on_time_rate": "On-time rate", "csat": "CSAT"}

st.title("Overview")
with errors_shown():
    period, filters = global_filters()
    settings = resources.settings()
    result = load(period, filters, resources.data_version())
    st.caption(
        f"{period} compared with {result.previous_period}. Amounts in {result.currency}, "
        "gross unless marked net; cancelled and test orders excluded."
    )
    locale = settings.default_locale
    for row_start in range(0, len(KPI_LABELS), 5):
        columns = st.columns(5)
        for column, (kpi, label) in zip(
            columns, list(KPI_LABELS.items())[row_start : row_start + 5], strict=False
        ):
            with column:
                series = result.daily.get(kpi)
                kpi_card(
                    SHORT_LABELS.get(kpi, label),
                    kpi,
                    result.current.get(kpi),
                    result.delta(kpi),
                    series,
                    result.currency,
                    locale,
                    help_text=label,
                )

    daily = result.daily.reset_index(names="date")
    figure = px.bar(
        daily,
        x="date",
        y="gross_revenue",
        labels={"gross_revenue": f"Gross revenue ({result.currency})", "date": ""},
    )
    figure.add_scatter(x=daily["date"], y=daily["net_revenue"], name="Net revenue", mode="lines")
    figure.update_layout(
        height=360, margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h"}
    )
    chart_with_data(figure, daily, "overview-daily", key="overview", title="Revenue per day")
