"""The server side of the ``st.App``: the lifespan prepares the database (migrations, demo data
on the embedded default) and runs the embedded worker on the embedded default, else the drain
of this machine's spooled unsubscribes (the worker drains them itself when it runs here)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core import bootstrap, config, db
from dashboard.worker_thread import start_embedded_worker, start_spool_drain


def embedded_worker_wanted() -> bool:
    """The worker runs inside the dashboard on the embedded default, or when
    ``ORDERFLOW_EMBEDDED_WORKER=1``; ``ORDERFLOW_EMBEDDED_WORKER=0`` turns it off (production
    runs separate ``python -m core worker`` processes)."""
    wanted = config.get_secret("ORDERFLOW_EMBEDDED_WORKER")
    if wanted is not None:
        return wanted == "1"
    return config.is_embedded_default()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    engine = db.default_engine()
    await asyncio.to_thread(bootstrap.prepare, engine)
    background = (
        start_embedded_worker(engine) if embedded_worker_wanted() else start_spool_drain(engine)
    )
    try:
        yield {"engine": engine}
    finally:
        background.stop()
