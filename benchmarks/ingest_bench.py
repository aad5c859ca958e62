"""Live ingest benchmark (prints figures; not a test). Loopback only, bounded in time.

    python benchmarks/ingest_bench.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                      [--rates 10,25,50,100] [--seconds 6]

For each setup, the real app (``uvicorn dashboard.app:app``) runs on a free loopback port and an
API client posts ``delivered`` events (one per request, ``POST /api/v1/events``) for orders
created beforehand, at a fixed offered rate (open loop) for ``--seconds``. An active workflow
sends an email on ``delivered``. Measured per event: from the moment the client sent it to the
message's ``queued_at`` (enrolled, first step run, message queued). Printed per rate: events/s
achieved, p50/p99 received->queued, and how many were queued within the drain time.

Setups: the embedded default (SQLite, the worker inside the app; "2 workers" adds one
``python -m core worker`` process) and, with ``--pg``, PostgreSQL with 1 and 2
``python -m core worker`` processes (woken by LISTEN/NOTIFY) and no embedded worker.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, create_engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from core import db  # noqa: E402
from core.auth import Actor  # noqa: E402
from core.engine import lifecycle  # noqa: E402
from core.engine.schema import Step, Trigger, WorkflowDefinition  # noqa: E402
from core.ingest import api, receive, sources  # noqa: E402
from core.messaging.library import install  # noqa: E402

CLI = Actor.cli()
DRAIN_SECONDS = 15.0
CLIENT_THREADS = 16


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(url: str, orders: int) -> str:
    """Migrate, install the template and the workflow, add an API source and ``orders``
    placed orders; returns the API token."""
    engine = db.make_engine(url)
    db.migrate(engine)
    now = dt.datetime.now(dt.UTC)
    with Session(engine) as s, s.begin():
        install(s, CLI, "order_confirmation", ("en",))
        wf = lifecycle.create(
            s,
            CLI,
            WorkflowDefinition(
                name="delivered mail",
                triggers=[Trigger(type="delivered")],
                steps=[
                    Step(id="mail", type="send_email", params={"template": "order_confirmation"})
                ],
            ),
        )
        lifecycle.activate(s, CLI, wf.id, now=now)
        source, token = sources.add(s, CLI, "api", "bench")
        source_id = source.id
    placed = (now - dt.timedelta(hours=1)).isoformat()
    for start in range(0, orders, api.MAX_EVENTS):
        events = [
            {
                "id": f"p{i}",
                "type": "placed",
                "occurred_at": placed,
                "order": {
                    "number": f"B-{i}",
                    "total": "20.00",
                    "customer": {"email": f"c{i}@example.com"},
                },
            }
            for i in range(start, min(start + api.MAX_EVENTS, orders))
        ]
        receive.receive_events(engine, source_id, api.EventBatch.model_validate({"events": events}))
    engine.dispose()
    assert token is not None
    return token


@contextmanager
def processes(url: str, workers: int, embedded: bool, tmp: Path) -> Iterator[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFLOW_SMTP_")}
    env.update(
        ORDERFLOW_DATABASE_URL=url,
        ORDERFLOW_SECRET_KEY=os.environ.get("ORDERFLOW_SECRET_KEY", "bench-secret-key"),
        ORDERFLOW_EMBEDDED_WORKER="1" if embedded else "0",
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp / "server.log").open("wb")
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "dashboard.app:app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    ]  # fmt: skip
    for _ in range(workers - (1 if embedded else 0)):
        started.append(
            subprocess.Popen(
                [sys.executable, "-m", "core", "worker"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or started[0].poll() is not None:
                    raise RuntimeError("the app did not start") from None
                time.sleep(0.3)
        time.sleep(2)  # let the workers start listening
        yield base
    finally:
        for proc in started:
            proc.terminate()
        for proc in started:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


class Client:
    """One keep-alive connection per thread."""

    def __init__(self, base: str, token: str) -> None:
        self.port = int(base.rsplit(":", 1)[1])
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.local = threading.local()

    def post(self, body: bytes) -> int:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("POST", "/api/v1/events", body=body, headers=self.headers)
        response = conn.getresponse()
        response.read()
        return response.status


def run_rate(
    base: str, token: str, url: str, rate: int, seconds: float, first: int
) -> dict[str, object]:
    count = int(rate * seconds)
    numbers = [f"B-{i}" for i in range(first, first + count)]
    sent: dict[str, float] = {}
    client = Client(base, token)
    statuses: list[int] = []
    finished: list[float] = []

    def send(i: int, number: str) -> None:
        now = dt.datetime.now(dt.UTC)
        body = json.dumps(
            {"events": [{"id": f"d{number}", "type": "delivered", "occurred_at": now.isoformat(),
                         "order": {"number": number}}]}
        ).encode()  # fmt: skip
        sent[number] = now.timestamp()
        statuses.append(client.post(body))
        finished.append(time.monotonic())

    start = time.monotonic()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        for i, number in enumerate(numbers):
            due = start + i / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            pool.submit(send, i, number)
    duration = max(finished, default=time.monotonic()) - start
    latencies = drain(url, numbers, sent)
    ok = sum(1 for s in statuses if s == 200)
    return {
        "offered": rate,
        "achieved_events_s": round(ok / duration, 1),
        "queued": f"{len(latencies)}/{count}",
        "p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
        "p99_ms": round(sorted(latencies)[max(0, int(len(latencies) * 0.99) - 1)] * 1000)
        if latencies
        else None,
    }


def drain(url: str, numbers: list[str], sent: dict[str, float]) -> list[float]:
    """Seconds from send to queued_at for the messages of ``numbers`` (waits up to the drain
    time for the last ones)."""
    engine = db.make_engine(url)
    deadline = time.monotonic() + DRAIN_SECONDS
    rows: list[tuple[str, dt.datetime]] = []
    try:
        while True:
            with engine.connect() as conn:
                rows = [
                    (str(n), q if isinstance(q, dt.datetime) else dt.datetime.fromisoformat(str(q)))
                    for n, q in conn.execute(
                        text(
                            "SELECT o.external_id, m.queued_at FROM messages m "
                            "JOIN orders o ON o.id = m.order_id WHERE o.external_id IN :n"
                        ).bindparams(bindparam("n", expanding=True)),
                        {"n": numbers},
                    )
                ]
            if len(rows) >= len(numbers) or time.monotonic() > deadline:
                break
            time.sleep(0.25)
    finally:
        engine.dispose()
    out = []
    for number, queued in rows:
        if queued.tzinfo is None:
            queued = queued.replace(tzinfo=dt.UTC)
        out.append(queued.timestamp() - sent[number])
    return out


@contextmanager
def database(kind: str, pg: str | None, tmp: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    assert pg is not None
    name = f"orderflow_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", help="PostgreSQL admin URL (a database is created and dropped)")
    parser.add_argument("--rates", default="10,25,50,100")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    kinds = ["sqlite"] + (["postgresql"] if args.pg else [])
    if args.only:
        kinds = [args.only]
    needed = int(sum(rates) * args.seconds) + 10
    print("setup | workers | offered/s | achieved events/s | p50 ms | p99 ms | queued")
    for kind in kinds:
        for workers in (1, 2):
            with (
                tempfile.TemporaryDirectory() as folder,
                database(kind, args.pg, Path(folder)) as url,
            ):
                token = prepare(url, needed)
                embedded = kind == "sqlite"
                with processes(url, workers, embedded, Path(folder)) as base:
                    first = 0
                    for rate in rates:
                        row = run_rate(base, token, url, rate, args.seconds, first)
                        first += int(rate * args.seconds)
                        label = "embedded (SQLite)" if embedded else "PostgreSQL"
                        print(
                            f"{label} | {workers} | {row['offered']} | {row['achieved_events_s']} | "
                            f"{row['p50_ms']} | {row['p99_ms']} | {row['queued']}",
                            flush=True,
                        )


if __name__ == "__main__":
    main()
