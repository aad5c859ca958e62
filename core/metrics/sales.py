"""Order and revenue KPIs over frames from :mod:`core.metrics.frames`.

Gross revenue is the sum of order totals as charged (after discounts and coupons); net revenue =
gross - refunds (on the refund date). Discounts (the orders' discount amounts) and coupon cost
(workflow coupons redeemed) are their own figures: the order totals already contain them, so they
are never subtracted again. All amounts are in the store currency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.metrics.types import Period, SalesSummary


def _in(frame: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    if period is None or frame.empty:
        return frame
    lo, hi = pd.Timestamp(period.start), pd.Timestamp(period.end)
    return frame[(frame["day"] >= lo) & (frame["day"] <= hi)]


def order_discounts(orders: pd.DataFrame) -> float:
    """The sum of the orders' discount amounts (coupon redemptions included)."""
    return float(orders["discount"].sum())


def summary(
    orders: pd.DataFrame,
    refunds: pd.DataFrame,
    coupons: pd.DataFrame,
    period: Period | None = None,
) -> SalesSummary:
    """Orders (count), customers (distinct with >= 1 order), repeat customers (>= 2 orders),
    gross revenue, discounts, refunds and coupon cost of the period (all rows when None)."""
    o, r, c = _in(orders, period), _in(refunds, period), _in(coupons, period)
    per_customer = o["customer_id"].value_counts()
    return SalesSummary(
        orders=len(o),
        customers=int(per_customer.size),
        repeat_customers=int((per_customer >= 2).sum()),
        gross_revenue=float(o["gross"].sum()),
        discounts=order_discounts(o),
        refunds=float(r["refund"].sum()),
        coupon_cost=float(c["cost"].sum()),
    )


def daily(
    orders: pd.DataFrame, refunds: pd.DataFrame, coupons: pd.DataFrame, period: Period
) -> pd.DataFrame:
    """One row per local date of ``period``: orders, customers (distinct that day), gross,
    discounts, refunds, coupon cost, net revenue (gross - refunds) and gross AOV (NaN on a day
    without orders)."""
    index = pd.DatetimeIndex(period.dates(), name="day")
    o, r, c = _in(orders, period), _in(refunds, period), _in(coupons, period)
    by_day = o.groupby("day")
    out = pd.DataFrame(
        {
            "orders": by_day.size(),
            "customers": by_day["customer_id"].nunique(),
            "gross_revenue": by_day["gross"].sum(),
            "discounts": by_day["discount"].sum(),
        }
    ).reindex(index)
    out["refunds"] = r.groupby("day")["refund"].sum().reindex(index)
    out["coupon_cost"] = c.groupby("day")["cost"].sum().reindex(index)
    out = out.fillna(0.0)
    out["orders"] = out["orders"].astype("int64")
    out["customers"] = out["customers"].astype("int64")
    out["net_revenue"] = out["gross_revenue"] - out["refunds"]
    out["aov"] = (out["gross_revenue"] / out["orders"]).where(out["orders"] > 0)
    return out


def cumulative_repeat_rate(orders: pd.DataFrame, period: Period) -> pd.Series:
    """Repeat purchase rate of the period so far, at the end of each of its days (the last
    value is the period's rate; NaN before the first order)."""
    o = _in(orders, period).sort_values(["customer_id", "day", "order_id"])
    rank = o.groupby("customer_id").cumcount()
    index = pd.DatetimeIndex(period.dates(), name="day")
    firsts = o.loc[rank.to_numpy() == 0, "day"].value_counts().reindex(index, fill_value=0).cumsum()
    seconds = (
        o.loc[rank.to_numpy() == 1, "day"].value_counts().reindex(index, fill_value=0).cumsum()
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        rate: pd.Series = (seconds / firsts.replace(0, np.nan)).rename("repeat_rate")
    return rate


def revenue_by(orders: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Orders, gross revenue (store currency) and its share per value of ``dimension``
    (``country``, ``channel`` or ``delivery_option``), largest first."""
    grouped = orders.groupby(dimension, observed=True).agg(
        orders=("order_id", "size"), gross_revenue=("gross", "sum")
    )
    total = grouped["gross_revenue"].sum()
    grouped["share"] = grouped["gross_revenue"] / total if total else np.nan
    return grouped.sort_values("gross_revenue", ascending=False).reset_index()


def revenue_by_currency(orders: pd.DataFrame) -> pd.DataFrame:
    """Per order currency: orders, the total in that currency, and gross revenue converted to
    the store currency. Never adds different currencies unconverted."""
    grouped = orders.groupby("currency", observed=True).agg(
        orders=("order_id", "size"), amount=("total", "sum"), gross_revenue=("gross", "sum")
    )
    return grouped[grouped["orders"] > 0].reset_index().astype({"currency": str})


def _month(frame: pd.DataFrame) -> pd.Series:
    months: pd.Series = frame["day"].dt.strftime("%Y-%m")
    return months


def monthly(orders: pd.DataFrame, refunds: pd.DataFrame, coupons: pd.DataFrame) -> pd.DataFrame:
    """Per local month ``YYYY-MM``: orders, customers, gross, refunds, discounts, coupon cost,
    net revenue (gross - refunds) and gross AOV."""
    o = orders.assign(month=_month(orders)).groupby("month")
    out = pd.DataFrame(
        {
            "orders": o.size(),
            "customers": o["customer_id"].nunique(),
            "gross_revenue": o["gross"].sum(),
            "discounts": o["discount"].sum(),
        }
    )
    out["refunds"] = refunds.assign(month=_month(refunds)).groupby("month")["refund"].sum()
    out["coupon_cost"] = coupons.assign(month=_month(coupons)).groupby("month")["cost"].sum()
    out = out.fillna(0.0).sort_index()
    out["net_revenue"] = out["gross_revenue"] - out["refunds"]
    out["aov"] = (out["gross_revenue"] / out["orders"]).where(out["orders"] > 0)
    return out.rename_axis("month").reset_index()
