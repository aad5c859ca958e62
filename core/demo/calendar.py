"""The demo's calendar: 24 months of local days in the store's time zone, as epoch seconds.

All demo timestamps are ``int64`` seconds since the epoch (UTC). Local midnights come from
pandas' time-zone database, so daylight saving changes are exact; local dates and ``YYYY-MM``
months of any instant are array look-ups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.demo.frames import NULL

PAD_DAYS = 90
"""Days after the window that promised/actual times may reach (before the cut-off drops them)."""
DAY = 86_400
HOUR = 3_600
# Share of orders placed in each local hour (0-23): quiet nights, lunch and evening peaks.
HOUR_PROFILE = np.array(
    [
        1,
        0.6,
        0.4,
        0.3,
        0.3,
        0.5,
        1,
        2,
        3,
        4,
        4.5,
        5,
        5.5,
        5,
        4.5,
        4.5,
        4.5,
        5,
        5.5,
        6.5,
        7,
        6.5,
        4.5,
        2.5,
    ]
)
MONTH_SEASON = np.array([0.85, 0.8, 0.9, 0.95, 1.0, 0.9, 0.85, 0.85, 0.95, 1.05, 1.35, 1.6])


def window_start(until: dt.date) -> dt.date:
    """First day of the 24 months ending on ``until`` (inclusive)."""
    day = min(until.day, 28) if (until.month, until.day) == (2, 29) else until.day
    return dt.date(until.year - 2, until.month, day) + dt.timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    days: int
    midnights: np.ndarray
    """Epoch seconds of local midnight for ``start + i`` days, ``i < days + PAD_DAYS + 1``."""
    cutoff: int
    """Nothing happens at or after this instant (end of ``until``, or now if earlier)."""
    months: np.ndarray
    """``YYYY-MM`` of each day index."""

    @classmethod
    def build(cls, until: dt.date, tz_name: str, now: dt.datetime) -> Calendar:
        start = window_start(until)
        days = (until - start).days + 1
        local = pd.date_range(start, periods=days + PAD_DAYS + 1, freq="D")
        midnights = local.tz_localize(tz_name).tz_convert("UTC").as_unit("s").asi8.astype(np.int64)
        cutoff = min(int(midnights[days]), int(now.timestamp()))
        months = np.asarray(local.strftime("%Y-%m"), dtype=object)
        return cls(start, days, midnights, cutoff, months)

    def day_index(self, t: np.ndarray) -> np.ndarray:
        """Local day index of each instant."""
        return np.searchsorted(self.midnights, t, side="right").astype(np.int64) - 1

    def at(self, day: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """Instants at local ``hours`` (float) on day indexes ``day`` (clipped to the table)."""
        day = np.clip(day, 0, len(self.midnights) - 1)
        return np.asarray(self.midnights[day] + np.round(hours * HOUR).astype(np.int64))

    def epoch_days(self, t: np.ndarray) -> np.ndarray:
        """Local calendar date of each instant as days since 1970-01-01 (the ``Date`` columns)."""
        base = (self.start - dt.date(1970, 1, 1)).days
        return self.day_index(t) + base

    def month(self, t: np.ndarray) -> np.ndarray:
        return np.asarray(self.months[self.day_index(t)])

    def day_weights(self, growth: float = 0.9) -> np.ndarray:
        """Relative order intensity of each window day: growth over time, seasons, weekends."""
        dates = pd.date_range(self.start, periods=self.days, freq="D")
        trend = 1.0 + growth * np.arange(self.days) / max(self.days - 1, 1)
        season = MONTH_SEASON[dates.month.to_numpy() - 1]
        weekday = np.where(dates.day_of_week.to_numpy() >= 5, 0.85, 1.0)
        last = self.day_index(np.array([self.cutoff - 1]))[0]
        weights = trend * season * weekday
        weights[last + 1 :] = 0.0
        return np.asarray(weights, dtype=np.float64)

    def sample_times(
        self, rng: np.random.Generator, low: np.ndarray, weights: np.ndarray
    ) -> np.ndarray:
        """One instant per element of ``low``, after it and before the cut-off, with day
        intensity ``weights`` and the hourly profile."""
        cum = np.concatenate([[0.0], np.cumsum(weights)])
        first_day = np.clip(self.day_index(low), 0, self.days - 1)
        u = cum[first_day] + rng.random(len(low)) * (cum[-1] - cum[first_day])
        day = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, self.days - 1)
        t = self.at(day, self.sample_hours(rng, len(low)))
        return np.asarray(np.clip(t, low + 600, self.cutoff - 1))

    @staticmethod
    def sample_hours(rng: np.random.Generator, n: int) -> np.ndarray:
        p = HOUR_PROFILE / HOUR_PROFILE.sum()
        return rng.choice(24, size=n, p=p) + rng.random(n)


def truncate(t: np.ndarray, cutoff: int) -> np.ndarray:
    """``t`` with instants at or after ``cutoff`` (and NULLs) set to NULL."""
    return np.where((t == NULL) | (t >= cutoff), NULL, t)
