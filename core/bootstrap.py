"""What happens when the app or worker starts on a database."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import config, db
from core.models import Order

log = logging.getLogger(__name__)


def should_seed_demo(engine: Engine) -> bool:
    """Demo data loads only on the embedded default when the database has no orders, or when
    ``ORDERFLOW_DEMO=1``; never into a database the merchant configured."""
    with Session(engine) as session:
        empty = (session.scalar(select(func.count()).select_from(Order)) or 0) == 0
    if config.demo_requested():
        return empty
    return config.is_embedded_default() and empty


def prepare(engine: Engine) -> None:
    """Migrate, then seed demo data where :func:`should_seed_demo` says so."""
    db.migrate(engine)
    if should_seed_demo(engine):
        from core import demo

        log.info("empty embedded database: loading the demo shop")
        demo.load(engine, demo.DemoOptions())
