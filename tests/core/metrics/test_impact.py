"""Plain-words impact: the sentence, the sample size it asks for, the weeks it needs."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from core.metrics.impact import Impact, Needed, money_text, needed_per_group, sentence
from core.metrics.lift import Interval


def _impact(revenue: Interval | None, needed: Needed | None = None, **kw: object) -> Impact:
    base: dict[str, object] = {
        "workflow_id": 1,
        "name": "Review requests",
        "currency": "EUR",
        "window_days": 60,
        "holdout_pct": 10,
        "treated": 2_986,
        "control": 313,
        "first_entry": dt.date(2026, 3, 1),
        "last_entry": dt.date(2026, 9, 30),
        "revenue": revenue,
        "needed": needed,
    }
    return Impact(**(base | kw))  # type: ignore[arg-type]


def test_money_text_signs_and_separators() -> None:
    assert money_text(1234.5, "EUR") == "EUR 1,234.50"
    assert money_text(1.2, "EUR", signed=True) == "+EUR 1.20"
    assert money_text(-0.4, "PLN", signed=True) == "-PLN 0.40"


def test_not_proven_sentence_names_range_groups_period_and_what_is_needed() -> None:
    text = sentence(_impact(Interval(1.2, -0.4, 2.8), Needed(1_450, 1_450, 9.2)))
    assert text.startswith("Review requests brought about +EUR 1.20 per customer")
    assert "(95% range -EUR 0.40 to +EUR 2.80)" in text
    assert "2,986 customers who got messages with 313 held out" in text
    assert "from 01 Mar 2026 to 30 Sep 2026" in text
    assert "about 1,450 more customers per group are needed, roughly 9 weeks" in text


def test_proven_and_unmeasurable_sentences() -> None:
    assert "Proven: customers who got messages spent more." in sentence(
        _impact(Interval(3.0, 1.0, 5.0))
    )
    none = sentence(_impact(None, holdout_pct=0, control=0))
    assert "impact cannot be measured" in none and "10%" in none
    early = sentence(_impact(None, treated=5, control=1))
    assert "not measurable yet" in early and "60-day" in early


def test_needed_per_group_matches_the_two_sample_formula() -> None:
    rng = np.random.default_rng(1)
    treated, control = rng.normal(10, 5, 900), rng.normal(10, 5, 100)
    diff = 1.0
    n_t, n_c = needed_per_group(treated, control, diff)  # type: ignore[misc]
    var_t, var_c = np.var(treated, ddof=1), np.var(control, ddof=1)
    se = math.sqrt(var_t / n_t + var_c / n_c)
    assert abs(diff / se - (1.959964 + 0.841621)) < 0.01  # detects diff at 5%, 80% power
    assert round(n_t / n_c) == 9  # keeps today's split
    assert needed_per_group(treated, control, 0.0) is None
