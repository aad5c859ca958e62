"""Delivery quote time per basket on the demo shop, inside one process.

    python benchmarks/delivery_bench.py [--db PATH] [--baskets 300] [--customers 5000]

Loads the demo shop into a SQLite file (unless --db names one that has it), then quotes baskets
built from demo orders (country, currency, lines, and the customer's email for the customer
rules), each in its own short transaction as the CLI, the API and the Shopify callback do, and prints the median, 95th percentile and maximum quote time, with
and without reading the options again per quote. Aim: under 50 ms per basket.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core import db  # noqa: E402
from core.delivery.basket import Basket, Line  # noqa: E402
from core.delivery.quote import catalogue, quote  # noqa: E402
from core.demo import service as demo  # noqa: E402
from core.models import Order  # noqa: E402


def baskets(session: Session, n: int) -> list[Basket]:
    orders = session.scalars(select(Order).order_by(Order.id.desc()).limit(n)).all()
    out = []
    for order in orders:
        lines = tuple(
            Line(line.sku or "item", line.quantity, Decimal(line.unit_price))
            for line in order.lines
        )
        out.append(
            Basket(
                country=order.shipping_country or "DE",
                postcode="10115",
                currency=order.currency,
                lines=lines or (Line("item", 1, Decimal(order.total)),),
                customer_email=order.customer.email,
            )
        )
    return out


def measure(engine: object, items: list[Basket], at: dt.datetime, reuse: bool) -> list[float]:
    times = []
    cat = None
    if reuse:
        with Session(engine) as session:  # type: ignore[arg-type]
            cat = catalogue(session)
    for basket in items:
        began = time.perf_counter()
        with Session(engine) as session:  # type: ignore[arg-type]
            result = quote(session, basket, at, cat)
        times.append((time.perf_counter() - began) * 1000)
        assert result["options"] is not None
    return times


def report(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"{label:<38} median {statistics.median(ordered):6.2f} ms   "
        f"p95 {p95:6.2f} ms   max {ordered[-1]:6.2f} ms   ({len(ordered)} baskets)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="SQLite file (default: a new temporary demo shop)")
    parser.add_argument("--baskets", type=int, default=300)
    parser.add_argument("--customers", type=int, default=5000)
    args = parser.parse_args()
    path = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "delivery_bench.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    with Session(engine) as session:
        loaded = demo.is_demo_loaded(session)
    if not loaded:
        began = time.perf_counter()
        demo.load(engine, demo.DemoOptions(customers=args.customers, workflows=False))
        print(f"demo shop loaded in {time.perf_counter() - began:.1f} s ({path})")
    at = dt.datetime.now(dt.UTC)
    with Session(engine) as session:
        items = baskets(session, args.baskets)
    measure(engine, items[:20], at, reuse=False)  # warm the caches (holidays, zones)
    report("quote, options read per quote", measure(engine, items, at, reuse=False))
    report("quote, options read once", measure(engine, items, at, reuse=True))


if __name__ == "__main__":
    main()
