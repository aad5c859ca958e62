"""Deterministic holdout assignment and random-split choice.

A customer is in a workflow's holdout group when a 64-bit hash of (workflow id, customer id)
falls below the holdout share: the same customer is always in or out of the same workflow, on
every worker and in backtests, and assignment is independent across workflows. The hash is
splitmix64, computed the same way for one id and vectorised with numpy for many.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_MASK = (1 << 64) - 1
_BUCKETS = 10_000


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def bucket(workflow_id: int, customer_id: int) -> int:
    """0..9999, uniform and fixed for this workflow and customer."""
    return _mix((_mix(workflow_id) ^ customer_id) & _MASK) % _BUCKETS


def is_holdout(workflow_id: int, customer_id: int, pct: float) -> bool:
    return pct > 0 and bucket(workflow_id, customer_id) < round(pct * _BUCKETS / 100)


def _mix_array(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def holdout_mask(
    workflow_id: int, customer_ids: Sequence[int] | npt.NDArray[np.int64], pct: float
) -> npt.NDArray[np.bool_]:
    """:func:`is_holdout` for many customers at once."""
    ids = np.asarray(customer_ids, dtype=np.int64).astype(np.uint64)
    if pct <= 0:
        return np.zeros(len(ids), dtype=bool)
    seed = np.uint64(_mix(workflow_id))
    buckets = _mix_array(seed ^ ids) % np.uint64(_BUCKETS)
    return np.asarray(buckets < np.uint64(round(pct * _BUCKETS / 100)), dtype=bool)


def pick_path(key: str, weights: Sequence[int]) -> int:
    """The index of the path a split takes for ``key`` (e.g. enrolment and step id), by weight."""
    total = sum(max(0, w) for w in weights)
    if total <= 0:
        return 0
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % total
    running = 0
    for index, weight in enumerate(weights):
        running += max(0, weight)
        if digest < running:
            return index
    return len(weights) - 1
