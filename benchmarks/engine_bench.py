"""Workflow engine benchmarks on SQLite (prints figures; not a test).

    python benchmarks/engine_bench.py [--orders 1000000] [--events 20000] [--messages 2000]

1. Enrolment: events/s through enrolment with 50 active workflows.
2. Backtest over ``--orders`` orders for a workflow with 5 entry conditions: enrolments and
   branches, the full report, and the ratio against a row-by-row evaluation of the same rule.
3. Dispatch: messages/s by one worker to a local SMTP server (aiosmtpd sink in another
   process), rendering and state changes included, against a bare smtplib loop sending the
   same pre-built messages on one connection.
Synthetic rows are written with bulk inserts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import db
from core import settings as store_settings
from core.auth import Actor
from core.engine import admit, backtest, context, dispatch, enrol, lifecycle, runner
from core.engine.conditions import evaluate, evaluate_frame
from core.engine.schema import Step, Trigger, WorkflowDefinition, all_of, rule
from core.models import Message

CLI = Actor.cli()
NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
COUNTRIES = ["DE", "AT", "NL", "FR", "PL", "SE", "IT", "ES"]
CHANNELS = ["web", "app", "marketplace"]
OPTIONS = ["standard", "express", "pickup"]


def _ts(moment: dt.datetime) -> str:
    return (
        moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    )


def load_shop(engine: Engine, customers: int, orders: int, days: int, start_id: int = 1) -> None:
    """Customers, orders and their placed/delivered events, spread over ``days`` before NOW."""
    rnd = random.Random(42)
    cust_rows = [
        (
            i,
            f"C{i}",
            f"c{i}@example.com",
            rnd.choice(COUNTRIES),
            "de",
            int(rnd.random() < 0.6),
            "[]",
            0,
        )
        for i in range(1, customers + 1)
    ]
    order_rows, event_rows = [], []
    recorded = _ts(NOW - dt.timedelta(days=days + 1))
    for i in range(start_id, start_id + orders):
        placed = NOW - dt.timedelta(seconds=rnd.randrange(days * 86_400))
        cust = rnd.randrange(1, customers + 1)
        total = round(rnd.lognormvariate(4, 0.6), 2)
        promised = placed + dt.timedelta(days=3)
        order_rows.append(
            (
                i,
                f"O{i}",
                cust,
                _ts(placed),
                placed.date().isoformat(),
                placed.strftime("%Y-%m"),
                "delivered",
                "EUR",
                0,
                0,
                0,
                total,
                0,
                0,
                0,
                rnd.choice(CHANNELS),
                rnd.choice(OPTIONS),
                _ts(promised),
                rnd.choice(COUNTRIES),
            )
        )
        event_rows.append((i, cust, "placed", _ts(placed), recorded, "import", "{}"))
        if rnd.random() < 0.9:
            delivered = placed + dt.timedelta(hours=rnd.randrange(24, 120))
            event_rows.append((i, cust, "delivered", _ts(delivered), recorded, "import", "{}"))
    with engine.begin() as conn:
        if start_id == 1:
            conn.exec_driver_sql(
                "INSERT INTO customers (id, external_id, email, country, locale, "
                "marketing_consent, tags, is_demo) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                cust_rows,
            )
        conn.exec_driver_sql(
            "INSERT INTO orders (id, external_id, customer_id, placed_at, placed_date, "
            "placed_month, status, currency, discount_amount, shipping_amount, tax_amount, "
            "total, refunded_amount, is_test, is_demo, channel, delivery_option, "
            "promised_delivery_at, shipping_country) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            order_rows,
        )
        conn.exec_driver_sql(
            "INSERT INTO order_events (order_id, customer_id, type, occurred_at, recorded_at, "
            "source, payload) VALUES (?, ?, ?, ?, ?, ?, ?)",
            event_rows,
        )


def fresh_engine(folder: Path, name: str) -> Engine:
    engine = db.make_engine(f"sqlite:///{folder / name}")
    db.migrate(engine)
    return engine


def bench_enrolment(folder: Path, events: int) -> dict[str, Any]:
    engine = fresh_engine(folder, "enrol.db")
    load_shop(engine, 5_000, 2_000, 30)
    kinds = ["order_placed", "delivered", "first_order", "order_paid", "shipped"]
    fields = [
        rule("order.total", "ge", 30),
        rule("order.country", "in", ["DE", "AT", "NL"]),
        rule("customer.order_count", "ge", 1),
        rule("order.channel", "ne", "marketplace"),
        rule("order.delivery_option", "eq", "standard"),
    ]
    with Session(engine) as s:
        for i in range(50):
            d = WorkflowDefinition(
                name=f"wf{i}",
                triggers=[Trigger(type=kinds[i % len(kinds)])],
                holdout_pct=10,
                entry=all_of(fields[i % 5], fields[(i + 2) % 5]),
                steps=[Step(id="t", type="add_tag", params={"tag": "x"})],
            )
            wf = lifecycle.create(s, CLI, d)
            lifecycle.activate(s, CLI, wf.id, now=NOW - dt.timedelta(days=40))
        enrol.enrol_new_events(s, NOW)  # consume the history first
        s.commit()
    load_shop(engine, 5_000, events // 2, 1, start_id=2_001)  # new orders: placed + delivered
    with Session(engine) as s:
        started, cpu = time.perf_counter(), time.process_time()
        stats = enrol.enrol_new_events(s, NOW)
        s.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    small = _small_cycles(engine, 2_001 + events // 2)
    engine.dispose()
    return {
        "events": stats.events,
        "enrolled": stats.enrolled,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "events_per_second": round(stats.events / elapsed),
        "events_per_cpu_second": round(stats.events / cpu),
        "small_cycles": small,
    }


def _small_cycles(
    engine: Engine, first_order: int, orders: int = 2, cycles: int = 7
) -> dict[str, Any]:
    """Cycles that find only a few new events (``orders`` placed + delivered): median ms."""
    walls, cpus = [], []
    for i in range(cycles):
        load_shop(engine, 5_000, orders, 1, start_id=first_order + i * orders)
        with Session(engine) as s:
            started, cpu = time.perf_counter(), time.process_time()
            stats = enrol.enrol_new_events(s, NOW)
            s.commit()
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
    return {
        "new_events_per_cycle": stats.events,
        "median_ms": round(sorted(walls)[cycles // 2] * 1000, 1),
        "median_cpu_ms": round(sorted(cpus)[cycles // 2] * 1000, 1),
    }


def backtest_workflow() -> WorkflowDefinition:
    return WorkflowDefinition(
        name="review request backtest",
        triggers=[Trigger(type="delivered")],
        holdout_pct=10,
        entry=all_of(
            rule("order.total", "ge", 40),
            rule("order.country", "in", ["DE", "AT", "NL"]),
            rule("order.delivery_option", "ne", "express"),
            rule("order.channel", "in", ["web", "app"]),
            rule("order.placed_at", "within_last_days", 365),
        ),
        steps=[
            Step(
                id="big",
                type="branch",
                condition=rule("order.total", "ge", 100),
                next="coupon",
                alt_next="mail",
            ),
            Step(
                id="coupon", type="issue_coupon", params={"kind": "fixed", "value": 5}, next="mail"
            ),
            Step(id="mail", type="send_email", params={"template": "review_request"}),
        ],
    )


def bench_backtest(folder: Path, orders: int, keep: Path | None = None) -> dict[str, Any]:
    """``keep``: a database file to reuse (generated there when absent)."""
    reuse = keep is not None and keep.exists()
    engine = (
        db.make_engine(f"sqlite:///{keep}")
        if reuse
        else fresh_engine(keep.parent if keep else folder, keep.name if keep else "history.db")
    )
    started = time.perf_counter()
    if not reuse:
        load_shop(engine, max(1000, orders // 4), orders, 730)
    generated = time.perf_counter() - started
    d = backtest_workflow()
    with Session(engine) as s:
        cpu = time.process_time()
        report = backtest.backtest(s, d, days=730, now=NOW)
        report_cpu = time.process_time() - cpu
        st = store_settings.load(s)
        frame, _ = backtest.entered(s, d, NOW - dt.timedelta(days=730), NOW, st)
        rows = backtest.triggered_rows(s, d, NOW - dt.timedelta(days=730), NOW)
        full = context.enrich(
            s,
            rows,
            st,
            {
                "order.total",
                "order.country",
                "order.delivery_option",
                "order.channel",
                "order.placed_at",
            },
            whole_table=True,
        )
    ctx = admit.eval_context(NOW, st)
    t0 = time.perf_counter()
    vector = evaluate_frame(d.entry, full, ctx)
    t_vector = time.perf_counter() - t0
    columns = [
        "order.total",
        "order.country",
        "order.delivery_option",
        "order.channel",
        "order.placed_at",
    ]
    records = full[columns].to_dict("records")
    t0 = time.perf_counter()
    single = [evaluate(d.entry, r, ctx) for r in records]
    t_rows = time.perf_counter() - t0
    assert int(vector.sum()) == sum(single)
    engine.dispose()
    return {
        "orders": orders,
        "delivered_events": len(full),
        "enrolled": report.enrolled,
        "generate_seconds": round(generated, 1),
        "enrolments_and_branches_seconds": round(report.timings["enrolments_and_branches"], 3),
        "full_report_seconds": round(report.timings["full_report"], 3),
        "full_report_cpu_seconds": round(report_cpu, 3),
        "entry_rule_vectorised_seconds": round(t_vector, 4),
        "entry_rule_row_by_row_seconds": round(t_rows, 3),
        "row_by_row_over_vectorised": round(t_rows / t_vector, 1),
        "matches_row_by_row": bool(int(vector.sum()) == sum(single)),
        "frame_rows": len(frame),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _smtp_sink() -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            f"127.0.0.1:{port}",
            "-c",
            "aiosmtpd.handlers.Sink",
        ]
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, port


def _bare(built: list[Any], sender: str, port: int) -> float:
    """Seconds for a plain smtplib loop sending pre-built messages on one connection."""
    client = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for msg in built:
        client.sendmail(
            sender, [str(msg["To"])], msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
        )
    seconds = time.perf_counter() - started
    client.quit()
    return seconds


def _cpu_ms_per(started: float, count: int) -> float:
    """This process's CPU (all threads; the SMTP sink runs in another process) per item, ms."""
    return round((time.process_time() - started) * 1000 / max(count, 1), 2)


def bench_dispatch(folder: Path, count: int) -> dict[str, Any]:
    from core.messaging.library import install

    engine = fresh_engine(folder, "dispatch.db")
    load_shop(engine, count, count, 1)
    with Session(engine) as s:
        install(s, CLI, "order_confirmation", ("de", "en"))
        wf = lifecycle.create(
            s,
            CLI,
            WorkflowDefinition(
                name="confirm",
                triggers=[Trigger(type="order_placed")],
                steps=[Step(id="m", type="send_email", params={"template": "order_confirmation"})],
            ),
        )
        lifecycle.activate(s, CLI, wf.id, now=NOW - dt.timedelta(days=2))
        enrol.enrol_new_events(s, NOW)
        s.commit()
    proc, port = _smtp_sink()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        steps = runner.run_due(engine, NOW, "bench")
        render_cpu = _cpu_ms_per(cpu, steps.enrolments)
        render_seconds = time.perf_counter() - started
        cpu = time.process_time()
        sent = dispatch.dispatch_due(engine, NOW, dispatch.smtp_to("127.0.0.1", port), "bench")
        dispatch_cpu = _cpu_ms_per(cpu, sent.sent)
        engine_seconds = time.perf_counter() - started
        with Session(engine) as s:
            st = store_settings.load(s)
            built = [dispatch.build(m, st) for m in s.scalars(select(Message))]
        cpu = time.process_time()
        bare_seconds = (
            _bare(built, st.sender_email, port) + _bare(built, st.sender_email, port)
        ) / 2
        bare_cpu = _cpu_ms_per(cpu, 2 * len(built))
    finally:
        proc.terminate()
        proc.wait()
    engine.dispose()
    ours, bare = sent.sent / engine_seconds, len(built) / bare_seconds
    return {
        "messages": sent.sent,
        "enrolments_run": steps.enrolments,
        "engine_seconds": round(engine_seconds, 2),
        "render_and_queue_seconds": round(render_seconds, 2),
        "dispatch_seconds": round(engine_seconds - render_seconds, 2),
        "engine_messages_per_second": round(ours),
        "bare_smtplib_messages_per_second": round(bare),
        "ratio": round(ours / bare, 2),
        "cpu_ms_per_message": {
            "render_and_queue": render_cpu,
            "dispatch": dispatch_cpu,
            "bare_smtplib": bare_cpu,
        },
    }


def bench_cycle(folder: Path, orders: int = 2, cycles: int = 9) -> dict[str, Any]:
    """Worker cycles (enrol, run steps, dispatch over SMTP) that each find a few new events,
    on a shop with 20,000 orders of history and one workflow mailing on ``delivered``."""
    from core.engine import worker
    from core.messaging.library import install

    engine = fresh_engine(folder, "cycle.db")
    load_shop(engine, 5_000, 20_000, 30)
    with Session(engine) as s:
        install(s, CLI, "order_confirmation", ("de", "en"))
        d = WorkflowDefinition(
            name="delivered mail",
            triggers=[Trigger(type="delivered")],
            steps=[Step(id="m", type="send_email", params={"template": "order_confirmation"})],
        )
        wf = lifecycle.create(s, CLI, d)
        lifecycle.activate(s, CLI, wf.id, now=NOW)
        s.commit()
    proc, port = _smtp_sink()
    smtp = dispatch.smtp_to("127.0.0.1", port)
    phases: dict[str, list[tuple[float, float]]] = {"enrol": [], "run": [], "dispatch": []}
    try:
        worker.run_once(engine, lambda: NOW, smtp, "bench")  # warm up: templates compiled
        for i in range(cycles):
            first = 30_001 + i * orders
            load_shop(engine, 5_000, orders, 1, start_id=first)
            with engine.begin() as conn:  # delivered after the activation
                conn.exec_driver_sql(
                    "UPDATE order_events SET occurred_at = ? WHERE order_id >= ?",
                    (_ts(NOW + dt.timedelta(seconds=1)), first),
                )
            for name, call in (
                ("enrol", lambda: worker.enrol_once(engine, NOW)),
                ("run", lambda: runner.run_due(engine, NOW, "bench")),
                ("dispatch", lambda: dispatch.dispatch_due(engine, NOW, smtp, "bench")),
            ):
                started, cpu = time.perf_counter(), time.process_time()
                call()
                phases[name].append((time.perf_counter() - started, time.process_time() - cpu))
        with Session(engine) as s:
            sent = s.scalar(
                select(func.count()).select_from(Message).where(Message.state == "sent")
            )
    finally:
        proc.terminate()
        proc.wait()
    engine.dispose()

    def median_ms(values: list[float]) -> float:
        return round(sorted(values)[len(values) // 2] * 1000, 1)

    out: dict[str, Any] = {"new_events_per_cycle": 2 * orders, "sent": sent}
    for name, pairs in phases.items():
        out[f"{name}_median_ms"] = median_ms([w for w, _ in pairs])
        out[f"{name}_median_cpu_ms"] = median_ms([c for _, c in pairs])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=2_000)
    parser.add_argument("--only", choices=["enrolment", "backtest", "dispatch", "cycle"])
    parser.add_argument("--history-db", type=Path, help="reuse (or keep) the backtest database")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        results: dict[str, Any] = {}
        if args.only in (None, "enrolment"):
            results["enrolment_50_workflows"] = bench_enrolment(folder, args.events)
            print(json.dumps({"enrolment_50_workflows": results["enrolment_50_workflows"]}))
        if args.only in (None, "dispatch"):
            results["dispatch"] = bench_dispatch(folder, args.messages)
            print(json.dumps({"dispatch": results["dispatch"]}))
        if args.only in (None, "cycle"):
            results["cycle"] = bench_cycle(folder)
            print(json.dumps({"cycle": results["cycle"]}))
        if args.only in (None, "backtest"):
            results["backtest"] = bench_backtest(folder, args.orders, args.history_db)
            print(json.dumps({"backtest": results["backtest"]}))


if __name__ == "__main__":
    main()
