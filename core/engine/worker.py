"""The worker: enrol new events, run due steps, dispatch due messages.

``run_once`` drains what is due now and returns; ``run_forever`` repeats it until a stop event
is set. The clock and the mail transport are parameters, so tests drive time and use a local
SMTP server. Several worker processes may run against PostgreSQL (claims use SKIP LOCKED); on
SQLite a second worker waits for the first one's writes.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine

from core import referral_program
from core import settings as store_settings
from core.engine import dispatch, enrol, outbox, runner, wakeup, webhooks
from core.engine.clock import Clock, system_clock
from core.engine.dispatch import TransportFactory
from core.engine.sqlutil import Bind, open_session

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 5.0
wake = wakeup.wake
"""Start the next cycle of this process's worker now (a live event was just stored)."""


@dataclass
class CycleStats:
    events: int = 0
    enrolled: int = 0
    holdout: int = 0
    time_triggers: int = 0
    steps: int = 0
    enrolments_run: int = 0
    referral_rewards: int = 0
    codes_to_shop: int = 0
    retention_anonymised: int = 0
    dispatch: dict[str, Any] = field(default_factory=dict)
    webhooks: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{threading.get_ident() % 100000}"


def enrol_once(engine: Bind, now: dt.datetime) -> enrol.EnrolStats:
    with open_session(engine, expire_on_commit=False) as session, session.begin():
        stats = enrol.enrol_new_events(session, now)
        if stats.enrolled:
            store_settings.bump_data_version(session)
        return stats


def _retention(engine: Engine, now: dt.datetime) -> int:
    """The retention period, at most once a day (:mod:`core.retention`); a failure is logged
    and does not stop the cycle (the next cycle tries again)."""
    from core import retention

    try:
        return len(retention.apply_daily(engine, now) or [])
    except Exception:
        log.exception("applying the retention period failed")
        return 0


def run_once(
    engine: Bind,
    clock: Clock | None = None,
    smtp: TransportFactory | None = None,
    worker: str | None = None,
    batch: int = dispatch.BATCH,
    lease: dt.timedelta = outbox.LEASE,
    rehearsal: bool = False,
) -> CycleStats:
    """One full cycle: apply spooled unsubscribes and (once a day) the retention period, enrol,
    execute due steps, create new coupon codes in the shop (when the Admin API is configured),
    dispatch due messages and webhook calls (each outside any transaction), settle the referral
    rewards whose refund window has passed. A
    ``rehearsal`` runs on a connection whose transaction the caller rolls back
    (:mod:`core.engine.rehearsal`): no step calls out, no webhook is sent and no mail transport
    is opened."""
    clock = clock or system_clock
    worker = worker or worker_name()
    stats = CycleStats()
    if not rehearsal and isinstance(engine, Engine):
        from core.messaging.withdrawals import apply_pending

        apply_pending(engine)  # unsubscribes spooled while the database was busy, before sending
        stats.retention_anonymised = _retention(engine, clock())
    e = enrol_once(engine, clock())
    stats.events, stats.enrolled, stats.holdout = e.events, e.enrolled, e.holdout
    stats.time_triggers = e.time_triggers
    r = runner.run_due(engine, clock(), worker, rehearsal=rehearsal)
    stats.steps, stats.enrolments_run = r.steps, r.enrolments
    if not rehearsal and isinstance(engine, Engine):
        from core.shop_codes import push_from_worker

        stats.codes_to_shop = push_from_worker(engine, clock())  # before the emails showing them
    d = dispatch.dispatch_due(engine, clock(), smtp, worker, batch, lease, send=not rehearsal)
    stats.dispatch = asdict(d)
    w = webhooks.WebhookStats()
    if not rehearsal and isinstance(engine, Engine):
        w = webhooks.dispatch_due(engine, clock(), worker)  # outside any transaction
    stats.webhooks = asdict(w)
    with open_session(engine) as session, session.begin():
        settled = referral_program.settle_rewards(session, clock())
        stats.referral_rewards = settled.rewarded
    if r.steps or d.claimed or w.claimed or settled.rewarded or settled.not_rewarded:
        with open_session(engine) as session, session.begin():
            store_settings.bump_data_version(session)  # dashboards show the new state
    return stats


def run_forever(
    engine: Engine,
    stop: threading.Event,
    clock: Clock | None = None,
    smtp: TransportFactory | None = None,
    interval: float = INTERVAL_SECONDS,
) -> None:
    """Cycle until ``stop`` is set; an error in one cycle is logged and the next one runs. A
    cycle starts every ``interval`` seconds, or at once after :func:`wake` or, on PostgreSQL, a
    ``NOTIFY`` from another process (:mod:`core.engine.wakeup`)."""
    worker = worker_name()
    waiter = wakeup.Waiter(engine)
    try:
        while not stop.is_set():
            waiter.clear()
            try:
                run_once(engine, clock, smtp, worker)
            except Exception:
                log.exception("worker cycle failed")
            if not stop.is_set():
                waiter.wait(interval)
    finally:
        waiter.close()
