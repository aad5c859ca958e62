"""AppTest for the KPI pages on the hand-computed shop (tests/core/metrics/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from core.auth import Role
from dashboard import state
from dashboard.components.mdtext import md
from tests.core.metrics.conftest import build
from tests.pages.conftest import PageRunner

FEB = {
    "start": dt.date(2024, 2, 1),
    "end": dt.date(2024, 2, 29),
    "countries": [],
    "delivery_options": [],
    "channels": [],
    "segments": [],
}
PAGES = ["revenue.py", "retention.py", "satisfaction.py", "delivery.py", "workflow_impact.py"]


def _metrics(at: object) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}  # type: ignore[attr-defined]


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_on_an_empty_shop(run_page: PageRunner, page: str) -> None:
    at = run_page(page, role=Role.MANAGER)
    assert not at.exception
    assert not at.error


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_with_data(run_page: PageRunner, app_db: Engine, page: str) -> None:
    build(app_db)
    at = run_page(page, role=Role.ANALYST, **{state.FILTERS: dict(FEB)})
    assert not at.exception
    assert not at.error
    assert at.session_state[state.FILTERS]["start"] == dt.date(2024, 2, 1)


def test_revenue_values_and_downloads_by_role(run_page: PageRunner, app_db: Engine) -> None:
    build(app_db)
    at = run_page("revenue.py", role=Role.ANALYST, **{state.FILTERS: dict(FEB)})
    values = _metrics(at)
    assert values["Gross revenue"] == "€150.00" and values["Net revenue"] == "€100.00"
    assert len(at.get("download_button")) >= 6
    manager = run_page("revenue.py", role=Role.MANAGER, **{state.FILTERS: dict(FEB)})
    assert not manager.exception and len(manager.get("download_button")) == 0


def test_filters_apply_and_persist(run_page: PageRunner, app_db: Engine) -> None:
    build(app_db)
    at = run_page("revenue.py", role=Role.ANALYST, **{state.FILTERS: dict(FEB)})
    at.multiselect(key="filters.channels").select("mobile").run()
    assert not at.exception
    assert _metrics(at)["Gross revenue"] == "€50.00"
    assert at.session_state[state.FILTERS]["channels"] == ["mobile"]
    at.date_input(key="filters.dates").set_value((dt.date(2024, 1, 1), dt.date(2024, 1, 31))).run()
    assert at.session_state[state.FILTERS]["end"] == dt.date(2024, 1, 31)
    assert _metrics(at)["Gross revenue"] == "€0.00"


def test_satisfaction_and_delivery_values(run_page: PageRunner, app_db: Engine) -> None:
    build(app_db)
    jan_feb = dict(FEB, start=dt.date(2024, 1, 1))
    sat = _metrics(run_page("satisfaction.py", role=Role.MANAGER, **{state.FILTERS: jan_feb}))
    assert sat["Average rating"] == "3.50 ★" and sat["CSAT"] == "50%" and sat["NPS"] == "+0"
    page = run_page("delivery.py", role=Role.MANAGER, **{state.FILTERS: jan_feb})
    assert _metrics(page)["On-time delivery rate"] == "50.0%"
    frames = [d.value.rename(columns=lambda c: str(c).lower()) for d in page.dataframe]
    kept = next(f for f in frames if "kept" in f.columns)
    delivered, on_time = (kept[c].astype(int).sum() for c in ("delivered", "kept"))
    assert (delivered, on_time) == (4, 2)  # the 50.0% above


def test_retention_cohort_table(run_page: PageRunner, app_db: Engine) -> None:
    build(app_db)
    at = run_page(
        "retention.py", role=Role.ANALYST, **{state.FILTERS: dict(FEB, end=dt.date(2024, 3, 31))}
    )
    assert _metrics(at)["Median time between orders"] == "34 days"  # 34.5 rounds to even
    tables = [d.value for d in at.dataframe]
    cohorts = next(t for t in tables if "Cohort" in t.columns and "Customers" in t.columns)
    assert list(cohorts["Cohort"]) == ["2024-01", "2024-02"]
    assert list(cohorts["Month 1 retention"]) == ["50.0%", "0.0%"]


def test_workflow_impact_funnel_and_lift(run_page: PageRunner, app_db: Engine) -> None:
    from sqlalchemy.orm import Session

    from core.models import Enrolment, Message, Workflow
    from tests.core.metrics.conftest import utc

    shop = build(app_db)
    with Session(app_db) as s:
        wf = Workflow(name="Second order thanks", draft={})
        s.add(wf)
        s.flush()
        for i, key in enumerate("ABCD"):
            s.add(
                Enrolment(
                    dedupe_key=key,
                    workflow_id=wf.id,
                    version=1,
                    customer_id=shop.ids[key],
                    trigger="placed",
                    trigger_at=utc(2024, 1, 1),
                    is_holdout=i % 2 == 1,
                    entered_at=utc(2024, 1, 1),
                )
            )
        s.add(
            Message(
                idempotency_key="m",
                workflow_id=wf.id,
                customer_id=shop.ids["A"],
                step_id="mail",
                state="sent",
                due_at=utc(2024, 1, 8),
                queued_at=utc(2024, 1, 8),
                sent_at=utc(2024, 1, 8),
                variant="B",
            )
        )
        s.commit()
    jan_feb = dict(FEB, start=dt.date(2024, 1, 1))
    at = run_page("workflow_impact.py", role=Role.MANAGER, **{state.FILTERS: jan_feb})
    assert not at.exception and not at.error
    cards = _metrics(at)
    assert cards["Enrolled"] == "4" and cards["Messages sent"] == "1"
    assert cards["Held out"] == "2" and cards["Attributed revenue"].startswith("EUR ")
    readings = " ".join(m.value for m in at.markdown)
    # one plain sentence per workflow, in the store currency, with the 95% range and groups
    assert "Second order thanks brought about" in readings or "changed revenue by" in readings
    assert md("per customer (95% range") in readings and "EUR" in readings
    assert "comparing 2 customers who got messages with 2 held out" in readings
    assert md("Not proven yet:") in readings  # two customers per arm prove nothing
    assert "Welch" not in readings and "bootstrap" not in readings  # detail stays in the expander
    assert len([c for c in at.get("plotly_chart")]) >= 3  # one chart per measure
    detail = next(e for e in at.expander if e.label == "Statistical detail")
    assert "Welch t interval" in list(detail.dataframe[0].value["Method"])
    at.number_input(key="impact_window").set_value(30).run()
    assert not at.exception

    from core import settings as store_settings
    from core.builder import overview
    from tests.pages.conftest import as_role

    with Session(app_db) as s:
        table = overview.workflow_table(
            s, as_role(Role.MANAGER), overview.Period(jan_feb["start"], jan_feb["end"]),
            store_settings.load(s),
        )  # fmt: skip
    row = table.set_index("name").loc["Second order thanks"]
    assert (str(row["enrolled"]), str(row["sent"]), str(row["converted"])) == (
        cards["Enrolled"],
        cards["Messages sent"],
        cards["Converted"],
    )  # the same definition on both pages
