"""Whole-process comparisons for ``kpi_bench.py --versus CSV`` (issue 15).

Each command runs as its own process, ``--runs`` times; the best wall time and that run's CPU
(user + system of the child) are printed. Values of ``kpis --json`` are checked against the pandas
baseline (``kpi_pandas_baseline.py``) key for key.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
COMPARED = (
    "orders",
    "customers",
    "aov",
    "repeat_purchase_rate",
    "cohort_sizes",
    "cohort_retention",
)


def timed(
    cmd: list[str], cwd: Path, env: dict[str, str] | None, runs: int
) -> tuple[float, float, str]:
    """Best wall time of ``runs``, that run's child CPU seconds, and its stdout."""
    best: tuple[float, float, str] | None = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if best is None or wall < best[0]:
            best = (wall, cpu, done.stdout)
    assert best is not None
    return best


def line(label: str, wall: float, cpu: float, extra: str = "") -> None:
    print(f"  {label:58} {wall:7.3f} s wall  {cpu:6.3f} s CPU  {extra}")


def same_values(baseline: dict[str, Any], ours: dict[str, Any]) -> str:
    diff = [k for k in COMPARED if baseline.get(k) != ours.get(k)]
    return "identical values" if not diff else f"DIFFERENT: {', '.join(diff)}"


def versus(args: Any) -> None:
    runs = args.runs
    print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; best of {runs}")
    print("kpis over all data, whole process:")
    base_wall, base_cpu, out = timed(
        [
            PY,
            str(ROOT / "benchmarks" / "kpi_pandas_baseline.py"),
            args.versus,
            "--rates",
            args.rates,
        ],
        ROOT,
        None,
        runs,
    )
    baseline = json.loads(out)
    line("pandas baseline (pyarrow CSV read, groupby, cohorts)", base_wall, base_cpu)
    targets = [("kpis --json, SQLite (this tree)", ROOT, f"sqlite:///{args.db}")]
    if args.before_tree and args.before_db:
        targets.append(
            ("kpis --json, SQLite (before)", Path(args.before_tree), f"sqlite:///{args.before_db}")
        )
    if args.postgres:
        targets.append(("kpis --json, PostgreSQL (this tree)", ROOT, args.postgres))
    for label, tree, url in targets:
        wall, cpu, out = timed(
            [PY, "-m", "core", "kpis", "--json"], tree, {"ORDERFLOW_DATABASE_URL": url}, runs
        )
        ours = json.loads(out)
        line(
            label,
            wall,
            cpu,
            f"{wall / base_wall:.2f}x baseline wall, {cpu / base_cpu:.2f}x CPU; "
            + same_values(baseline, ours),
        )
    print("command line start-up, whole process:")
    imp_wall, imp_cpu, _ = timed([PY, "-c", "import sqlalchemy"], ROOT, None, runs)
    line('python -c "import sqlalchemy"', imp_wall, imp_cpu)
    trees = [("python -m core --help (this tree)", ROOT)]
    if args.before_tree:
        trees.append(("python -m core --help (before)", Path(args.before_tree)))
    for label, tree in trees:
        wall, cpu, _ = timed([PY, "-m", "core", "--help"], tree, None, runs)
        line(label, wall, cpu, f"{wall / imp_wall:.2f}x import sqlalchemy (wall)")
