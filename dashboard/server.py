"""The server side of the ``st.App``: the lifespan prepares the database (migrations, demo data
on the embedded default) and runs the embedded worker on the embedded default."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from core import bootstrap, config, db

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    engine = db.default_engine()
    await asyncio.to_thread(bootstrap.prepare, engine)
    worker = None
    if config.is_embedded_default() or config.get_secret("ORDERFLOW_EMBEDDED_WORKER") == "1":
        try:
            from dashboard.worker_thread import start_embedded_worker
        except ModuleNotFoundError:
            log.warning("the workflow engine is not installed: no embedded worker")
        else:
            worker = start_embedded_worker(engine)
    try:
        yield {"engine": engine}
    finally:
        if worker is not None:
            worker.stop()
