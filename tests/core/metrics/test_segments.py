"""RFM segment sizes scored per cell (customers with equal last order day and order count)
equal the per-customer reference (``retention.rfm`` then ``retention.segment_sizes``): with
quintile frequency scores, with the fixed bins when quintiles tie, and with ties everywhere."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from core.metrics import retention, segments
from core.metrics.query import to_days

AS_OF = dt.date(2025, 6, 30)


def _customers(seed: int, n: int, orders_scale: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": np.arange(1, n + 1),
            "orders": 1 + rng.poisson(orders_scale, n),
            "last_day": rng.integers(20_000, 20_270, n),
            "monetary": np.round(rng.lognormal(4, 1, n), 2),
        }
    )


def _cells(customers: pd.DataFrame) -> pd.DataFrame:
    return customers.groupby(["last_day", "orders"], as_index=False).agg(
        customers=("customer_id", "size"), monetary=("monetary", "sum")
    )


def _reference(customers: pd.DataFrame) -> pd.DataFrame:
    totals = customers.assign(last_day=to_days(customers["last_day"]).to_numpy())
    return retention.segment_sizes(retention.rfm(totals, AS_OF))


@pytest.mark.parametrize(
    ("seed", "n", "orders_scale"),
    [(1, 5_000, 3.0), (2, 5_000, 0.3), (3, 37, 0.0), (4, 1, 2.0), (5, 2_000, 12.0)],
    ids=["quintiles", "fixed-bins", "one-order-each", "one-customer", "many-orders"],
)
def test_cells_give_the_reference(seed: int, n: int, orders_scale: float) -> None:
    customers = _customers(seed, n, orders_scale)
    got = segments.segment_sizes_from_cells(_cells(customers))
    pd.testing.assert_frame_equal(got, _reference(customers), check_exact=False)


def test_both_frequency_paths_are_covered() -> None:
    wide = _customers(1, 5_000, 3.0)["orders"]
    edges = np.quantile(wide, retention.QUINTILES, method="inverted_cdf")
    assert np.all(np.diff(edges) > 0)
    tied = _customers(2, 5_000, 0.3)["orders"]
    assert not np.all(np.diff(np.quantile(tied, retention.QUINTILES, method="inverted_cdf")) > 0)


def test_weighted_rank_scores_equal_ranks_of_the_repeated_values() -> None:
    values = np.array([5, 3, 9, 3, 7])
    weights = np.array([2, 1, 4, 3, 1])
    repeated = pd.Series(np.repeat(values, weights))
    want = retention._rank_scores(repeated)
    got = np.repeat(segments.weighted_rank_scores(values, weights), weights)
    assert got.tolist() == want.tolist()


def test_no_cells() -> None:
    assert segments.segment_sizes_from_cells(pd.DataFrame()).empty
