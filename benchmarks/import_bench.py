"""Import speed: native order rows per second into SQLite (and PostgreSQL when given).

    python benchmarks/import_bench.py [--rows 1000000] [--postgres URL] [--reimport]

Generates a native orders CSV (order_id, customer_id, placed_at without offset, total,
currency, status, email, country, delivery_option; one customer per 4 orders), imports it
into a fresh temporary SQLite file and, with ``--postgres URL`` (or ORDERFLOW_TEST_DATABASE_URL),
into a fresh PostgreSQL database created and dropped here. The time covers parsing, validation,
customer and order upserts, shipments, the event log and the commit. This process's CPU time is
printed too: on a busy machine it is closer to what the import costs than the wall time; on
PostgreSQL also the CPU time of the server backend that ran the import (read from ``/proc`` when
the server runs on this machine; its background writers are not counted).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import db, importers
from core.auth import Actor

COUNTRIES = np.array(["DE", "FR", "NL", "PL", "SE", "ES", "IT", "AT"])
CURRENCIES = np.array(["EUR", "EUR", "EUR", "PLN", "SEK", "EUR", "EUR", "EUR"])
STATUSES = np.array(["paid", "paid", "paid", "fulfilled", "delivered", "cancelled", "refunded"])
OPTIONS = np.array(["standard", "express", "click_and_collect", "scheduled"])


def generate(rows: int, seed: int = 7) -> bytes:
    """A native orders CSV with ``rows`` rows (vectorised, a few seconds per million)."""
    rng = np.random.default_rng(seed)
    customers = rng.integers(0, max(rows // 4, 1), rows)
    country = rng.integers(0, len(COUNTRIES), rows)
    start = np.datetime64("2023-01-01T00:00:00")
    seconds = rng.integers(0, 2 * 365 * 86400, rows).astype("timedelta64[s]")
    placed = np.datetime_as_string(start + seconds, unit="s")
    cents = rng.integers(500, 50_000, rows)
    ids = np.char.add("ORD-", np.char.zfill(np.arange(1, rows + 1).astype(str), 8))
    cust = np.char.add("CUST-", np.char.zfill(customers.astype(str), 7))
    table = pa.table(
        {
            "order_id": ids,
            "customer_id": cust,
            "placed_at": np.char.replace(placed, "T", " "),
            "total": [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()],
            "currency": CURRENCIES[country],
            "status": STATUSES[rng.integers(0, len(STATUSES), rows)],
            "email": np.char.add(np.char.lower(cust), "@example.com"),
            "country": COUNTRIES[country],
            "delivery_option": OPTIONS[rng.integers(0, len(OPTIONS), rows)],
        }
    )
    sink = io.BytesIO()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(quoting_style="none"))
    return sink.getvalue()


def cpu_seconds() -> float:
    """CPU time of this process (the SQLite work runs in it; PostgreSQL's does not)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def server_cpu_seconds(pid: int | None) -> float | None:
    """CPU time of a PostgreSQL backend process on this machine (None when not readable)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(engine: Engine, data: bytes, label: str, rows: int, reimport: bool) -> None:
    for attempt in ("first import", "re-import") if reimport else ("first import",):
        with Session(engine, expire_on_commit=False) as session:
            pid = None
            if engine.dialect.name == "postgresql":
                pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar()
            server = server_cpu_seconds(pid)
            started, cpu = time.perf_counter(), cpu_seconds()
            summary = importers.import_csv(session, Actor.cli(), data)
            session.commit()
            seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
            after = server_cpu_seconds(pid)
        served = (
            f"; the server backend's CPU {after - server:.1f} s"
            if server is not None and after is not None
            else ""
        )
        print(
            f"{label:10} {attempt:12} {rows:>9,} rows  {seconds:7.2f} s  "
            f"{rows / seconds:>9,.0f} rows/s  (this process's CPU {cpu:.1f} s{served}; "
            f"orders created {summary.orders_created:,}, updated {summary.orders_updated:,}, "
            f"customers {summary.customers_created:,})"
        )


def sqlite(data: bytes, rows: int, reimport: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = db.make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        db.migrate(engine)
        run(engine, data, "SQLite", rows, reimport)
        engine.dispose()


def postgres(url: str, data: bytes, rows: int, reimport: bool) -> None:
    name = f"orderflow_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = db.make_engine(url.rsplit("/", 1)[0] + "/" + name)
        db.migrate(engine)
        run(engine, data, "PostgreSQL", rows, reimport)
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="order rows (default 1e6)")
    parser.add_argument("--postgres", default=os.environ.get("ORDERFLOW_TEST_DATABASE_URL"))
    parser.add_argument("--reimport", action="store_true", help="also time importing it again")
    parser.add_argument("--skip-sqlite", action="store_true", help="only PostgreSQL")
    args = parser.parse_args()
    started = time.perf_counter()
    data = generate(args.rows)
    print(
        f"generated {args.rows:,} rows ({len(data) / 1e6:.0f} MB) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    if not args.skip_sqlite:
        sqlite(data, args.rows, args.reimport)
    if args.postgres:
        postgres(args.postgres, data, args.rows, args.reimport)


if __name__ == "__main__":
    main()
