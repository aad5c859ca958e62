"""The worker embedded in the dashboard's server (the st.App lifespan): on the embedded default
an activated workflow sends without a second process. Production runs `python -m core worker`.

    handle = start_embedded_worker(engine)
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
