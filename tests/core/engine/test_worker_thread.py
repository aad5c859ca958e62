"""The embedded worker thread (dashboard lifespan) runs cycles until stopped."""

from __future__ import annotations

import time

from sqlalchemy import select

from core.engine import presets
from core.models import Message
from dashboard.worker_thread import start_embedded_worker
from tests.core.engine.conftest import Shop


def test_embedded_worker_sends_and_stops(sqlite_shop: Shop) -> None:
    shop = sqlite_shop
    anna = shop.customer("anna", demo=True)
    shop.workflow(presets.order_confirmation())
    shop.order(anna)
    handle = start_embedded_worker(shop.engine, interval=0.05, clock=shop.clock)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with shop.session() as s:
                state = s.scalar(select(Message.state))
            if state == "sent":
                break
            time.sleep(0.05)
    finally:
        handle.stop()
    assert state == "sent" and not handle.running
