"""Holdout lift statistics, pure functions over per-customer outcomes.

Intention-to-treat: every customer assigned to the workflow counts in their arm (treated or
holdout control), whatever was sent, over a fixed window after entry. Conversion lift is a
difference in proportions with Newcombe's hybrid score 95% interval (method 10, from Wilson score
intervals, good with small counts); revenue per customer lift has a Welch t interval and a
bootstrap percentile interval that resamples customers within each arm with a seeded RNG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate with a confidence interval."""

    estimate: float
    low: float
    high: float

    @property
    def proven(self) -> bool:
        """True when the interval excludes 0 (a difference is shown at this confidence)."""
        return self.low > 0 or self.high < 0

    @property
    def verdict(self) -> str:
        if not self.proven:
            return "not proven yet"
        return "positive" if self.low > 0 else "negative"

    def scaled(self, factor: float) -> Interval:
        return Interval(self.estimate * factor, self.low * factor, self.high * factor)

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


def _z(conf: float) -> float:
    return float(stats.norm.ppf(0.5 + conf / 2))


def wilson(successes: int, n: int, conf: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of a proportion ((nan, nan) when n = 0)."""
    if n == 0:
        return (math.nan, math.nan)
    z = _z(conf)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe(x1: int, n1: int, x2: int, n2: int, conf: float = CONFIDENCE) -> Interval:
    """p1 - p2 with Newcombe's hybrid score interval (NaN when an arm is empty)."""
    if n1 == 0 or n2 == 0:
        return Interval(math.nan, math.nan, math.nan)
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, conf)
    l2, u2 = wilson(x2, n2, conf)
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return Interval(d, low, high)


def welch(a: np.ndarray, b: np.ndarray, conf: float = CONFIDENCE) -> Interval:
    """mean(a) - mean(b) with a Welch t interval (NaN with fewer than 2 values per arm)."""
    if len(a) < 2 or len(b) < 2:
        return Interval(math.nan, math.nan, math.nan)
    va, vb = float(np.var(a, ddof=1)) / len(a), float(np.var(b, ddof=1)) / len(b)
    d = float(np.mean(a) - np.mean(b))
    se = math.sqrt(va + vb)
    if se == 0:
        return Interval(d, d, d)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    t = float(stats.t.ppf(0.5 + conf / 2, df))
    return Interval(d, d - t * se, d + t * se)


def bootstrap(
    a: np.ndarray,
    b: np.ndarray,
    rng: np.random.Generator,
    resamples: int = 2000,
    conf: float = CONFIDENCE,
) -> Interval:
    """mean(a) - mean(b) with a percentile bootstrap interval: customers are resampled with
    replacement within each arm."""
    if len(a) == 0 or len(b) == 0:
        return Interval(math.nan, math.nan, math.nan)
    diffs = np.empty(resamples)
    chunk = max(1, min(resamples, 2_000_000 // max(len(a), len(b))))
    for start in range(0, resamples, chunk):
        k = min(chunk, resamples - start)
        ma = a[rng.integers(0, len(a), size=(k, len(a)))].mean(axis=1)
        mb = b[rng.integers(0, len(b), size=(k, len(b)))].mean(axis=1)
        diffs[start : start + k] = ma - mb
    tail = (1 - conf) / 2 * 100
    low, high = np.percentile(diffs, [tail, 100 - tail])
    return Interval(float(np.mean(a) - np.mean(b)), float(low), float(high))


def sample_size_per_arm(
    base_rate: float, lift: float, alpha: float = 0.05, power: float = 0.8
) -> int | None:
    """Customers needed in each arm to detect an absolute conversion lift ``lift`` over
    ``base_rate`` with a two-sided test at ``alpha`` and the given power (None if impossible)."""
    p1, p2 = base_rate, base_rate + lift
    if lift == 0 or not (0 < p1 < 1) or not (0 < p2 < 1):
        return None
    za, zb = _z(1 - alpha), float(stats.norm.ppf(power))
    pbar = (p1 + p2) / 2
    top = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(top**2 / lift**2)


@dataclass(frozen=True)
class LiftResult:
    """Treated vs holdout over ``window_days`` after entry (intention-to-treat)."""

    window_days: int
    treated: int
    control: int
    treated_conversion: float
    control_conversion: float
    conversion: Interval
    treated_rpc: float
    control_rpc: float
    revenue_welch: Interval
    revenue_bootstrap: Interval
    incremental_revenue: Interval
    needed_per_arm: int | None

    def as_dict(self) -> dict[str, object]:
        def iv(i: Interval) -> dict[str, object]:
            return {"estimate": i.estimate, "low": i.low, "high": i.high, "verdict": i.verdict}

        return {
            "window_days": self.window_days,
            "treated": self.treated,
            "control": self.control,
            "treated_conversion": self.treated_conversion,
            "control_conversion": self.control_conversion,
            "conversion_lift": iv(self.conversion),
            "treated_revenue_per_customer": self.treated_rpc,
            "control_revenue_per_customer": self.control_rpc,
            "revenue_per_customer_lift_welch": iv(self.revenue_welch),
            "revenue_per_customer_lift_bootstrap": iv(self.revenue_bootstrap),
            "incremental_revenue": iv(self.incremental_revenue),
            "needed_per_arm": self.needed_per_arm,
        }


def holdout_lift(
    treated_converted: np.ndarray,
    control_converted: np.ndarray,
    treated_revenue: np.ndarray,
    control_revenue: np.ndarray,
    rng: np.random.Generator,
    window_days: int,
    target_lift: float | None = None,
) -> LiftResult:
    """Conversion and revenue-per-customer lift of treated over control, incremental revenue
    ((RPC treated - RPC control) x treated customers, Welch interval scaled), and the customers
    per arm a ``target_lift`` (default: the observed conversion lift) would need."""
    nt, nc = len(treated_converted), len(control_converted)
    xt, xc = (
        int(np.sum(treated_converted)),
        int(np.sum(control_converted)),
    )
    conv = newcombe(xt, nt, xc, nc)
    rev = welch(treated_revenue, control_revenue)
    base = xc / nc if nc else math.nan
    wanted = target_lift if target_lift is not None else conv.estimate
    needed = None if math.isnan(base) or math.isnan(wanted) else sample_size_per_arm(base, wanted)
    return LiftResult(
        window_days=window_days,
        treated=nt,
        control=nc,
        treated_conversion=xt / nt if nt else math.nan,
        control_conversion=base,
        conversion=conv,
        treated_rpc=float(np.mean(treated_revenue)) if nt else math.nan,
        control_rpc=float(np.mean(control_revenue)) if nc else math.nan,
        revenue_welch=rev,
        revenue_bootstrap=bootstrap(treated_revenue, control_revenue, rng),
        incremental_revenue=rev.scaled(nt),
        needed_per_arm=needed,
    )
