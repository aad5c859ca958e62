"""The demo's planted effect on ``second_order_thank_you`` is recovered by the holdout lift."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import demo
from core import settings as store_settings
from core.metrics import workflows
from core.models import Workflow


@pytest.mark.slow
def test_planted_effect_inside_the_interval(sqlite_engine: Engine) -> None:
    demo.load(sqlite_engine, demo.DemoOptions(seed=5, until=dt.date(2026, 6, 30)))
    with Session(sqlite_engine) as s:
        meta = store_settings.get_meta(s, store_settings.DEMO_META_KEY)
        wf_id = s.scalar(select(Workflow.id).where(Workflow.preset == "second_order_thank_you"))
    planted = meta["stats"]["planted_effect"]
    assert wf_id is not None and planted["window_days"] == 60
    report = workflows.report(
        sqlite_engine, wf_id, lift_window_days=60, as_of=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    )
    assert report.lift is not None
    assert report.lift.treated > 500 and report.lift.control > 50
    assert report.lift.conversion.covers(planted["lift_pp"] / 100)
    assert report.funnel["suppressed_by_reason"].get("holdout", 0) > 0
