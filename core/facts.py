"""Per-customer facts (``customer_facts``) and customer activity (``customer_days``), kept up to
date on every write in the writer's own transaction, so the all-time KPIs (repeat rate, cohorts,
CLV, time between orders, RFM inputs) are aggregates over one row per customer instead of scans
of every order.

How they stay right whatever writes:

- ORM writes (the order-state function, live ingest, erasure, anything that adds, changes or
  deletes an ``Order``, ``Shipment``, ``Review`` or ``Customer`` through a session) are noticed
  by an ``after_flush`` listener; the customers concerned are refreshed just before the
  session commits (``before_commit``), inside the same transaction.
- Bulk Core writes say what they touched: :func:`touch` (customer ids), :func:`touch_orders`
  (order ids) or :func:`touch_all` (a full rebuild, e.g. a time-zone change or a large import).
- A refresh deletes the customers' rows and recomputes them from orders, shipments and reviews
  with two ``INSERT ... SELECT`` statements; the kept sums and counts (``currency_totals``,
  ``fact_counts``, ``rfm_cells``) get the difference. :func:`check` compares the stored rows with
  a full recomputation (tests run it after every kind of write).

A database created before these tables existed is filled once by :func:`ensure` (``init`` and
the fast KPI path call it).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

from sqlalchemy import Connection, event, inspect, select, text
from sqlalchemy.orm import Session, UOWTransaction

from core.meta import get_meta, set_meta
from core.models.customers import Customer
from core.models.facts import CurrencyTotal, CustomerDay, CustomerFact
from core.models.orders import Order, Review, Shipment

FACTS_META_KEY = "_customer_facts"
FACTS_VERSION = 4
"""Stored under :data:`FACTS_META_KEY` once the facts were built for the whole database."""
REBUILD_ABOVE = 50_000
"""Refreshing more customers than this rebuilds everything (one scan beats many lookups)."""

_CUSTOMERS, _ORDERS, _ALL = "facts.customers", "facts.orders", "facts.all"
_VALID = "o.cancelled_at IS NULL AND o.status <> 'cancelled' AND o.is_test = false"


def touch(session: Session, customer_ids: Iterable[int]) -> None:
    """Refresh these customers' facts when ``session`` commits."""
    session.info.setdefault(_CUSTOMERS, set()).update(int(c) for c in customer_ids)


def touch_orders(session: Session, order_ids: Iterable[int]) -> None:
    """Refresh the facts of these orders' customers (as of the commit) when ``session`` commits."""
    session.info.setdefault(_ORDERS, set()).update(int(o) for o in order_ids)


def touch_orders_now(session: Session, order_ids: Sequence[int]) -> None:
    """Refresh at commit the customers these orders belong to now (before an update may move
    them to another customer)."""
    if len(order_ids) > REBUILD_ABOVE:
        touch_all(session)
        return
    if order_ids:
        conn = session.connection()
        found = conn.execute(
            text(
                f"SELECT DISTINCT o.customer_id FROM orders o WHERE {_scope(conn.dialect.name, 'o.id')}"
            ),
            {"ids": _ids_param(conn, order_ids)},
        ).scalars()
        touch(session, found)


def touch_demo(session: Session) -> None:
    """Refresh at commit the customers of the demo orders as they are now."""
    found = session.execute(select(Order.customer_id).where(Order.is_demo).distinct()).scalars()
    touch(session, found)


def touch_all(session: Session) -> None:
    """Rebuild every customer's facts when ``session`` commits."""
    session.info[_ALL] = True


def pending(session: Session) -> bool:
    return bool(session.info.get(_ALL) or session.info.get(_CUSTOMERS) or session.info.get(_ORDERS))


def _day(dialect: str) -> str:
    if dialect == "sqlite":
        return "CAST(julianday(o.placed_date) - 2440587.5 AS INTEGER)"
    return "(o.placed_date - DATE '1970-01-01')"


def _month(dialect: str) -> str:
    if dialect == "sqlite":
        return (
            "((CAST(substr(o.placed_date, 1, 4) AS INTEGER) - 1970) * 12"
            " + CAST(substr(o.placed_date, 6, 2) AS INTEGER) - 1)"
        )
    return (
        "((CAST(EXTRACT(YEAR FROM o.placed_date) AS INTEGER) - 1970) * 12"
        " + CAST(EXTRACT(MONTH FROM o.placed_date) AS INTEGER) - 1)"
    )


def _scope(dialect: str, column: str) -> str:
    if dialect == "sqlite":
        return f"{column} IN (SELECT value FROM json_each(:ids))"
    return f"{column} = ANY(:ids)"


def _source(dialect: str, scoped: bool) -> str:
    """Valid orders (of the scoped customers) with their shipments' state and their review."""
    where = f" AND {_scope(dialect, 'o.customer_id')}" if scoped else ""
    ship_where = (
        f" WHERE order_id IN (SELECT o.id FROM orders o WHERE {_scope(dialect, 'o.customer_id')})"
        if scoped
        else ""
    )
    done = "COALESCE(delivered_at, ready_for_pickup_at)"
    return f"""FROM orders o
LEFT JOIN (
  SELECT order_id, COUNT(*) AS n, COUNT({done}) AS done, MAX({done}) AS last_done
  FROM shipments{ship_where} GROUP BY order_id
) s ON s.order_id = o.id
LEFT JOIN reviews r ON r.order_id = o.id
WHERE {_VALID}{where}"""


_DELIVERED = "o.promised_delivery_at IS NOT NULL AND s.n = s.done"
MEASURES: list[tuple[str, str]] = [
    ("gross", "SUM(COALESCE(o.total, 0))"),
    ("discount", "SUM(COALESCE(o.discount_amount, 0))"),
    (
        "refunds",
        "SUM(CASE WHEN o.refunded_amount > 0 AND o.refunded_at IS NOT NULL "
        "THEN o.refunded_amount ELSE 0 END)",
    ),
    ("delivered", f"SUM(CASE WHEN {_DELIVERED} THEN 1 ELSE 0 END)"),
    (
        "on_time",
        f"SUM(CASE WHEN {_DELIVERED} AND s.last_done <= o.promised_delivery_at THEN 1 ELSE 0 END)",
    ),
    ("reviews", "COUNT(r.id)"),
    ("rating_sum", "COALESCE(SUM(r.rating), 0)"),
    ("satisfied", "SUM(CASE WHEN r.rating >= 4 THEN 1 ELSE 0 END)"),
    ("nps_answers", "COUNT(r.nps)"),
    ("promoters", "SUM(CASE WHEN r.nps >= 9 THEN 1 ELSE 0 END)"),
    ("detractors", "SUM(CASE WHEN r.nps <= 6 THEN 1 ELSE 0 END)"),
]
"""Per-order sums kept per customer and currency, in ``customer_facts`` column order (after
``orders``; the day columns sit between ``refunds`` and ``delivered``)."""


def _fact_list(count: str, measures: list[str], first: str, month: str, last: str) -> str:
    return ", ".join([count, *measures[:3], first, month, last, *measures[3:]])


def _facts_select(dialect: str, scoped: bool) -> str:
    day, month = _day(dialect), _month(dialect)
    listed = _fact_list(
        "COUNT(*)", [m for _, m in MEASURES], f"MIN({day})", f"MIN({month})", f"MAX({day})"
    )
    return f"""
SELECT o.customer_id, o.currency, {listed}
{_source(dialect, scoped)}
GROUP BY o.customer_id, o.currency"""


def _days_select(dialect: str, scoped: bool, per_day: str | None = None) -> str:
    """Customer days with first month, new-month flag and gap, from ``per_day`` (a select of
    ``customer_id, day, month, n``; default: grouped from the orders)."""
    if per_day is None:
        where = f" AND {_scope(dialect, 'o.customer_id')}" if scoped else ""
        per_day = f"""SELECT o.customer_id AS customer_id, {_day(dialect)} AS day,
    {_month(dialect)} AS month, COUNT(*) AS n
  FROM orders o WHERE {_VALID}{where}
  GROUP BY 1, 2, 3"""
    return f"""
SELECT customer_id, day, month,
  MIN(month) OVER (PARTITION BY customer_id),
  CASE WHEN LAG(month) OVER w = month THEN 0 ELSE 1 END,
  day - LAG(day) OVER w,
  n,
  CASE WHEN LAG(month) OVER w = month - 1 THEN 1 ELSE 0 END,
  CASE WHEN SUM(n) OVER w_run >= 2 AND SUM(n) OVER w_run - n <= 1 THEN 1 ELSE 0 END
FROM ({per_day}) g
WINDOW w AS (PARTITION BY customer_id ORDER BY day),
  w_run AS (PARTITION BY customer_id ORDER BY day ROWS UNBOUNDED PRECEDING)"""


STAGE = "facts_stage"


def _rebuild_from_stage(conn: Connection) -> None:
    """Refill both tables (emptied by the caller) from one scan of the orders: valid orders
    grouped by customer, currency and local day into a temporary table, then aggregated."""
    dialect = conn.dialect.name
    names = [n for n, _ in MEASURES]
    listed = ", ".join(f"{m} AS {n}" for n, m in MEASURES)
    conn.execute(text(f"DROP TABLE IF EXISTS {STAGE}"))
    conn.execute(
        text(
            f"CREATE TEMPORARY TABLE {STAGE} AS SELECT o.customer_id AS customer_id, "
            f"o.currency AS currency, {_day(dialect)} AS day, {_month(dialect)} AS month, "
            f"COUNT(*) AS n, {listed} {_source(dialect, False)} GROUP BY 1, 2, 3, 4"
        )
    )
    try:
        sums = _fact_list(
            "SUM(n)", [f"SUM({n})" for n in names], "MIN(day)", "MIN(month)", "MAX(day)"
        )
        conn.execute(
            text(
                f"INSERT INTO customer_facts ({', '.join(FACT_COLUMNS)}) "
                f"SELECT customer_id, currency, {sums} FROM {STAGE} GROUP BY customer_id, currency"
            )
        )
        per_day = (
            f"SELECT customer_id, day, month, SUM(n) AS n FROM {STAGE} "
            "GROUP BY customer_id, day, month"
        )
        conn.execute(
            text(
                f"INSERT INTO customer_days ({', '.join(DAY_COLUMNS)})"
                + _days_select(dialect, False, per_day)
            )
        )
    finally:
        conn.execute(text(f"DROP TABLE {STAGE}"))


FACT_COLUMNS = [c.name for c in CustomerFact.__table__.columns]
DAY_COLUMNS = [c.name for c in CustomerDay.__table__.columns]
TOTAL_COLUMNS = [c.name for c in CurrencyTotal.__table__.columns]
_FLOATS = {"gross", "discount", "refunds"}
_SUMS = ", ".join(f"SUM({c})" for c in TOTAL_COLUMNS[1:])


def _ids_param(conn: Connection, ids: Sequence[int]) -> Any:
    return json.dumps(list(ids)) if conn.dialect.name == "sqlite" else list(ids)


def refresh(conn: Connection, customer_ids: Sequence[int] | None) -> None:
    """Recompute the facts of ``customer_ids`` (every customer when None) in ``conn``'s
    transaction."""
    dialect = conn.dialect.name
    if customer_ids is not None and len(customer_ids) > REBUILD_ABOVE:
        customer_ids = None
    scoped = customer_ids is not None
    if scoped and not customer_ids:
        return
    params = {"ids": _ids_param(conn, customer_ids)} if customer_ids is not None else {}
    old = _sums(conn, params) if scoped else {}
    old_counts = _counts(conn, params) if scoped else {}
    old_cells = _cells(conn, params) if scoped else {}
    if scoped:
        for name, columns, select_sql in (
            ("customer_facts", FACT_COLUMNS, _facts_select(dialect, scoped)),
            ("customer_days", DAY_COLUMNS, _days_select(dialect, scoped)),
        ):
            conn.execute(text(f"DELETE FROM {name} WHERE {_scope(dialect, 'customer_id')}"), params)
            conn.execute(text(f"INSERT INTO {name} ({', '.join(columns)}){select_sql}"), params)
        add_to_totals(conn, old, _sums(conn, params))
        add_to_counts(conn, old_counts, _counts(conn, params))
        add_to_cells(conn, old_cells, _cells(conn, params))
    else:
        conn.execute(text("DELETE FROM customer_facts"))
        conn.execute(text("DELETE FROM customer_days"))
        _rebuild_from_stage(conn)
        conn.execute(text("DELETE FROM currency_totals"))
        conn.execute(
            text(
                f"INSERT INTO currency_totals ({', '.join(TOTAL_COLUMNS)}) "
                f"SELECT currency, {_SUMS} FROM customer_facts GROUP BY currency"
            )
        )
        conn.execute(text("DELETE FROM fact_counts"))
        conn.execute(
            text(f"INSERT INTO fact_counts (kind, bucket, n) {_counts_select(dialect, False)}")
        )
        rebuild_cells(conn)


def _sums(conn: Connection, params: dict[str, Any]) -> dict[str, list[float]]:
    """Per currency, the sums of the scoped customers' facts (TOTAL_COLUMNS order)."""
    where = f" WHERE {_scope(conn.dialect.name, 'customer_id')}" if params else ""
    rows = conn.execute(
        text(f"SELECT currency, {_SUMS} FROM customer_facts{where} GROUP BY currency"), params
    )
    return {str(r[0]): [float(v or 0) for v in r[1:]] for r in rows}


def add_to_totals(
    conn: Connection, old: dict[str, list[float]], new: dict[str, list[float]]
) -> None:
    """currency_totals += new - old, per currency; a currency left without orders goes."""
    names = TOTAL_COLUMNS[1:]
    zero = [0.0] * len(names)
    for currency in sorted(set(old) | set(new)):
        delta = [
            n - o for n, o in zip(new.get(currency, zero), old.get(currency, zero), strict=True)
        ]
        values = {
            name: (d if name in _FLOATS else round(d)) for name, d in zip(names, delta, strict=True)
        }
        found = conn.execute(
            text("SELECT 1 FROM currency_totals WHERE currency = :c"), {"c": currency}
        ).first()
        if found:
            sets = ", ".join(f"{n} = {n} + :{n}" for n in names)
            conn.execute(
                text(f"UPDATE currency_totals SET {sets} WHERE currency = :c"),
                {**values, "c": currency},
            )
        else:
            conn.execute(
                text(
                    f"INSERT INTO currency_totals ({', '.join(TOTAL_COLUMNS)}) "
                    f"VALUES (:c, {', '.join(':' + n for n in names)})"
                ),
                {**values, "c": currency},
            )
    conn.execute(text("DELETE FROM currency_totals WHERE orders <= 0"))


def scoped_rows(
    conn: Connection, customer_ids: Sequence[int]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The stored ``customer_facts`` and ``customer_days`` rows of these customers
    (FACT_COLUMNS / DAY_COLUMNS order); on PostgreSQL locked until the transaction ends."""
    if not customer_ids:
        return [], []
    dialect = conn.dialect.name
    lock = " FOR UPDATE" if dialect == "postgresql" else ""
    params = {"ids": _ids_param(conn, customer_ids)}
    where = _scope(dialect, "customer_id")
    found = []
    for name, columns in (("customer_facts", FACT_COLUMNS), ("customer_days", DAY_COLUMNS)):
        rows = conn.execute(
            text(f"SELECT {', '.join(columns)} FROM {name} WHERE {where}{lock}"), params
        )
        found.append([tuple(r) for r in rows])
    return found[0], found[1]


def delete_rows(conn: Connection, customer_ids: Sequence[int]) -> None:
    """Delete these customers' facts and days rows (the caller keeps the totals and counts)."""
    if not customer_ids:
        return
    params = {"ids": _ids_param(conn, customer_ids)}
    for name in ("customer_facts", "customer_days"):
        conn.execute(
            text(f"DELETE FROM {name} WHERE {_scope(conn.dialect.name, 'customer_id')}"), params
        )


MONTH_SPAN = 8192
"""A cohort bucket is first month x MONTH_SPAN + month (months since 1970 stay below it)."""


def _counts_select(dialect: str, scoped: bool) -> str:
    where = f" WHERE {_scope(dialect, 'customer_id')}" if scoped else ""
    also = f" AND {_scope(dialect, 'customer_id')}" if scoped else ""
    return f"""
SELECT 'customers', 0, COUNT(*) FROM (
  SELECT customer_id FROM customer_facts{where} GROUP BY customer_id) c
UNION ALL
SELECT 'repeat', 0, COUNT(*) FROM (
  SELECT customer_id FROM customer_facts{where} GROUP BY customer_id HAVING SUM(orders) >= 2) r
UNION ALL
SELECT 'cohort', first_month * {MONTH_SPAN} + month, COUNT(*) FROM customer_days
  WHERE new_month = 1{also} GROUP BY first_month, month
UNION ALL
SELECT 'gap', gap, COUNT(*) FROM customer_days WHERE gap IS NOT NULL{also} GROUP BY gap
UNION ALL
SELECT 'retained', month, COUNT(*) FROM customer_days WHERE retained = 1{also} GROUP BY month
UNION ALL
SELECT 'second', month, COUNT(*) FROM customer_days WHERE second_order = 1{also} GROUP BY month"""


def _counts(conn: Connection, params: dict[str, Any]) -> dict[tuple[str, int], int]:
    rows = conn.execute(text(_counts_select(conn.dialect.name, bool(params))), params)
    return {(str(k), int(b)): int(n) for k, b, n in rows if n}


def add_to_counts(
    conn: Connection, old: dict[tuple[str, int], int], new: dict[tuple[str, int], int]
) -> None:
    """fact_counts += new - old, in one statement for all buckets (a first import of a million
    orders changes about two thousand); buckets that fall to zero go."""
    deltas = [
        {"k": kind, "b": bucket, "d": new.get((kind, bucket), 0) - old.get((kind, bucket), 0)}
        for kind, bucket in sorted(set(old) | set(new))
    ]
    changed = [d for d in deltas if d["d"]]
    if changed:
        conn.execute(text(_UPSERT_COUNT), changed)
    conn.execute(text("DELETE FROM fact_counts WHERE n <= 0"))


_UPSERT_COUNT = (
    "INSERT INTO fact_counts (kind, bucket, n) VALUES (:k, :b, :d) "
    "ON CONFLICT (kind, bucket) DO UPDATE SET n = fact_counts.n + excluded.n"
)


def _cells_select(dialect: str, scoped: bool) -> str:
    """``rfm_cells`` rows of the (scoped) customers' facts: per last order day and order count,
    the customers (currency ``''``) and, per currency, their gross."""
    where = f" WHERE {_scope(dialect, 'customer_id')}" if scoped else ""
    return f"""
WITH p AS (
  SELECT customer_id, MAX(last_day) AS last_day, SUM(orders) AS orders
  FROM customer_facts{where} GROUP BY customer_id)
SELECT last_day, orders, '', COUNT(*), 0 FROM p GROUP BY last_day, orders
UNION ALL
SELECT p.last_day, p.orders, f.currency, COUNT(*), SUM(f.gross)
FROM p JOIN customer_facts f ON f.customer_id = p.customer_id
GROUP BY p.last_day, p.orders, f.currency"""


Cells = dict[tuple[int, int, str], tuple[int, float]]


def _cells(conn: Connection, params: dict[str, Any]) -> Cells:
    rows = conn.execute(text(_cells_select(conn.dialect.name, bool(params))), params)
    return {(int(d), int(o), str(c)): (int(n), float(g or 0)) for d, o, c, n, g in rows}


def rebuild_cells(conn: Connection) -> None:
    """Refill ``rfm_cells`` from every customer's facts."""
    conn.execute(text("DELETE FROM rfm_cells"))
    conn.execute(
        text(
            "INSERT INTO rfm_cells (last_day, orders, currency, customers, gross)"
            + _cells_select(conn.dialect.name, False)
        )
    )


def add_to_cells(conn: Connection, old: Cells, new: Cells) -> None:
    """rfm_cells += new - old, in one statement; cells left without customers go (only those
    that lost customers are looked at: a one-customer refresh does not scan the table)."""
    changed: list[dict[str, Any]] = []
    for key in sorted(set(old) | set(new)):
        (n_old, g_old), (n_new, g_new) = old.get(key, (0, 0.0)), new.get(key, (0, 0.0))
        if n_new != n_old or g_new != g_old:
            day, orders, currency = key
            changed.append(
                {"d": day, "o": orders, "c": currency, "n": n_new - n_old, "g": g_new - g_old}
            )
    if changed:
        conn.execute(text(_UPSERT_CELL), changed)
    shrunk = [c for c in changed if c["n"] < 0]
    if shrunk:
        conn.execute(
            text(
                "DELETE FROM rfm_cells WHERE last_day = :d AND orders = :o "
                "AND currency = :c AND customers <= 0"
            ),
            shrunk,
        )


_UPSERT_CELL = (
    "INSERT INTO rfm_cells (last_day, orders, currency, customers, gross) "
    "VALUES (:d, :o, :c, :n, :g) ON CONFLICT (last_day, orders, currency) DO UPDATE SET "
    "customers = rfm_cells.customers + excluded.customers, gross = rfm_cells.gross + excluded.gross"
)


def rebuild_pending(session: Session) -> bool:
    """A full rebuild will run when ``session`` commits."""
    return bool(session.info.get(_ALL))


def rebuild(session: Session) -> None:
    """Recompute every customer's facts and mark them built."""
    refresh(session.connection(), None)
    set_meta(session, FACTS_META_KEY, FACTS_VERSION)
    for key in (_CUSTOMERS, _ORDERS, _ALL):
        session.info.pop(key, None)


def built(session: Session) -> bool:
    return bool(get_meta(session, FACTS_META_KEY) == FACTS_VERSION)


def ensure(session: Session) -> bool:
    """Build the facts once for a database that has none yet; True when it did."""
    if built(session):
        return False
    rebuild(session)
    return True


def apply_pending(session: Session) -> None:
    """Refresh what this session touched (called before it commits)."""
    if not pending(session):
        return
    if session.info.get(_ALL):
        rebuild(session)
        return
    customers: set[int] = session.info.pop(_CUSTOMERS, set())
    orders: set[int] = session.info.pop(_ORDERS, set())
    conn = session.connection()
    if orders:
        found = conn.execute(
            select(Order.customer_id).where(Order.id.in_(sorted(orders))).distinct()
        ).scalars()
        customers.update(found)
    refresh(conn, sorted(customers))


def _collect(session: Session, _ctx: UOWTransaction) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Order):
            history = inspect(obj).attrs.customer_id.history
            touch(session, [c for c in chain(history.added, history.unchanged, history.deleted)])
            if obj.customer_id is not None:
                touch(session, [obj.customer_id])
        elif isinstance(obj, Shipment | Review) and obj.order_id is not None:
            touch_orders(session, [obj.order_id])
        elif isinstance(obj, Customer) and obj in session.deleted:
            touch(session, [obj.id])


def _before_commit(session: Session) -> None:
    # SQLAlchemy calls this before its own final flush: flush here, so that objects added
    # since the last flush (e.g. ``s.add(review)`` then commit) are collected too.
    session.flush()  # a no-op when nothing changed since the last flush
    if pending(session):
        apply_pending(session)


def _forget(session: Session) -> None:
    for key in (_CUSTOMERS, _ORDERS, _ALL):
        session.info.pop(key, None)


event.listen(Session, "after_flush", _collect)
event.listen(Session, "before_commit", _before_commit)
event.listen(Session, "after_rollback", _forget)


def recompute(conn: Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The facts and activity rows a full recomputation gives, sorted by key."""
    dialect = conn.dialect.name
    facts = sorted(tuple(r) for r in conn.execute(text(_facts_select(dialect, False))))
    days = sorted(tuple(r) for r in conn.execute(text(_days_select(dialect, False))))
    return facts, days


def stored(conn: Connection) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    facts = conn.execute(
        text(f"SELECT {', '.join(FACT_COLUMNS)} FROM customer_facts ORDER BY customer_id, currency")
    )
    days = conn.execute(
        text(f"SELECT {', '.join(DAY_COLUMNS)} FROM customer_days ORDER BY customer_id, day")
    )
    return [tuple(r) for r in facts], [tuple(r) for r in days]


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, str) or isinstance(y, str) or x is None or y is None:
            if x != y:
                return False
        elif not math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-6):
            return False
    return True


def _differing(
    have: Mapping[Any, tuple[Any, ...]], want: Mapping[Any, tuple[Any, ...]]
) -> list[Any]:
    """The keys whose stored and recomputed values differ (or that only one side has)."""
    return sorted(
        k
        for k in set(have) | set(want)
        if k not in have or k not in want or not _same(have[k], want[k])
    )


def check(conn: Connection) -> list[str]:
    """Differences between the stored facts and a full recomputation (empty when right)."""
    problems: list[str] = []
    for name, have, want in zip(
        ("customer_facts", "customer_days"), stored(conn), recompute(conn), strict=True
    ):
        if len(have) != len(want):
            problems.append(f"{name}: {len(have)} rows stored, {len(want)} recomputed")
        for h, w in zip(have, want, strict=False):
            if not _same(h, w):
                problems.append(f"{name}: stored {h}, recomputed {w}")
                break
    want_totals = _sums(conn, {})
    have_totals = {
        str(r[0]): [float(v) for v in r[1:]]
        for r in conn.execute(text(f"SELECT {', '.join(TOTAL_COLUMNS)} FROM currency_totals"))
    }
    if set(want_totals) != set(have_totals) or not all(
        _same(tuple(have_totals[c]), tuple(want_totals[c])) for c in want_totals
    ):
        problems.append(f"currency_totals: stored {have_totals}, summed {want_totals}")
    have_counts = {
        (str(k), int(b)): (int(n),)
        for k, b, n in conn.execute(text("SELECT kind, bucket, n FROM fact_counts"))
    }
    want_counts = {k: (n,) for k, n in _counts(conn, {}).items()}
    if wrong := _differing(have_counts, want_counts):
        problems.append(f"fact_counts differ at {wrong[:5]}")
    have_cells = {
        (int(d), int(o), str(c)): (int(n), float(g))
        for d, o, c, n, g in conn.execute(
            text("SELECT last_day, orders, currency, customers, gross FROM rfm_cells")
        )
    }
    if wrong := _differing(have_cells, _cells(conn, {})):
        problems.append(f"rfm_cells differ at {wrong[:5]}")
    return problems
