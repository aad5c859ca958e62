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

from core import facts
from core.importers.job import table
from core.importers.writer import Writer

SUMMED = [n for n, _ in facts.MEASURES]
DAY_ZERO = np.datetime64("1970-01-01", "D")


def merge_new_orders(writer: Writer, orders: pd.DataFrame) -> None:
    """Add the facts of ``orders`` (rows just inserted: ``customer_id``, ``placed_date``,
    ``currency``, amounts, moments, status) to the stored facts."""
    valid = orders[_valid(orders)]
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
    new_days = _days(pd.concat([old_days[["customer_id", "day", "month", "orders"]], fresh_days]))
    facts.delete_rows(conn, known)
    writer.insert(table("customer_facts"), new_facts[facts.FACT_COLUMNS])
    writer.insert(table("customer_days"), new_days[facts.DAY_COLUMNS])
    facts.add_to_totals(conn, {}, _totals(fresh_facts))
    facts.add_to_counts(conn, _counts(old_facts, old_days), _counts(new_facts, new_days))


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
    return pd.to_numeric(orders[column]).fillna(0.0).to_numpy(dtype="float64")


def _moment(orders: pd.DataFrame, column: str) -> pd.Series:
    if column in orders:
        return orders[column]
    return pd.Series(pd.NaT, index=orders.index, dtype="datetime64[us, UTC]")


def _aggregates(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per customer and currency the ``customer_facts`` columns of these orders alone, and per
    customer and local day their order count."""
    dates = orders["placed_date"].to_numpy(dtype="datetime64[D]")
    days = (dates - DAY_ZERO).astype("int64")
    months = dates.astype("datetime64[M]").astype("int64")
    promised = _moment(orders, "promised_delivery_at")
    done = _moment(orders, "delivered_at")
    delivered = (promised.notna() & done.notna()).to_numpy(dtype=bool)
    on_time = delivered & (done <= promised).fillna(False).to_numpy(dtype=bool)
    refunded = _amount(orders, "refunded_amount")
    refunded = np.where((refunded > 0) & _moment(orders, "refunded_at").notna(), refunded, 0.0)
    per_order = pd.DataFrame(
        {
            "customer_id": orders["customer_id"].to_numpy(dtype="int64"),
            "currency": orders["currency"].astype(str).to_numpy(),
            "orders": 1,
            "gross": _amount(orders, "total"),
            "discount": _amount(orders, "discount_amount"),
            "refunds": refunded,
            "first_day": days,
            "first_month": months,
            "last_day": days,
            "delivered": delivered.astype("int64"),
            "on_time": on_time.astype("int64"),
        }
    )
    for name in SUMMED[5:]:  # review counts: new orders have no review yet
        per_order[name] = 0
    grouped = per_order.groupby(["customer_id", "currency"], sort=True)
    sums = grouped[[c for c in facts.FACT_COLUMNS if c in _ADDED]].sum()
    firsts = grouped[["first_day", "first_month"]].min()
    lasts = grouped[["last_day"]].max()
    fact_rows = pd.concat([sums, firsts, lasts], axis=1).reset_index()
    per_day = (
        per_order.assign(day=days, month=months)
        .groupby(["customer_id", "day", "month"], sort=False)
        .size()
        .rename("orders")
        .reset_index()
    )
    return fact_rows, per_day


_ADDED = {"orders", *SUMMED}


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
    sums = grouped[[c for c in facts.FACT_COLUMNS if c in _ADDED]].sum()
    firsts = grouped[["first_day", "first_month"]].min()
    lasts = grouped[["last_day"]].max()
    return pd.concat([sums, firsts, lasts], axis=1).reset_index()


def _days(per_day: pd.DataFrame) -> pd.DataFrame:
    """``customer_days`` rows from order counts per customer, day and month (days may repeat:
    they are added): first month, new-month flag and gap as :func:`core.facts.refresh` writes
    them."""
    grouped = per_day.groupby(["customer_id", "day", "month"], sort=True)["orders"].sum()
    frame = grouped.reset_index()
    c = frame["customer_id"].to_numpy(dtype="int64")
    d = frame["day"].to_numpy(dtype="int64")
    m = frame["month"].to_numpy(dtype="int64")
    first = np.r_[True, c[1:] != c[:-1]] if len(c) else np.zeros(0, dtype=bool)
    starts = np.flatnonzero(first)
    frame["first_month"] = np.repeat(m[starts], np.diff(np.r_[starts, len(c)]))
    frame["new_month"] = (first | (m != np.r_[-1, m[:-1]][: len(m)])).astype("int64")
    gap = pd.array(d - np.r_[0, d[:-1]][: len(d)], dtype="Int64")
    gap[first] = pd.NA
    frame["gap"] = gap
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
    for kind, values in (("cohort", cohort), ("gap", gaps)):
        buckets, counts = np.unique(values, return_counts=True)
        out.update({(kind, int(b)): int(n) for b, n in zip(buckets, counts, strict=True)})
    return {k: n for k, n in out.items() if n}
