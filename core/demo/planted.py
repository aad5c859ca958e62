"""The demo workflows' plan and the planted effect of ``second_order_thank_you``.

Customers whose second order comes after the workflow's activation enter it; the engine's
deterministic holdout function puts 10% of them in the control group. Treated customers
(intention to treat: every non-holdout enrolment) get an extra order within 60 days of their
second order with probability ``q = lift / (1 - baseline)``, where ``baseline`` is the share of
enrolled customers who order again within 60 days anyway. So the treated group's repeat rate
within 60 days is ``baseline + lift`` in expectation and the holdout's stays at ``baseline``:
the KPI's holdout lift should recover ``lift``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.demo.calendar import DAY, HOUR, Calendar
from core.demo.frames import NULL

WINDOW_DAYS = 60
HOLDOUT_PCT = 10
LIFT_PP = 8.0
ACTIVE_MONTHS = 12
"""The demo workflows were activated this long before the end of the window."""

Holdout = Callable[[int, np.ndarray], np.ndarray]
"""(workflow id, customer ids) -> holdout mask: the engine's ``holdout_mask`` at 10%."""


@dataclass(frozen=True)
class Plan:
    review_id: int
    thanks_id: int
    activated_at: int
    customer_base: int
    holdout: Holdout
    lift_pp: float = LIFT_PP


def second_orders(seq: np.ndarray, placed: np.ndarray, activated_at: int) -> np.ndarray:
    """Indexes of the orders that enrol in ``second_order_thank_you``."""
    return np.flatnonzero((seq == 2) & (placed >= activated_at))


def next_order_at(customer: np.ndarray, placed: np.ndarray, seq: np.ndarray, n: int) -> np.ndarray:
    """Per customer, when their third order was placed (NULL if none)."""
    third = np.full(n, NULL, dtype=np.int64)
    idx = np.flatnonzero(seq == 3)
    third[customer[idx]] = placed[idx]
    return third


def plant(
    rng: np.random.Generator,
    cal: Calendar,
    plan: Plan,
    customer: np.ndarray,
    placed: np.ndarray,
    seq: np.ndarray,
    n_customers: int,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Extra orders (customer index, placed_at) for treated customers, and the figures."""
    idx = second_orders(seq, placed, plan.activated_at)
    who, t2 = customer[idx], placed[idx]
    third = next_order_at(customer, placed, seq, n_customers)[who]
    natural = (third != NULL) & (third <= t2 + WINDOW_DAYS * DAY)
    complete = t2 + WINDOW_DAYS * DAY <= cal.cutoff
    baseline = float(natural[complete].mean()) if complete.any() else 0.0
    q = min(1.0, plan.lift_pp / 100 / max(1e-9, 1 - baseline))
    held = plan.holdout(plan.thanks_id, plan.customer_base + who)
    u = rng.random(len(idx))
    offset = rng.uniform(2, WINDOW_DAYS - 1, len(idx)) * DAY
    hours = cal.sample_hours(rng, len(idx))
    when = cal.at(cal.day_index(t2 + offset.astype(np.int64)), hours)
    when = np.maximum(when, t2 + DAY + HOUR)
    add = ~held & ~natural & (u < q) & (when < cal.cutoff)
    figures = {
        "workflow": "second_order_thank_you",
        "metric": "repeat_within_60d",
        "definition": "share of enrolled customers with another order within 60 days after "
        "the order that enrolled them (their second), treated vs holdout",
        "lift_pp": plan.lift_pp,
        "window_days": WINDOW_DAYS,
        "applies_to": "every non-holdout enrolment (intention to treat)",
        "baseline_repeat_rate": round(baseline, 4),
        "enrolled": len(idx),
        "holdout": int(held.sum()),
        "planted_orders": int(add.sum()),
    }
    return who[add], when[add], figures
