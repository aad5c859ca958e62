"""The all-time headline KPIs from the per-customer facts (:mod:`core.facts`), without pandas.

``kpis --json`` without a period reads this: a handful of SQL aggregates over one row per
customer (``customer_facts``) and per customer-day (``customer_days``), plus the small coupons
table. The result equals :func:`core.metrics.summary.kpi_summary` with no period and no
filters, key for key (``tests/core/test_fastkpis.py`` proves it on hand-made data and on the
real retail file); that function stays the reference and serves every period and filter.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, text

from core.errors import ValidationError

# Only SQLAlchemy Core here: the ORM models, core.settings and Alembic cost more to import than
# these queries take. core.facts (and the models) are imported only to build missing facts.
DEFAULT_CURRENCY = "EUR"
"""``core.settings.StoreSettings().currency`` (tests/core/test_fastkpis.py checks it)."""
FACTS_META_KEY = "_customer_facts"
FACTS_VERSION = 4
"""``core.facts.FACTS_META_KEY`` and ``FACTS_VERSION`` (checked by the same test)."""


@dataclass(frozen=True)
class MoneySettings:
    """The settings these KPIs need: the store currency and the exchange rates."""

    currency: str
    exchange_rates: dict[str, Decimal]

    def rate(self, currency: str) -> float:
        return 1.0 if currency == self.currency else float(self.exchange_rates[currency])


_VALID = "o.cancelled_at IS NULL AND o.status <> 'cancelled' AND o.is_test = false"
_WORKFLOW_COUPON = (
    "c.workflow_id IS NOT NULL AND c.redeemed_at IS NOT NULL AND c.redeemed_order_id IS NOT NULL"
)

BY_CURRENCY = text(
    """SELECT currency, orders, gross, discount, refunds, delivered, on_time, reviews, rating_sum,
  satisfied, nps_answers, promoters, detractors FROM currency_totals"""
)
COUNTS = text("SELECT kind, bucket, n FROM fact_counts")
MONTH_SPAN = 8192
"""``core.facts.MONTH_SPAN`` (checked by tests/core/test_fastkpis.py)."""
COUPON_COSTS = text(
    f"""SELECT COALESCE(c.currency, o.currency), SUM(COALESCE(c.cost, 0)) FROM coupons c
JOIN orders o ON o.id = c.redeemed_order_id WHERE {_WORKFLOW_COUPON} AND {_VALID}
GROUP BY COALESCE(c.currency, o.currency)"""
)


def _num(value: float | None, digits: int) -> float | None:
    if value is None or math.isnan(value):
        return None
    return round(float(value), digits)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _rates(settings: MoneySettings, currencies: list[str]) -> dict[str, float]:
    known = {settings.currency, *settings.exchange_rates}
    missing = sorted(c for c in currencies if c not in known)
    if missing:
        raise ValidationError(
            f"No exchange rate from {', '.join(missing)} to {settings.currency}.",
            field="exchange_rates",
            hint="Add it on the Settings page or with `settings set rate.XXX VALUE`.",
        )
    return {c: settings.rate(c) for c in currencies}


def _label(month: int) -> str:
    return f"{1970 + month // 12:04d}-{month % 12 + 1:02d}"


def _median(histogram: list[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs in ascending order."""
    total = sum(n for _, n in histogram)
    if not total:
        return None
    lo_rank, hi_rank = (total - 1) // 2, total // 2
    seen, lo = 0, None
    for value, n in histogram:
        if lo is None and seen + n > lo_rank:
            lo = value
        if seen + n > hi_rank:
            return (float(lo if lo is not None else value) + float(value)) / 2
        seen += n
    return None


def _cohorts(rows: list[tuple[int, int, int]]) -> tuple[dict[str, int], dict[str, list[float]]]:
    if not rows:
        return {}, {}
    end = max(month for _, month, _ in rows)
    counts: dict[int, dict[int, int]] = {}
    for first, month, n in rows:
        counts.setdefault(int(first), {})[int(month)] = int(n)
    sizes: dict[str, int] = {}
    shares: dict[str, list[float]] = {}
    for first, by_month in sorted(counts.items()):
        size = by_month[first]
        sizes[_label(first)] = size
        shares[_label(first)] = [
            round(by_month.get(m, 0) / size, 4) for m in range(first, int(end) + 1)
        ]
    return sizes, shares


def _meta(conn: Connection) -> dict[str, Any]:
    rows = conn.execute(
        text("SELECT key, value FROM settings WHERE key IN ('currency', 'exchange_rates', :m)"),
        {"m": FACTS_META_KEY},
    ).all()
    sqlite = conn.dialect.name == "sqlite"
    return {str(k): json.loads(v) if sqlite and isinstance(v, str) else v for k, v in rows}


def _split_counts(rows: list[tuple[str, int, int]]) -> dict[str, Any]:
    """``fact_counts`` rows as customers/repeat, cohort cells and the gap histogram."""
    by_kind: dict[str, list[tuple[int, int]]] = {}
    for kind, bucket, n in rows:
        by_kind.setdefault(kind, []).append((bucket, n))
    single = {kind: sum(n for _, n in by_kind.get(kind, [])) for kind in ("customers", "repeat")}
    return {
        "customers": (single["customers"], single["repeat"]),
        "cohorts": [
            (b // MONTH_SPAN, b % MONTH_SPAN, n) for b, n in sorted(by_kind.get("cohort", []))
        ],
        "gaps": sorted(by_kind.get("gap", [])),
    }


def _read(conn: Connection) -> dict[str, Any]:
    return {
        "by_currency": [tuple(r) for r in conn.execute(BY_CURRENCY)],
        **_split_counts([(str(k), int(b), int(n)) for k, b, n in conn.execute(COUNTS)]),
        "coupon_costs": [tuple(r) for r in conn.execute(COUPON_COSTS)],
    }


def kpi_summary_all_time(engine: Engine) -> dict[str, Any]:
    """:func:`core.metrics.summary.kpi_summary` over all data, no filters, from the facts
    (built first if this database has none yet)."""
    with engine.connect() as conn:
        meta = _meta(conn)
        if meta.get(FACTS_META_KEY) != FACTS_VERSION:
            conn.rollback()
            _build(engine)
        data = _read(conn)
        conn.rollback()
    rates = meta.get("exchange_rates") or {}
    settings = MoneySettings(
        str(meta.get("currency") or DEFAULT_CURRENCY),
        {str(k): Decimal(str(v)) for k, v in rates.items()},
    )
    return summarize(settings, data)


def _build(engine: Engine) -> None:
    from sqlalchemy.orm import Session

    from core import facts

    with Session(engine) as session:
        facts.ensure(session)
        session.commit()


def summarize(settings: MoneySettings, data: dict[str, Any]) -> dict[str, Any]:
    rows = data["by_currency"]
    order = [settings.currency, *sorted(set(settings.exchange_rates) - {settings.currency})]
    found = {str(r[0]) for r in rows}
    currencies = [c for c in order if c in found] + sorted(found - set(order))
    coupon_currencies = [str(c) for c, _ in data["coupon_costs"] if c is not None]
    rates = _rates(settings, sorted(set(currencies) | set(coupon_currencies)))
    col = {str(r[0]): [float(v or 0) for v in r[1:]] for r in rows}

    def total(i: int, converted: bool = True) -> float:
        return sum(col[c][i] * (rates[c] if converted else 1.0) for c in currencies)

    orders = int(total(0, converted=False))
    customers, repeat = (int(v or 0) for v in data["customers"])
    gross, discount, refunds = total(1), total(2), total(3)
    coupon_cost = sum(float(v or 0) * rates[str(c)] for c, v in data["coupon_costs"] if c)
    net = gross - refunds  # discounts and coupon cost are inside the totals: their own figures
    delivered, on_time = total(4, False), total(5, False)
    reviews, rating_sum, satisfied = total(6, False), total(7, False), total(8, False)
    nps_answers, promoters, detractors = total(9, False), total(10, False), total(11, False)
    sizes, retention = _cohorts(data["cohorts"])
    return {
        "period": "all data",
        "currency": settings.currency,
        "orders": orders,
        "customers": customers,
        "gross_revenue": _num(gross, 2),
        "discounts": _num(discount, 2),
        "refunds": _num(refunds, 2),
        "coupon_cost": _num(coupon_cost, 2),
        "net_revenue": _num(net, 2),
        "aov": _num(_ratio(gross, orders), 2),
        "net_aov": _num(_ratio(net, orders), 2),
        "purchase_frequency": _num(_ratio(orders, customers), 4),
        "repeat_purchase_rate": _num(_ratio(repeat, customers), 4),
        "median_days_between_orders": _num(_median(data["gaps"]), 1),
        "historical_clv": _num(_ratio(net, customers), 2),
        "avg_rating": _num(_ratio(rating_sum, reviews), 4),
        "review_count": int(reviews),
        "review_rate": _num(_ratio(reviews, orders), 4),
        "csat": _num(_ratio(100.0 * satisfied, reviews), 2),
        "nps": _num(_ratio(100.0 * (promoters - detractors), nps_answers), 2),
        "on_time_delivery_rate": _num(_ratio(on_time, delivered), 4),
        "cohort_sizes": sizes,
        "cohort_retention": retention,
        "revenue_by_currency": {
            c: {
                "orders": int(col[c][0]),
                "amount": _num(col[c][1], 2),
                "in_store_currency": _num(col[c][1] * rates[c], 2),
            }
            for c in currencies
            if col[c][0] > 0
        },
    }
