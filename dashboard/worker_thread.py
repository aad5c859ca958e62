"""The background threads of the dashboard's server (the st.App lifespan): on the embedded
default the worker, so an activated workflow sends without a second process (production runs
`python -m core worker`); otherwise the drain of this machine's spooled unsubscribes, so a web
host without a worker never keeps a customer's withdrawal on its disk.

    handle = start_embedded_worker(engine)   # or start_spool_drain(engine)
    ...
    handle.stop()
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import Engine

from core.engine import worker
from core.engine.clock import Clock
from core.engine.dispatch import TransportFactory
from core.messaging import withdrawals

log = logging.getLogger(__name__)


@dataclass
class WorkerHandle:
    thread: threading.Thread
    stop_event: threading.Event

    @property
    def running(self) -> bool:
        return self.thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to stop after its current cycle and wait for it."""
        self.stop_event.set()
        worker.wake()
        self.thread.join(timeout)


def start_embedded_worker(
    engine: Engine,
    interval: float = worker.INTERVAL_SECONDS,
    clock: Clock | None = None,
    smtp: TransportFactory | None = None,
) -> WorkerHandle:
    """Run worker cycles every ``interval`` seconds in a daemon thread until ``stop()``."""
    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_forever,
        args=(engine, stop),
        kwargs={"clock": clock, "smtp": smtp, "interval": interval},
        name="orderflow-worker",
        daemon=True,
    )
    thread.start()
    log.info("embedded worker started (every %.0f s)", interval)
    return WorkerHandle(thread, stop)


def start_spool_drain(engine: Engine, interval: float = withdrawals.DRAIN_SECONDS) -> WorkerHandle:
    """Apply this machine's spooled unsubscribes every ``interval`` seconds until ``stop()``."""
    stop = threading.Event()
    thread = threading.Thread(
        target=withdrawals.drain_forever,
        args=(engine, stop, interval),
        name="orderflow-spool-drain",
        daemon=True,
    )
    thread.start()
    log.info("spooled-unsubscribe drain started (every %.0f s)", interval)
    return WorkerHandle(thread, stop)
