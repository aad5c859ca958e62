"""Partial periods are marked and left out of rates."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from core.metrics import partial

TODAY = dt.date(2026, 12, 1)  # the month is one day old


def test_current_month_is_partial_and_its_rates_blank() -> None:
    frame = pd.DataFrame(
        {"month": ["2026-10", "2026-11", "2026-12"], "churn": [0.4, 0.5, 0.97], "active": [9, 8, 1]}
    )
    out = partial.mark_months(frame, TODAY, dt.date(2026, 12, 31), rates=("churn",))
    assert list(out["partial"]) == [False, False, True]
    assert out["churn"].iloc[:2].tolist() == [0.4, 0.5] and pd.isna(out["churn"].iloc[2])
    assert out["active"].tolist() == [9, 8, 1]  # counts stay, only rates are left out
    cut = partial.mark_months(frame, TODAY, dt.date(2026, 11, 15), rates=("churn",))
    assert list(cut["partial"]) == [False, True, True]  # the period ends inside November


def test_current_week_and_today() -> None:
    weeks = pd.DataFrame(
        {"week": pd.to_datetime(["2026-11-23", "2026-11-30"]), "on_time_rate": [0.9, 1.0]}
    )
    out = partial.mark_weeks(weeks, TODAY, TODAY, rates=("on_time_rate",))
    assert list(out["partial"]) == [False, True] and pd.isna(out["on_time_rate"].iloc[1])
    days = pd.DataFrame({"day": pd.to_datetime(["2026-11-30", "2026-12-01"])})
    assert list(partial.mark_days(days, TODAY)["partial"]) == [False, True]


def test_cohort_triangle_stops_at_the_last_complete_month() -> None:
    assert partial.last_complete_month(TODAY, dt.date(2026, 12, 31)) == "2026-11"
    assert partial.last_complete_month(dt.date(2026, 12, 20), dt.date(2026, 11, 30)) == "2026-11"
    assert partial.last_complete_month(dt.date(2026, 12, 20), dt.date(2026, 11, 29)) == "2026-10"
