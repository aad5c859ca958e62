"""Promised vs actual delivery: payment, cancellation, shipping, out for delivery, delivery,
ready for pickup and pickup times of each demo order (epoch seconds, NULL when not yet)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.demo import catalog
from core.demo.calendar import DAY, HOUR, Calendar, truncate
from core.demo.frames import NULL

CANCEL_RATE = 0.03
PEAK_MONTHS_LATE_FACTOR = 1.7
STANDARD, EXPRESS, PICKUP, SCHEDULED = range(4)


@dataclass
class Timeline:
    promised_start: np.ndarray
    promised_at: np.ndarray
    paid_at: np.ndarray
    cancelled_at: np.ndarray
    shipped_at: np.ndarray
    out_for_delivery_at: np.ndarray
    delivered_at: np.ndarray
    ready_at: np.ndarray
    picked_up_at: np.ndarray
    slot: np.ndarray  # time slot index of scheduled deliveries, -1 otherwise

    @property
    def done_at(self) -> np.ndarray:
        """When the customer got the order (delivered or picked up), or NULL."""
        return np.where(self.delivered_at != NULL, self.delivered_at, self.picked_up_at)

    @property
    def late(self) -> np.ndarray:
        """Delivered, or ready for pickup, after the promised time."""
        actual = np.where(self.delivered_at != NULL, self.delivered_at, self.ready_at)
        return np.asarray(
            (actual != NULL) & (self.promised_at != NULL) & (actual > self.promised_at)
        )


def _promises(
    rng: np.random.Generator,
    cal: Calendar,
    placed: np.ndarray,
    option: np.ndarray,
    country: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(first promised day, last promised day, window start hour, window end hour, slot)."""
    n = len(placed)
    d0 = cal.day_index(placed)
    hour = (placed - cal.midnights[d0]) / HOUR
    abroad = country != 0  # the warehouse is in Germany (catalog.COUNTRIES[0])
    slot = np.where(option == SCHEDULED, rng.integers(0, len(catalog.TIME_SLOTS), n), -1)
    first = np.select(
        [option == STANDARD, option == EXPRESS, option == PICKUP],
        [d0 + 2, d0 + 1 + (hour >= 15), d0 + (hour >= 10)],
        d0 + rng.integers(2, 6, n),
    )
    last = np.where(option == STANDARD, d0 + 4 + abroad, first)
    start_h = np.select([option == SCHEDULED, option == PICKUP], [8.0 + 4 * slot, 0.0], 8.0)
    end_h = np.select(
        [option == SCHEDULED, option == PICKUP, option == EXPRESS],
        [12.0 + 4 * slot, np.where(hour >= 10, 12.0, 17.0), 18.0],
        20.0,
    )
    return first, last, start_h, end_h, slot


def build(
    rng: np.random.Generator,
    cal: Calendar,
    placed: np.ndarray,
    option: np.ndarray,
    country: np.ndarray,
) -> Timeline:
    n = len(placed)
    first, last, start_h, end_h, slot = _promises(rng, cal, placed, option, country)
    promised_start = np.where(option == PICKUP, NULL, cal.at(first, start_h))
    promised_at = cal.at(last, end_h)
    cancelled = rng.random(n) < CANCEL_RATE
    cancelled_at = np.where(cancelled, placed + rng.integers(HOUR // 3, 30 * HOUR, n), NULL)
    paid_at = np.where(cancelled, NULL, placed + rng.integers(5, 40 * 60, n))

    late_rate = np.array([d.late_rate for d in catalog.DELIVERY_OPTIONS])[option]
    peak_day = np.array([m.endswith(("-11", "-12")) for m in cal.months])
    peak = peak_day[cal.day_index(placed)]
    late = rng.random(n) < late_rate * np.where(peak, PEAK_MONTHS_LATE_FACTOR, 1.0)
    home = (option != PICKUP) & ~cancelled
    pickup = (option == PICKUP) & ~cancelled

    on_day = first + (rng.random(n) * (last - first + 1)).astype(np.int64)
    late_day = last + rng.geometric(0.5, n)
    lo_h = np.where(option == SCHEDULED, start_h, 9.0)
    hi_h = np.where(option == SCHEDULED, end_h - 0.1, np.where(option == EXPRESS, 17.5, 19.5))
    deliver_h = lo_h + rng.random(n) * (hi_h - lo_h)
    delivered = np.where(
        late, cal.at(late_day, 9 + rng.random(n) * 10.5), cal.at(on_day, deliver_h)
    )
    ship_gap = np.where(
        option == EXPRESS, rng.integers(HOUR, 5 * HOUR, n), rng.integers(2 * HOUR, 20 * HOUR, n)
    )
    shipped = np.clip(placed + ship_gap, placed + 1_800, delivered - 3 * HOUR)
    ofd = np.maximum(delivered - rng.integers(HOUR // 2, 5 * HOUR, n), shipped + 1_800)

    ready_on_time = np.clip(
        placed + rng.integers(2 * HOUR, 18 * HOUR, n), placed + HOUR, promised_at - 600
    )
    ready = np.where(late, promised_at + rng.integers(3 * HOUR, 48 * HOUR, n), ready_on_time)
    picked = ready + np.minimum(rng.exponential(30 * HOUR, n).astype(np.int64), 10 * DAY) + 1_800

    cut = cal.cutoff
    return Timeline(
        promised_start=promised_start,
        promised_at=promised_at,
        paid_at=truncate(paid_at, cut),
        cancelled_at=truncate(cancelled_at, cut),
        shipped_at=truncate(np.where(home, shipped, NULL), cut),
        out_for_delivery_at=truncate(np.where(home, ofd, NULL), cut),
        delivered_at=truncate(np.where(home, delivered, NULL), cut),
        ready_at=truncate(np.where(pickup, ready, NULL), cut),
        picked_up_at=truncate(np.where(pickup, picked, NULL), cut),
        slot=slot,
    )
