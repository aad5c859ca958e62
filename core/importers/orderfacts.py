"""The per-customer facts (:mod:`core.facts`) of newly imported orders, computed from the
frame the importer holds and merged into the stored facts, instead of re-reading the orders.

New orders have no reviews yet and at most the one shipment this import writes (from their
``shipped_at``/``delivered_at``), so the frame says everything the facts need. The customers'
stored rows (none for new customers) are read, combined with the new orders' sums per currency
and order counts per local day, and written back; ``currency_totals`` and ``fact_counts`` get the
difference. The result is what :func:`core.facts.refresh` computes from the orders
(``facts.check`` compares them in tests)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import facts
from core.importers.job import table
from core.importers.writer import Writer

SUMMED = [n for n, _ in facts.MEASURES]
DAY_ZERO = np.datetime64("1970-01-01", "D")
DAY_BITS = 24
"""A customer and a day (days since 1970, below 2**24) packed in one integer."""
USED = (
    "customer_id",
    "placed_date",
    "currency",
    "total",
    "discount_amount",
    "refunded_amount",
    "refunded_at",
    "promised_delivery_at",
    "delivered_at",
)
"""The columns of an order the facts read."""


def merge_new_orders(writer: Writer, orders: pd.DataFrame) -> None:
    """Add the facts of ``orders`` (rows just inserted: ``customer_id``, ``placed_date``,
    ``currency``, amounts, moments, status) to the stored facts."""
    valid = orders.loc[_valid(orders), [c for c in USED if c in orders]]
    if valid.empty:
        return
    fresh_facts, fresh_days = _aggregates(valid)
    customers = fresh_facts["customer_id"].unique()
    conn = writer.conn
    stored_facts, stored_days = _stored(conn, customers)
    known = sorted({int(r[0]) for r in stored_facts})
    old_facts = pd.DataFrame(stored_facts, columns=facts.FACT_COLUMNS)
    old_days = pd.DataFrame(stored_days, columns=facts.DAY_COLUMNS)
    new_facts = _combine_facts(old_facts, fresh_facts)
    per_day = fresh_days
    if len(old_days):
        both = pd.concat([old_days[list(fresh_days.columns)], fresh_days], ignore_index=True)
        grouped = both.groupby(["customer_id", "day", "month"], sort=True)["orders"].sum()
        per_day = grouped.reset_index()
    new_days = _days(per_day)
    facts.delete_rows(conn, known)
    writer.insert(table("customer_facts"), new_facts[facts.FACT_COLUMNS])
    writer.insert(table("customer_days"), new_days[facts.DAY_COLUMNS])
    facts.add_to_totals(conn, {}, _totals(fresh_facts))
    facts.add_to_counts(conn, _counts(old_facts, old_days), _counts(new_facts, new_days))
    facts.rebuild_cells(conn)  # one aggregate over the facts (~1 s CPU at 1M orders)


def _valid(orders: pd.DataFrame) -> np.ndarray:
    """Not cancelled and not a test order (imports write no test orders)."""
    ok = orders["cancelled_at"].isna() if "cancelled_at" in orders else True
    if "status" in orders:
        ok = ok & (orders["status"] != "cancelled").fillna(True)
    if "is_test" in orders:
        ok = ok & ~orders["is_test"].fillna(False).astype(bool)
    return np.asarray(pd.Series(ok, index=orders.index), dtype=bool)


def _amount(orders: pd.DataFrame, column: str) -> np.ndarray:
    if column not in orders:
        return np.zeros(len(orders))
    amounts = pc.cast(pa.array(orders[column].astype("str")), pa.float64())
    return np.asarray(pc.fill_null(amounts, 0.0).to_numpy(zero_copy_only=False), "float64")


def _moment(orders: pd.DataFrame, column: str) -> pd.Series:
    if column in orders:
        return orders[column]
    return pd.Series(pd.NaT, index=orders.index, dtype="datetime64[us, UTC]")


def _aggregates(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per customer and currency the ``customer_facts`` columns of these orders alone, and per
    customer and local day (sorted) their order count."""
    dates = pa.array(orders["placed_date"].astype(str)).cast(pa.date32())
    days = dates.cast(pa.int32()).to_numpy(zero_copy_only=False).astype("int64")
    customers = orders["customer_id"].to_numpy(dtype="int64")
    codes, currencies = pd.factorize(orders["currency"].astype(str))
    promised = _moment(orders, "promised_delivery_at")
    done = _moment(orders, "delivered_at")
    delivered = (promised.notna() & done.notna()).to_numpy(dtype=bool)
    on_time = delivered & (done <= promised).fillna(False).to_numpy(dtype=bool)
    refunded = _amount(orders, "refunded_amount")
    refunded = np.where((refunded > 0) & _moment(orders, "refunded_at").notna(), refunded, 0.0)
    per_order = pd.DataFrame(
        {
            "key": customers * len(currencies) + codes,
            "orders": 1,
            "gross": _amount(orders, "total"),
            "discount": _amount(orders, "discount_amount"),
            "refunds": refunded,
            "first_day": days,
            "last_day": days,
            "delivered": delivered.astype("int64"),
            "on_time": on_time.astype("int64"),
        }
    )
    grouped = per_order.groupby("key", sort=True)
    fact_rows = pd.concat(
        [
            grouped[["orders", "gross", "discount", "refunds", "delivered", "on_time"]].sum(),
            grouped[["first_day"]].min(),
            grouped[["last_day"]].max(),
        ],
        axis=1,
    )
    keys = fact_rows.index.to_numpy(dtype="int64")
    fact_rows = fact_rows.reset_index(drop=True)
    fact_rows["customer_id"] = keys // len(currencies)
    fact_rows["currency"] = np.asarray(currencies, dtype=object)[keys % len(currencies)]
    fact_rows["first_month"] = _months(fact_rows["first_day"].to_numpy())
    for name in SUMMED[5:]:  # review counts: new orders have no review yet
        fact_rows[name] = 0
    day_keys, counts = np.unique((customers << DAY_BITS) | days, return_counts=True)
    per_day = pd.DataFrame(
        {
            "customer_id": day_keys >> DAY_BITS,
            "day": day_keys & ((1 << DAY_BITS) - 1),
            "orders": counts.astype("int64"),
        }
    )
    per_day["month"] = _months(per_day["day"].to_numpy())
    return fact_rows[facts.FACT_COLUMNS], per_day


def _months(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of days since 1970-01-01."""
    return (DAY_ZERO + days.astype("int64")).astype("datetime64[M]").astype("int64")


def _stored(
    conn: Any, customers: np.ndarray
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The stored facts and days rows of these customers (none to read in an empty store)."""
    if not conn.exec_driver_sql("SELECT 1 FROM customer_facts LIMIT 1").first():
        return [], []
    return facts.scoped_rows(conn, [int(c) for c in customers])


def _combine_facts(old: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    if old.empty:
        return fresh
    both = pd.concat([old[fresh.columns], fresh], ignore_index=True)
    grouped = both.groupby(["customer_id", "currency"], sort=True)
    sums = grouped[["orders", *SUMMED]].sum()
    firsts = grouped[["first_day", "first_month"]].min()
    lasts = grouped[["last_day"]].max()
    return pd.concat([sums, firsts, lasts], axis=1).reset_index()


def _days(frame: pd.DataFrame) -> pd.DataFrame:
    """``customer_days`` rows from order counts per customer, day and month (sorted by customer
    and day, one row each): first month, new-month flag, gap, retained and second-order flags
    as :func:`core.facts.refresh` writes them."""
    frame = frame.copy()
    c = frame["customer_id"].to_numpy(dtype="int64")
    d = frame["day"].to_numpy(dtype="int64")
    m = frame["month"].to_numpy(dtype="int64")
    n = frame["orders"].to_numpy(dtype="int64")
    first = np.r_[True, c[1:] != c[:-1]] if len(c) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(first)
    sizes = np.diff(np.r_[starts, len(c)])
    previous_month = np.r_[-1, m[:-1]][: len(m)]
    frame["first_month"] = np.repeat(m[starts], sizes)
    frame["new_month"] = (first | (m != previous_month)).astype("int64")
    gap = pd.array(d - np.r_[0, d[:-1]][: len(d)], dtype="Int64")
    gap[first] = pd.NA
    frame["gap"] = gap
    frame["retained"] = (~first & (previous_month == m - 1)).astype("int64")
    running = np.cumsum(n)
    running -= np.repeat(running[starts] - n[starts], sizes)  # orders so far, per customer
    frame["second_order"] = ((running >= 2) & (running - n <= 1)).astype("int64")
    return frame


def _totals(fresh: pd.DataFrame) -> dict[str, list[float]]:
    names = facts.TOTAL_COLUMNS[1:]
    sums = fresh.groupby("currency")[names].sum()
    return {
        str(c): [float(v) for v in row] for c, row in zip(sums.index, sums.to_numpy(), strict=True)
    }


def _counts(fact_rows: pd.DataFrame, day_rows: pd.DataFrame) -> dict[tuple[str, int], int]:
    """What :func:`core.facts.refresh` counts into ``fact_counts`` for these rows."""
    per_customer = fact_rows.groupby("customer_id")["orders"].sum()
    out: dict[tuple[str, int], int] = {
        ("customers", 0): len(per_customer),
        ("repeat", 0): int((per_customer >= 2).sum()),
    }
    starts = day_rows[day_rows["new_month"] == 1]
    cohort = starts["first_month"].to_numpy(dtype="int64") * facts.MONTH_SPAN + starts[
        "month"
    ].to_numpy(dtype="int64")
    gaps = day_rows["gap"].dropna().to_numpy(dtype="int64")
    retained = day_rows.loc[day_rows["retained"] == 1, "month"].to_numpy(dtype="int64")
    second = day_rows.loc[day_rows["second_order"] == 1, "month"].to_numpy(dtype="int64")
    for kind, values in (
        ("cohort", cohort),
        ("gap", gaps),
        ("retained", retained),
        ("second", second),
    ):
        buckets, counts = np.unique(values, return_counts=True)
        out.update({(kind, int(b)): int(n) for b, n in zip(buckets, counts, strict=True)})
    return {k: n for k, n in out.items() if n}
