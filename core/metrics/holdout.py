"""Holdout outcomes per customer and the workflow's holdout lift (intention-to-treat over a
fixed window after entry; statistics in :mod:`core.metrics.lift`)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select

from core.metrics import lift
from core.metrics.query import Scope, money
from core.models import Enrolment, Order

DEFAULT_WINDOW_DAYS = 60


def _utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True)


def holdout_outcomes(
    sc: Scope, workflow_id: int, window_days: int, as_of: dt.datetime
) -> pd.DataFrame:
    """One row per customer enrolled in the workflow (first entry) whose window ended by
    ``as_of``: ``holdout`` flag, ``converted`` (>= 1 valid order within ``window_days`` after
    entry) and ``revenue`` (net revenue: total - refunds, store currency)."""
    stmt = select(Enrolment.customer_id, Enrolment.entered_at, Enrolment.is_holdout).where(
        Enrolment.workflow_id == workflow_id
    )
    enrol = pd.DataFrame.from_records(
        sc.conn.execute(stmt).all(), columns=["customer_id", "entered_at", "holdout"]
    )
    enrol["entered_at"] = _utc(enrol["entered_at"])
    enrol = enrol.sort_values("entered_at").drop_duplicates("customer_id")
    window = pd.Timedelta(days=window_days)
    enrol = enrol[enrol["entered_at"] + window <= pd.Timestamp(as_of)]
    if enrol.empty:
        return enrol.assign(converted=pd.Series(dtype=bool), revenue=pd.Series(dtype="float64"))
    members = select(Enrolment.customer_id).where(Enrolment.workflow_id == workflow_id)
    ostmt = select(
        Order.customer_id,
        Order.placed_at,
        Order.currency,
        money(Order.total),
        money(Order.refunded_amount),
    ).where(
        *sc.order_conditions(None),
        Order.customer_id.in_(members),
        Order.placed_at > enrol["entered_at"].min().to_pydatetime(),
    )
    orders = pd.DataFrame.from_records(
        sc.conn.execute(ostmt).all(),
        columns=["customer_id", "placed_at", "currency", "total", "refund"],
    )
    rates = {c: float(sc.settings.rate(c)) for c in orders["currency"].unique()}
    orders["net"] = (orders["total"] - orders["refund"]) * orders["currency"].map(rates).astype(
        "float64"
    )
    orders["placed_at"] = _utc(orders["placed_at"])
    joined = orders.merge(enrol[["customer_id", "entered_at"]], on="customer_id")
    inside = joined[
        (joined["placed_at"] > joined["entered_at"])
        & (joined["placed_at"] <= joined["entered_at"] + window)
    ]
    per = inside.groupby("customer_id")["net"].agg(["size", "sum"])
    enrol["converted"] = enrol["customer_id"].map(per["size"]).fillna(0).to_numpy() > 0
    enrol["revenue"] = enrol["customer_id"].map(per["sum"]).fillna(0.0).astype("float64").to_numpy()
    return enrol.reset_index(drop=True)


def workflow_lift(
    sc: Scope,
    workflow_id: int,
    window_days: int = DEFAULT_WINDOW_DAYS,
    as_of: dt.datetime | None = None,
    seed: int = 0,
) -> lift.LiftResult | None:
    """Holdout lift (intention-to-treat) over ``window_days`` after entry; None without both
    treated and holdout customers whose window has ended."""
    outcomes = holdout_outcomes(sc, workflow_id, window_days, as_of or dt.datetime.now(dt.UTC))
    treated, control = (
        outcomes[~outcomes["holdout"].astype(bool)],
        outcomes[outcomes["holdout"].astype(bool)],
    )
    if treated.empty or control.empty:
        return None
    return lift.holdout_lift(
        treated["converted"].to_numpy(),
        control["converted"].to_numpy(),
        treated["revenue"].to_numpy(),
        control["revenue"].to_numpy(),
        np.random.default_rng(seed),
        window_days,
    )
