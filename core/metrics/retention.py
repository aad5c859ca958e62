"""Retention KPIs: repeat purchase rate, cohort retention, period retention and churn, time
between orders, historical CLV and RFM segments. Months are local calendar months (store time
zone); a customer is one customer id.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

QUINTILES = [0.2, 0.4, 0.6, 0.8]
MONTH_SPAN = 1 << 13
"""Months since 1970-01 fit below this (until the year 2652): (customer, month) packs in one int."""
FREQUENCY_BINS = (1, 2, 3, 4, 6)
"""Fixed frequency score bins used when quintiles tie: 1, 2, 3, 4-5, 6+ orders -> 1..5."""


def repeat_purchase_rate(orders: pd.DataFrame) -> float | None:
    """Customers with >= 2 orders / customers with >= 1 order in the frame."""
    counts = orders["customer_id"].value_counts()
    return float((counts >= 2).mean()) if len(counts) else None


def _months(days: pd.Series) -> np.ndarray:
    """Months since 1970-01 of datetime64 days."""
    return days.to_numpy().astype("datetime64[M]").astype("int64")


def _label(month: int) -> str:
    return str(np.datetime64(int(month), "M"))


def cohort_matrix(orders: pd.DataFrame, last_month: str | None = None) -> pd.DataFrame:
    """Classic cohort retention: rows are first-order months ``YYYY-MM``, columns ``0..K`` months
    since; R(c,k) = customers of cohort c with >= 1 order in month c+k / cohort size, R(c,0) = 1.
    Cells after ``last_month`` (default: the frame's last month) are NaN (future, not 0). The
    cohort sizes are in the ``customers`` column."""
    return cohort_matrix_from_months(
        orders["customer_id"].to_numpy(), _months(orders["day"]), last_month
    )


def cohort_matrix_from_months(
    customers: np.ndarray, months: np.ndarray, last_month: str | None = None
) -> pd.DataFrame:
    """:func:`cohort_matrix` from customer ids and order months (months since 1970-01)."""
    if len(customers) == 0:
        return cohort_matrix_from_cells(np.zeros(0, "int64"), np.zeros(0, "int64"), np.zeros(0))
    keys = np.unique(customers.astype("int64") * MONTH_SPAN + months.astype("int64"))
    c, m = keys // MONTH_SPAN, keys % MONTH_SPAN
    starts = np.r_[0, np.flatnonzero(np.diff(c)) + 1]
    first = np.repeat(m[starts], np.diff(np.r_[starts, len(c)]))
    cells, counts = np.unique(first * MONTH_SPAN + m, return_counts=True)
    return cohort_matrix_from_cells(cells // MONTH_SPAN, cells % MONTH_SPAN, counts, last_month)


def cohort_matrix_from_cells(
    first: np.ndarray, month: np.ndarray, customers: np.ndarray, last_month: str | None = None
) -> pd.DataFrame:
    """:func:`cohort_matrix` from cells: customers of the cohort ``first`` active in ``month``
    (months since 1970-01; the kept facts count them)."""
    if len(first) == 0:
        return pd.DataFrame(columns=["customers", 0])
    first, month = first.astype("int64"), month.astype("int64")
    base = int(first.min())
    end = int(np.datetime64(last_month, "M").astype("int64")) if last_month else int(month.max())
    n_cohorts, n_ages = int(first.max()) - base + 1, max(end - base, 0) + 1
    age = month - first
    shown = age < n_ages  # later cells are in the future of every cohort
    flat = (first[shown] - base) * n_ages + age[shown]
    counts = np.bincount(
        flat, weights=np.asarray(customers, "float64")[shown], minlength=n_cohorts * n_ages
    ).reshape(n_cohorts, n_ages)
    present = counts[:, 0] > 0
    cohorts = np.arange(base, base + n_cohorts)[present]
    counts = counts[present]
    shares = counts / counts[:, :1]
    shares[np.add.outer(cohorts, np.arange(n_ages)) > end] = np.nan
    table = pd.DataFrame(
        shares,
        index=pd.Index([_label(x) for x in cohorts], name="cohort"),
        columns=pd.Index(list(range(n_ages)), name="age"),
    )
    table.insert(0, "customers", counts[:, 0].astype("int64"))
    return table


def cohort_dict(matrix: pd.DataFrame, digits: int = 4) -> dict[str, list[float]]:
    """``{"YYYY-MM": [R(c,0), R(c,1), ...]}`` with the future (NaN) cells left out."""
    out: dict[str, list[float]] = {}
    for cohort, row in matrix.drop(columns="customers").iterrows():
        out[str(cohort)] = [round(float(v), digits) for v in row.dropna()]
    return out


def period_retention(orders: pd.DataFrame) -> pd.DataFrame:
    """Monthly retention: active(t) = customers with >= 1 order in month t;
    retention(t) = customers active in t and t-1 / active in t-1; churn = 1 - retention.
    Inactivity rule: a customer active in a month without an order in the next month counts
    as churned in that next month (a later order makes them active again)."""
    pairs = pd.DataFrame({"c": orders["customer_id"].to_numpy(), "m": _months(orders["day"])})
    pairs = pairs.drop_duplicates()
    if pairs.empty:
        return period_retention_from_counts(np.zeros(0, "int64"), np.zeros(0), np.zeros(0))
    months = np.arange(pairs["m"].min(), pairs["m"].max() + 1)
    active = pairs.groupby("m").size().reindex(months, fill_value=0)
    shifted = pairs.assign(m=pairs["m"] + 1)
    retained = pairs.merge(shifted, on=["c", "m"]).groupby("m").size().reindex(months, fill_value=0)
    return period_retention_from_counts(months, active.to_numpy(), retained.to_numpy())


def period_retention_from_counts(
    months: np.ndarray, active: np.ndarray, retained: np.ndarray
) -> pd.DataFrame:
    """:func:`period_retention` from the customers active and retained in each of ``months``
    (consecutive months since 1970-01)."""
    if len(months) == 0:
        return pd.DataFrame(columns=["month", "active", "retained", "retention", "churn"])
    previous = pd.Series(active, dtype="int64").shift(1)
    retention = (pd.Series(retained, dtype="int64") / previous).where(previous > 0)
    return pd.DataFrame(
        {
            "month": [_label(m) for m in months],
            "active": np.asarray(active, dtype="int64"),
            "retained": np.asarray(retained, dtype="int64"),
            "retention": retention.to_numpy(),
            "churn": (1 - retention).to_numpy(),
        }
    )


def days_between_orders(orders: pd.DataFrame) -> pd.Series:
    """Gaps in days between consecutive order dates of each repeat customer; orders of the same
    customer on the same local date are merged first."""
    days = orders[["customer_id", "day"]].drop_duplicates().sort_values(["customer_id", "day"])
    gaps = days.groupby("customer_id")["day"].diff().dropna()
    out: pd.Series = gaps.dt.days.astype("int64").rename("days").reset_index(drop=True)
    return out


def median_days_between_orders(orders: pd.DataFrame) -> float | None:
    gaps = days_between_orders(orders)
    return float(gaps.median()) if len(gaps) else None


def gap_counts(gaps: pd.Series) -> pd.DataFrame:
    """How many gaps of each length: ``days, count`` (what the histogram draws)."""
    days, counts = np.unique(gaps.to_numpy(dtype="int64"), return_counts=True)
    return pd.DataFrame({"days": days.astype("int64"), "count": counts.astype("int64")})


def median_of_counts(counts: pd.DataFrame) -> float | None:
    """The median gap of a :func:`gap_counts` table (the mean of the two middle values)."""
    total = int(counts["count"].sum())
    if not total:
        return None
    ends = np.cumsum(counts["count"].to_numpy())
    days = counts["days"].to_numpy()
    low, high = days[np.searchsorted(ends, [(total - 1) // 2 + 1, total // 2 + 1])]
    return (float(low) + float(high)) / 2


def historical_clv(net_revenue: float, customers: int) -> float | None:
    """Net revenue / customers of the window."""
    return net_revenue / customers if customers else None


def clv_by_cohort(orders: pd.DataFrame, refunds: pd.DataFrame) -> pd.DataFrame:
    """Cumulative net revenue per cohort customer at age k months (cohort = first-order month;
    an order's refunds count with that order). Net = gross - refunds: discounts are already
    inside the order totals."""
    if orders.empty:
        return pd.DataFrame()
    refund = refunds.groupby("order_id")["refund"].sum()
    net = orders["gross"] - orders["order_id"].map(refund).fillna(0.0)
    m = _months(orders["day"])
    first = pd.Series(m).groupby(orders["customer_id"].to_numpy()).transform("min").to_numpy()
    frame = pd.DataFrame({"c": orders["customer_id"].to_numpy(), "cohort": first, "age": m - first})
    frame["net"] = net.to_numpy()
    sizes = frame.groupby("cohort")["c"].nunique()
    table = frame.groupby(["cohort", "age"])["net"].sum().unstack(fill_value=0).cumsum(axis=1)
    end = int(m.max())
    table = table.div(sizes, axis=0)
    table = table.mask(np.add.outer(table.index.to_numpy(), table.columns.to_numpy()) > end)
    table.index = pd.Index([_label(c) for c in table.index], name="cohort")
    return table


def _rank_scores(values: pd.Series) -> np.ndarray:
    """Quintile scores 1-5 by percentile rank; tied values share a score."""
    pct = values.rank(method="max", pct=True).to_numpy()
    return np.clip(np.ceil(pct * 5), 1, 5).astype("int64")


def frequency_scores(orders: pd.Series) -> np.ndarray:
    """Quintile scores when the quintile edges are distinct; otherwise (ties, e.g. most customers
    bought once) fixed bins 1, 2, 3, 4-5, 6+ orders -> 1..5."""
    edges = np.quantile(orders.to_numpy(), QUINTILES, method="inverted_cdf") if len(orders) else []
    if len(edges) and np.all(np.diff(edges) > 0):
        return _rank_scores(orders)
    return np.searchsorted(np.array(FREQUENCY_BINS), orders.to_numpy(), side="right").astype(
        "int64"
    )


def segment(r: np.ndarray, f: np.ndarray) -> np.ndarray:
    """RFM segment names from recency and frequency scores."""
    return np.select(
        [
            (r >= 4) & (f >= 4),
            (r >= 3) & (f >= 3),
            (r >= 4) & (f == 1),
            r >= 4,
            (r <= 2) & (f >= 3),
            (r <= 2) & (f <= 2),
        ],
        ["Champions", "Loyal", "New", "Potential loyalists", "At risk", "Hibernating"],
        default="Need attention",
    )


def rfm(totals: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """RFM per customer from ``frames.customer_totals``: recency = days from the last order to
    ``as_of``, frequency = orders, monetary = gross spend; each scored 1-5 by quintile (recent,
    frequent, high spend = 5), and a segment name."""
    if totals.empty:
        cols = ["customer_id", "recency_days", "frequency", "monetary", "r", "f", "m", "segment"]
        return pd.DataFrame(columns=cols)
    recency = (pd.Timestamp(as_of) - totals["last_day"]).dt.days.astype("int64")
    r = _rank_scores(-recency)
    f = frequency_scores(totals["orders"])
    m = _rank_scores(totals["monetary"])
    return pd.DataFrame(
        {
            "customer_id": totals["customer_id"].to_numpy(),
            "recency_days": recency.to_numpy(),
            "frequency": totals["orders"].to_numpy(),
            "monetary": totals["monetary"].to_numpy(),
            "r": r,
            "f": f,
            "m": m,
            "segment": segment(r, f),
        }
    )


def segment_sizes(table: pd.DataFrame) -> pd.DataFrame:
    """Customers, share and average spend per RFM segment."""
    grouped = table.groupby("segment").agg(
        customers=("customer_id", "size"), avg_monetary=("monetary", "mean")
    )
    grouped["share"] = grouped["customers"] / grouped["customers"].sum()
    return grouped.sort_values("customers", ascending=False).reset_index()


def repeat_rate_by_month(orders: pd.DataFrame) -> pd.DataFrame:
    """Per local month: customers with a first order so far, those with a second order so far,
    and the repeat purchase rate of all customers up to the end of that month."""
    o = orders.sort_values(["customer_id", "day", "order_id"])
    rank = o.groupby("customer_id").cumcount().to_numpy()
    if o.empty:
        return repeat_rate_from_counts(np.zeros(0, "int64"), np.zeros(0), np.zeros(0))
    months = np.arange(_months(o["day"]).min(), _months(o["day"]).max() + 1)
    first = pd.Series(_months(o.loc[rank == 0, "day"])).value_counts().reindex(months, fill_value=0)
    second = (
        pd.Series(_months(o.loc[rank == 1, "day"])).value_counts().reindex(months, fill_value=0)
    )
    return repeat_rate_from_counts(months, first.to_numpy(), second.to_numpy())


def repeat_rate_from_counts(
    months: np.ndarray, first: np.ndarray, second: np.ndarray
) -> pd.DataFrame:
    """:func:`repeat_rate_by_month` from the customers whose first and whose second order fell
    in each of ``months`` (consecutive months since 1970-01)."""
    if len(months) == 0:
        return pd.DataFrame(columns=["month", "customers", "repeat_customers", "repeat_rate"])
    customers = np.cumsum(np.asarray(first, dtype="int64"))
    repeat = np.cumsum(np.asarray(second, dtype="int64"))
    return pd.DataFrame(
        {
            "month": [_label(m) for m in months],
            "customers": customers,
            "repeat_customers": repeat,
            "repeat_rate": repeat / customers,
        }
    )
