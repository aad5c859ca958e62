"""All headline KPIs of a window in one plain dict (for the CLI and exports), and the
role-checked CSV export of any KPI table."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from core.auth import Action, Actor, require
from core.csvout import CsvFormat, to_csv_bytes
from core.metrics import delivery, experience, frames, retention, sales, satisfaction
from core.metrics.types import Filters, Period


def _num(value: float | None, digits: int) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def kpi_summary(
    engine: Engine, period: Period | None, filters: Filters | None = None
) -> dict[str, Any]:
    """Every headline KPI over ``period`` (all data when None). Amounts are in the store
    currency (2 decimals), shares as fractions (4 decimals), CSAT and NPS on 0-100 scales."""
    filters = filters or Filters()
    with frames.scope(engine, filters, as_of=period.end if period else None) as sc:
        currency = sc.settings.currency
        orders = frames.orders_frame(sc, period)
        refunds = frames.refunds_frame(sc, period)
        coupons = frames.coupon_frame(sc, period)
        reviews = experience.reviews_frame(sc, period)
        reviewed = experience.reviews_frame(sc, None)["order_id"]
        on_time = experience.on_time_counts(sc, period)
    s = sales.summary(orders, refunds, coupons)
    r = satisfaction.rating_summary(reviews)
    by_currency = sales.revenue_by_currency(orders)
    cohorts = retention.cohort_matrix(orders)
    return {
        "period": {"since": str(period.start), "until": str(period.end)} if period else "all data",
        "currency": currency,
        "orders": s.orders,
        "customers": s.customers,
        "gross_revenue": _num(s.gross_revenue, 2),
        "discounts": _num(s.discounts, 2),
        "refunds": _num(s.refunds, 2),
        "coupon_cost": _num(s.coupon_cost, 2),
        "net_revenue": _num(s.net_revenue, 2),
        "aov": _num(s.aov, 2),
        "net_aov": _num(s.net_aov, 2),
        "purchase_frequency": _num(s.purchase_frequency, 4),
        "repeat_purchase_rate": _num(s.repeat_purchase_rate, 4),
        "median_days_between_orders": _num(retention.median_days_between_orders(orders), 1),
        "historical_clv": _num(retention.historical_clv(s.net_revenue, s.customers), 2),
        "avg_rating": _num(r.avg_rating, 4),
        "review_count": r.reviews,
        "review_rate": _num(satisfaction.review_rate(orders, reviewed), 4),
        "csat": _num(r.csat, 2),
        "nps": _num(r.nps, 2),
        "on_time_delivery_rate": _num(delivery.rate_from_counts(on_time), 4),
        "cohort_sizes": {str(k): int(v) for k, v in cohorts["customers"].to_dict().items()},
        "cohort_retention": retention.cohort_dict(cohorts),
        "revenue_by_currency": {
            str(row["currency"]): {
                "orders": int(row["orders"]),
                "amount": _num(float(row["amount"]), 2),
                "in_store_currency": _num(float(row["gross_revenue"]), 2),
            }
            for row in by_currency.to_dict("records")
        },
    }


def export_csv(actor: Actor, frame: pd.DataFrame, fmt: CsvFormat | None = None) -> bytes:
    """A KPI table as CSV bytes in the analyst's format; only roles that may export data."""
    require(actor, Action.EXPORT_DATA)
    return to_csv_bytes(frame, fmt)
