"""Lift statistics: known values, and coverage over seeded simulated experiments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.metrics import lift

RUNS = 20


def test_wilson_and_newcombe_known_values() -> None:
    # Newcombe (1998), example (a): 56/70 vs 48/80 -> 0.2000, 95% CI 0.0524 to 0.3339.
    iv = lift.newcombe(56, 70, 48, 80)
    assert iv.estimate == pytest.approx(0.2)
    assert (iv.low, iv.high) == (pytest.approx(0.0524, abs=1e-4), pytest.approx(0.3339, abs=1e-4))
    assert iv.proven and iv.verdict == "positive"
    low, high = lift.wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    assert math.isnan(lift.newcombe(1, 0, 1, 5).estimate)


def test_welch_and_bootstrap_agree_on_normal_data() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.normal(12, 3, 400), rng.normal(10, 3, 500)
    w = lift.welch(a, b)
    boot = lift.bootstrap(a, b, np.random.default_rng(2), resamples=1000)
    assert w.low < 2 < w.high
    assert boot.low == pytest.approx(w.low, abs=0.2) and boot.high == pytest.approx(w.high, abs=0.2)
    again = lift.bootstrap(a, b, np.random.default_rng(2), resamples=1000)
    assert (again.low, again.high) == (boot.low, boot.high)  # seeded: reproducible


def test_sample_size() -> None:
    # 10% -> 12%: about 3,841 per arm (two-sided 5%, power 80%).
    assert lift.sample_size_per_arm(0.10, 0.02) == pytest.approx(3841, abs=5)
    assert lift.sample_size_per_arm(0.10, 0.0) is None


def _experiment(rng: np.random.Generator, effect: float, n: int = 1500) -> lift.LiftResult:
    """Heavy-tailed revenue; treatment raises conversion by ``effect`` (absolute)."""
    base = 0.20
    treated = rng.random(n) < base + effect
    control = rng.random(n) < base
    spend = lambda conv: np.where(conv, rng.lognormal(3.5, 0.9, len(conv)), 0.0)  # noqa: E731
    return lift.holdout_lift(treated, control, spend(treated), spend(control), rng, window_days=60)


def test_planted_effect_is_covered_at_least_17_of_20() -> None:
    effect = 0.06
    mean_spend = math.exp(3.5 + 0.9**2 / 2)
    conv_hits = revenue_hits = boot_hits = 0
    for seed in range(RUNS):
        result = _experiment(np.random.default_rng(seed), effect)
        conv_hits += result.conversion.covers(effect)
        revenue_hits += result.revenue_welch.covers(effect * mean_spend)
        boot_hits += result.revenue_bootstrap.covers(effect * mean_spend)
    assert conv_hits >= 17 and revenue_hits >= 17 and boot_hits >= 17


def test_aa_split_covers_zero_at_least_17_of_20() -> None:
    conv_hits = revenue_hits = 0
    for seed in range(RUNS):
        rng = np.random.default_rng(100 + seed)
        converted = rng.random(3000) < 0.2
        revenue = np.where(converted, rng.lognormal(3.5, 0.9, 3000), 0.0)
        half = rng.permutation(3000) < 1500
        result = lift.holdout_lift(
            converted[half], converted[~half], revenue[half], revenue[~half], rng, window_days=60
        )
        conv_hits += result.conversion.covers(0.0)
        revenue_hits += result.revenue_bootstrap.covers(0.0) and result.revenue_welch.covers(0.0)
        assert result.incremental_revenue.estimate == pytest.approx(
            result.revenue_welch.estimate * 1500
        )
    assert conv_hits >= 17 and revenue_hits >= 17


def test_result_dict_reads_not_proven_when_crossing_zero() -> None:
    result = lift.holdout_lift(
        np.array([1, 0, 0, 1]),
        np.array([0, 1, 0, 0]),
        np.array([5.0, 0, 0, 3]),
        np.array([0.0, 4, 0, 0]),
        np.random.default_rng(0),
        window_days=30,
    )
    data = result.as_dict()
    assert data["conversion_lift"]["verdict"] == "not proven yet"  # type: ignore[index]
    assert data["treated"] == 4 and data["window_days"] == 30
