"""Demo data load time.

    python benchmarks/demo_bench.py [--customers 5000] [--orders N] [--db URL] [--no-workflows]
                                    [--clear]

Loads the demo shop into a fresh SQLite file (or the given database URL) and prints, per table,
the rows written and the wall-clock and CPU seconds of its bulk write, then the generation
time and the total. CPU seconds are this process's (on PostgreSQL the server's work is not in
them); on a busy machine the wall clock can be several times the CPU time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import db, demo  # noqa: E402
from core.auth import Actor  # noqa: E402
from core.demo import frames, generator  # noqa: E402


def _timed(module: Any, name: str, label: Any) -> None:
    original = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = original(*args, **kwargs)
        print(
            f"  {label(args):24} {result if isinstance(result, int) else '':>10} "
            f"{time.perf_counter() - wall:8.2f} s wall {time.process_time() - cpu:8.2f} s cpu",
            flush=True,
        )
        return result

    setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--orders", type=int, default=None)
    parser.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    parser.add_argument("--no-workflows", action="store_true")
    parser.add_argument("--clear", action="store_true", help="also time clearing it")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="demo-bench-")
    url = args.db or f"sqlite:///{folder}/demo.db"
    engine = db.make_engine(url)
    db.migrate(engine)
    _timed(frames, "write", lambda a: a[1].table.name)
    _timed(generator, "generate", lambda a: "(generate)")
    options = demo.DemoOptions(
        customers=args.customers, orders=args.orders, until=dt.date(2025, 12, 31), reset=True,
        workflows=not args.no_workflows,
    )  # fmt: skip
    wall, cpu = time.perf_counter(), time.process_time()
    summary = demo.load(engine, options)
    print(
        f"load {engine.dialect.name}: {summary} -- {time.perf_counter() - wall:.1f} s wall, "
        f"{time.process_time() - cpu:.1f} s cpu, {sum(summary.counts.values()):,} rows"
    )
    if args.clear:
        wall, cpu = time.perf_counter(), time.process_time()
        removed = demo.clear(engine, Actor.cli())
        print(
            f"clear: {removed:,} rows in {time.perf_counter() - wall:.1f} s wall, "
            f"{time.process_time() - cpu:.1f} s cpu"
        )


if __name__ == "__main__":
    main()
