"""Honest periods: a month, week or day that is not over yet (it contains today, or the chosen
period ends inside it) is partial. Partial rows are marked, and their rates are left out (NaN):
a one-day-old month would otherwise show 97% churn, a two-day week 100% on time."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def store_today(tz: dt.tzinfo, now: dt.datetime | None = None) -> dt.date:
    """Today in the store's time zone (partial periods are judged against it)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(tz).date()


def last_complete_day(today: dt.date, period_end: dt.date) -> dt.date:
    """The last day whose data is complete: yesterday, or the period's end if earlier."""
    return min(today - dt.timedelta(days=1), period_end)


def month_end(label: str) -> dt.date:
    """Last day of a ``YYYY-MM`` month."""
    first = dt.date.fromisoformat(f"{label}-01")
    return (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()


def last_complete_month(today: dt.date, period_end: dt.date) -> str:
    """``YYYY-MM`` of the last month that is over (for the cohort triangle's last diagonal)."""
    done = last_complete_day(today, period_end)
    label = done.strftime("%Y-%m")
    return (
        label
        if month_end(label) == done
        else (done.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    )


def mark_months(
    frame: pd.DataFrame, today: dt.date, period_end: dt.date, rates: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Add ``partial`` to a frame with a ``month`` (``YYYY-MM``) column; blank ``rates`` there."""
    done = last_complete_day(today, period_end)
    out = frame.copy()
    out["partial"] = [month_end(str(m)) > done for m in out["month"]] if len(out) else []
    for column in rates:
        out[column] = out[column].astype("float64").where(~out["partial"].astype(bool))
    return out


def mark_weeks(
    frame: pd.DataFrame, today: dt.date, period_end: dt.date, rates: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Add ``partial`` to a frame with a ``week`` column (its Monday); blank ``rates`` there."""
    done = pd.Timestamp(last_complete_day(today, period_end))
    out = frame.copy()
    ends = pd.to_datetime(out["week"]) + pd.Timedelta(days=6)
    out["partial"] = (ends > done).to_numpy(dtype=bool) if len(out) else []
    for column in rates:
        out[column] = out[column].astype("float64").where(~out["partial"].astype(bool))
    return out


def mark_days(frame: pd.DataFrame, today: dt.date, column: str = "day") -> pd.DataFrame:
    """Add ``partial`` to a daily frame: today is not over."""
    out = frame.copy()
    out["partial"] = (pd.to_datetime(out[column]).dt.date >= today).to_numpy(dtype=bool)
    return out
