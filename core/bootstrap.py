"""What happens when the app or worker starts on a database."""

from __future__ import annotations

import logging

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import config, db
from core.auth import Actor
from core.models import MessageTemplate, Order

log = logging.getLogger(__name__)


def should_seed_demo(engine: Engine) -> bool:
    """Demo data loads only on the embedded default when the database has no orders, or when
    ``ORDERFLOW_DEMO=1``; never into a database the merchant configured."""
    with Session(engine) as session:
        empty = (session.scalar(select(func.count()).select_from(Order)) or 0) == 0
    if config.demo_requested():
        return empty
    return config.is_embedded_default() and empty


def install_library_once(engine: Engine, actor: Actor | None = None) -> int:
    """On a database without any template, install the translated message library, so that the
    presets work out of the box (at the app's first start, or by ``python -m core init``). A
    merchant who later deletes templates keeps them deleted."""
    from core.messaging.library import ensure_library

    with db.transaction(engine) as session:
        if session.scalar(select(func.count()).select_from(MessageTemplate)):
            return 0
        return ensure_library(session, actor or Actor.system())


def prepare(engine: Engine) -> None:
    """Migrate, install the message library on first start, print a one-time setup code in
    the log while no user exists (:func:`core.accounts.issue_setup_code`), then seed demo data
    where :func:`should_seed_demo` says so."""
    from core import accounts

    db.migrate(engine)
    install_library_once(engine)
    accounts.issue_setup_code(engine)
    if should_seed_demo(engine):
        from core import demo

        log.info("empty embedded database: loading the demo shop")
        demo.load(engine, demo.DemoOptions())
