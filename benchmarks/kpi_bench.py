"""KPI speed at a million orders.

    python benchmarks/kpi_bench.py [--orders 1000000] [--customers 250000] [--db PATH] [--keep]

Fills a SQLite database (the demo helper's ``core.demo.load`` when it exists, otherwise synthetic
rows through SQLAlchemy Core bulk inserts), then prints: the Overview computation from the
database, the cohort matrix, the ratio against a straightforward pandas implementation that
loads all rows and groups them, and the Overview page's first render in AppTest and a cached
rerun.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import db  # noqa: E402
from core import settings as store_settings  # noqa: E402
from core.auth import Actor  # noqa: E402
from core.models import Customer, Order, Review, Shipment  # noqa: E402

CURRENCIES = np.array(["EUR", "PLN", "SEK"])
COUNTRIES = np.array(["DE", "FR", "NL", "PL", "SE", "IT", "ES", "AT"])
OPTIONS = np.array(["standard", "express", "pickup", "scheduled"])
CHANNELS = np.array(["web", "mobile", "marketplace"])
CHUNK = 50_000


def _chunks(rows: list[dict[str, Any]]) -> Any:
    for i in range(0, len(rows), CHUNK):
        yield rows[i : i + CHUNK]


def synthetic_load(engine: Engine, customers: int, orders: int, seed: int = 7) -> None:
    """Synthetic customers, orders, shipments and reviews over 24 months (Core bulk inserts)."""
    rng = np.random.default_rng(seed)
    tz = store_settings.StoreSettings().tz
    end = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
    seconds = np.sort(rng.integers(0, 730 * 86400, orders))[::-1]
    placed = [end - dt.timedelta(seconds=int(s)) for s in seconds]
    weight = rng.gamma(0.6, size=customers)
    cust_of = rng.choice(customers, size=orders, p=weight / weight.sum()) + 1
    cust_of[rng.choice(orders, customers, replace=False)] = np.arange(1, customers + 1)
    cur = CURRENCIES[rng.choice(3, orders, p=[0.7, 0.2, 0.1])]
    scale = np.where(cur == "EUR", 1.0, np.where(cur == "PLN", 4.3, 11.0))
    total = np.round(rng.lognormal(4.0, 0.7, orders) * scale, 2)
    option = OPTIONS[rng.choice(4, orders, p=[0.55, 0.2, 0.15, 0.1])]
    cancelled = rng.random(orders) < 0.03
    refunded = (~cancelled) & (rng.random(orders) < 0.05)
    late = rng.random(orders) < 0.12
    with engine.begin() as conn:
        conn.execute(
            insert(Customer),
            [
                {
                    "id": i,
                    "external_id": f"C{i}",
                    "email": f"c{i}@example.com",
                    "country": str(COUNTRIES[i % 8]),
                    "marketing_consent": i % 3 != 0,
                    "tags": [],
                }
                for i in range(1, customers + 1)
            ],
        )
    order_rows: list[dict[str, Any]] = []
    ship_rows: list[dict[str, Any]] = []
    review_rows: list[dict[str, Any]] = []
    for i in range(orders):
        at = placed[i]
        local = at.astimezone(tz)
        promised = at + dt.timedelta(days=3)
        delivered = promised + dt.timedelta(hours=30 if late[i] else -20)
        oid = i + 1
        order_rows.append(
            {
                "id": oid,
                "external_id": f"O{oid}",
                "customer_id": int(cust_of[i]),
                "placed_at": at,
                "placed_date": local.date(),
                "placed_month": local.strftime("%Y-%m"),
                "status": "cancelled" if cancelled[i] else "delivered",
                "cancelled_at": at + dt.timedelta(hours=2) if cancelled[i] else None,
                "currency": str(cur[i]),
                "total": float(total[i]),
                "discount_amount": float(round(total[i] * 0.05, 2)) if i % 7 == 0 else 0.0,
                "refunded_amount": float(total[i]) if refunded[i] else 0.0,
                "refunded_at": at + dt.timedelta(days=10) if refunded[i] else None,
                "channel": str(CHANNELS[i % 3]),
                "delivery_option": str(option[i]),
                "promised_delivery_at": promised,
                "shipping_country": str(COUNTRIES[int(cust_of[i]) % 8]),
            }
        )
        if not cancelled[i]:
            ship_rows.append({"order_id": oid, "shipped_at": at + dt.timedelta(days=1), "delivered_at": delivered})
            if i % 5 == 0:
                rating = int(rng.integers(1, 4)) if late[i] else int(rng.integers(3, 6))
                review_rows.append(
                    {
                        "order_id": oid,
                        "customer_id": int(cust_of[i]),
                        "rating": rating,
                        "nps": rating * 2,
                        "submitted_at": delivered + dt.timedelta(days=2),
                        "submitted_date": (delivered + dt.timedelta(days=2)).astimezone(tz).date(),
                    }
                )
    with engine.begin() as conn:
        for table, rows in ((Order, order_rows), (Shipment, ship_rows), (Review, review_rows)):
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
