"""A dispatch worker process for the concurrency tests: ``python -m
tests.core.engine.worker_proc DATABASE_URL SMTP_PORT LEASE_SECONDS`` sends until nothing is due."""

from __future__ import annotations

import datetime as dt
import sys

from core import db
from core.engine.dispatch import dispatch_due, smtp_to


def main(url: str, port: int, lease_seconds: float) -> None:
    engine = db.make_engine(url)
    transports = smtp_to("127.0.0.1", port)
    while True:
        stats = dispatch_due(
            engine,
            dt.datetime.now(dt.UTC),
            transports,
            worker=f"proc-{__import__('os').getpid()}",
            batch=100,
            lease=dt.timedelta(seconds=lease_seconds),
        )
        if stats.claimed == 0:
            break
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
