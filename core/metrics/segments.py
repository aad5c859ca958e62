"""RFM segment sizes from customers grouped into cells of equal last order day and order count
(``rfm_cells``, kept with the facts). A customer's recency and frequency scores depend only on
those two values and on how many customers have lower ones, so :func:`core.metrics.retention.rfm`
scored per customer and these scores computed once per cell give the same segments."""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.metrics import retention


def weighted_rank_scores(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``retention._rank_scores`` of ``values`` each repeated ``weights`` times: one score per
    value (quintile of the percentile rank, ties share the highest rank)."""
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    upto = np.cumsum(weights[order])
    last_equal = np.searchsorted(ranked, ranked, side="right") - 1
    pct = upto[last_equal] / upto[-1]
    scores = np.empty(len(values), dtype="int64")
    scores[order] = np.clip(np.ceil(pct * 5), 1, 5).astype("int64")
    return scores


def weighted_frequency_scores(orders: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`core.metrics.retention.frequency_scores` of ``orders`` each repeated ``weights``
    times, one score per value."""
    edges = np.quantile(np.repeat(orders, weights), retention.QUINTILES, method="inverted_cdf")
    if np.all(np.diff(edges) > 0):
        return weighted_rank_scores(orders, weights)
    bins = np.array(retention.FREQUENCY_BINS)
    return np.searchsorted(bins, orders, side="right").astype("int64")


def segment_sizes_from_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """:func:`core.metrics.retention.segment_sizes` of the RFM table of the customers in
    ``cells``: one row per ``last_day`` (day number) and ``orders`` with ``customers`` and
    ``monetary`` (their gross spend, summed, store currency)."""
    if cells.empty:
        return pd.DataFrame()
    customers = cells["customers"].to_numpy(dtype="int64")
    r = weighted_rank_scores(cells["last_day"].to_numpy(dtype="int64"), customers)
    f = weighted_frequency_scores(cells["orders"].to_numpy(dtype="int64"), customers)
    grouped = (
        pd.DataFrame(
            {
                "segment": retention.segment(r, f),
                "customers": customers,
                "spend": cells["monetary"].to_numpy(dtype="float64"),
            }
        )
        .groupby("segment")
        .sum()
    )
    sizes = pd.DataFrame(
        {
            "customers": grouped["customers"],
            "avg_monetary": grouped["spend"] / grouped["customers"],
        }
    )
    sizes["share"] = sizes["customers"] / sizes["customers"].sum()
    return sizes.sort_values("customers", ascending=False).reset_index()
