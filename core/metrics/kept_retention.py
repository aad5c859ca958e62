"""The Retention view read from the kept facts (:mod:`core.facts`) instead of every order.

Cohort cells, the customers retained from one month to the next, second orders by month and
the gap histogram are counts kept in ``fact_counts`` (history up to the latest order: the usual
period) or counted from ``customer_days`` up to an earlier end; the period's repeat rate is an
aggregate over the period's ``customer_days`` and the RFM segments are scored per cell of
``rfm_cells`` (customers by last order day and order count; the orders up to an earlier
end). The figures are built by the same functions as the pandas reference
(:func:`core.metrics.views.retention_view_from_orders`); tests compare both. The facts are kept
per customer, so filters (country, channel, delivery option, segment) take the reference.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from core import facts
from core.metrics import frames, partial, retention, segments
from core.metrics.partial import store_today
from core.metrics.query import EPOCH, Scope, raw_rows
from core.metrics.types import Filters, Period, RetentionView
from core.models import CustomerFact, RfmCell

SPAN = facts.MONTH_SPAN
BUCKETS = {
    "cohort": (f"first_month * {SPAN} + month", "new_month = 1"),
    "gap": ("gap", "gap IS NOT NULL"),
    "retained": ("month", "retained = 1"),
    "second": ("month", "second_order = 1"),
}
"""``fact_counts`` kinds the page needs, as counted from ``customer_days`` (bucket, rows)."""
Counts = dict[str, dict[int, int]]


def retention_view(
    engine: Engine, period: Period, now: dt.datetime | None = None
) -> RetentionView | None:
    """The unfiltered Retention view from the facts; None when they are not built."""
    with frames.scope(engine, Filters(), as_of=period.end) as sc:
        with Session(bind=sc.conn) as session:
            if not facts.built(session):
                return None
        today = store_today(sc.settings.tz, now)
        bounds = frames.data_bounds(sc)
        whole = bounds is None or period.end >= bounds[1]
        counts = _kept_counts(sc) if whole else _counts_until(sc, _day(period.end))
        if whole and (bounds is None or period.start <= bounds[0]):
            repeat_rate = _rate(counts.get("customers", {}), counts.get("repeat", {}))
        else:
            repeat_rate = _period_repeat_rate(sc, period)
        if whole:
            sizes = segments.segment_sizes_from_cells(_rfm_cells(sc))
        else:
            rfm = retention.rfm(frames.customer_totals(sc, period.end), period.end)
            sizes = retention.segment_sizes(rfm) if len(rfm) else pd.DataFrame()
    return _view(counts, repeat_rate, sizes, period, today)


def _day(day: dt.date) -> int:
    return (day - EPOCH).days


def _kept_counts(sc: Scope) -> Counts:
    out: Counts = {}
    for kind, bucket, n in sc.conn.execute(text("SELECT kind, bucket, n FROM fact_counts")):
        out.setdefault(str(kind), {})[int(bucket)] = int(n)
    return out


def _counts_until(sc: Scope, end: int) -> Counts:
    """The kept counts of the history up to day ``end`` (its rows of ``customer_days``)."""
    query = " UNION ALL ".join(
        f"SELECT '{kind}', {bucket}, COUNT(*) FROM customer_days "
        f"WHERE {where} AND day <= :end GROUP BY {bucket}"
        for kind, (bucket, where) in BUCKETS.items()
    )
    out: Counts = {}
    for kind, bucket, n in sc.conn.execute(text(query), {"end": end}):
        out.setdefault(str(kind), {})[int(bucket)] = int(n)
    return out


def _rate(customers: dict[int, int], repeat: dict[int, int]) -> float | None:
    total = sum(customers.values())
    return sum(repeat.values()) / total if total else None


def _period_repeat_rate(sc: Scope, period: Period) -> float | None:
    """Customers with two or more orders in the period / customers with one or more."""
    row = sc.conn.execute(
        text(
            "SELECT COUNT(*), SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) FROM ("
            "SELECT customer_id, SUM(orders) AS n FROM customer_days "
            "WHERE day BETWEEN :start AND :end GROUP BY customer_id) t"
        ),
        {"start": _day(period.start), "end": _day(period.end)},
    ).one()
    customers, repeat = int(row[0] or 0), int(row[1] or 0)
    return repeat / customers if customers else None


def _rfm_cells(sc: Scope) -> pd.DataFrame:
    """The kept ``rfm_cells`` as ``last_day, orders, customers, monetary`` (store currency)."""
    c = RfmCell
    index = sc.currency_index(c.currency)
    stmt = select(c.last_day, c.orders, c.currency == "", index, c.customers, c.gross)
    raw = np.array(raw_rows(sc, stmt), dtype="float64").reshape(-1, 6)
    counted, spent = raw[raw[:, 2] == 1], raw[raw[:, 2] == 0]
    cur = spent[:, 3].astype("int64")
    sc.check_currencies(cur, CustomerFact.currency)
    cells = pd.DataFrame(
        {"last_day": counted[:, 0], "orders": counted[:, 1], "customers": counted[:, 4]}
    ).astype("int64")
    money = pd.DataFrame(
        {
            "last_day": spent[:, 0].astype("int64"),
            "orders": spent[:, 1].astype("int64"),
            "monetary": spent[:, 5] * sc.rates()[cur],
        }
    )
    spend = money.groupby(["last_day", "orders"], as_index=False)["monetary"].sum()
    cells = cells.merge(spend, on=["last_day", "orders"], how="left")
    cells["monetary"] = cells["monetary"].fillna(0.0)
    return cells


def _series(counts: dict[int, int], months: np.ndarray) -> np.ndarray:
    return np.array([counts.get(int(m), 0) for m in months], dtype="int64")


def _view(
    counts: Counts,
    repeat_rate: float | None,
    sizes: pd.DataFrame,
    period: Period,
    today: dt.date,
) -> RetentionView:
    cells = np.array(sorted(counts.get("cohort", {}).items()), dtype="int64").reshape(-1, 2)
    first, month, customers = cells[:, 0] // SPAN, cells[:, 0] % SPAN, cells[:, 1]
    lo, hi = (int(month.min()), int(month.max())) if len(month) else (0, -1)
    months = np.arange(lo, hi + 1)
    active = np.bincount(month - lo, weights=customers, minlength=len(months)).astype("int64")
    newcomers = {int(m): int(n) for f, m, n in zip(first, month, customers, strict=True) if f == m}
    gaps = pd.DataFrame(
        sorted(counts.get("gap", {}).items()), columns=["days", "count"], dtype="int64"
    )
    return RetentionView(
        cohorts=retention.cohort_matrix_from_cells(
            first, month, customers, partial.last_complete_month(today, period.end)
        ),
        repeat_by_month=partial.mark_months(
            retention.repeat_rate_from_counts(
                months, _series(newcomers, months), _series(counts.get("second", {}), months)
            ),
            today,
            period.end,
        ),
        monthly_retention=partial.mark_months(
            retention.period_retention_from_counts(
                months, active, _series(counts.get("retained", {}), months)
            ),
            today,
            period.end,
            rates=("retention", "churn"),
        ),
        gaps=gaps,
        median_gap=retention.median_of_counts(gaps),
        repeat_rate=repeat_rate,
        segments=sizes,
    )
