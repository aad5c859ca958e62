"""The retention period applied by the worker itself: at most once a day, customers inactive
for the ``retention_years`` setting are anonymised (:func:`core.gdpr.apply_retention`, audited
with the actor ``worker``).

The last run is the ``_retention_run`` settings row. A run claims it with one conditional
UPDATE (``updated_at`` older than a day) in the same transaction as the anonymisation, so two
workers (or a worker and a web process) cannot both run it: the second one's UPDATE waits for
the first to commit and then matches no row. The moment used is never later than the real
clock, so ``worker --once --now`` with a future moment cannot anonymise anyone early; a
rehearsal (``worker --once --at``) does not run it at all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import gdpr
from core import settings as store_settings
from core.auth import Actor
from core.models import Setting

LAST_RUN_KEY = "_retention_run"
EVERY = dt.timedelta(days=1)


def _claim(session: Session, now: dt.datetime) -> bool:
    """Mark the run as done at ``now`` if the last one is at least :data:`EVERY` old (a plain
    read first: most cycles end there without a write)."""
    last = session.get(Setting, LAST_RUN_KEY)
    if last is not None and last.updated_at > now - EVERY:
        return False
    claimed = session.execute(
        update(Setting)
        .where(Setting.key == LAST_RUN_KEY, Setting.updated_at <= now - EVERY)
        .values(value=now.isoformat(), updated_at=now)
    )
    if getattr(claimed, "rowcount", 0):
        return True
    if last is not None:
        return False  # another process ran it between the read and the update
    try:
        with session.begin_nested():
            session.add(Setting(key=LAST_RUN_KEY, value=now.isoformat(), updated_at=now))
    except IntegrityError:  # another process made the first run at the same moment
        return False
    return True


def apply_daily(engine: Engine, now: dt.datetime) -> list[int] | None:
    """Anonymise the customers past the retention period unless that ran within the last day
    (or retention is off): the ids anonymised, or None when it did not run."""
    now = min(now, dt.datetime.now(dt.UTC))
    with Session(engine) as session, session.begin():
        if store_settings.load(session).retention_years <= 0:
            return None
        if not _claim(session, now):
            return None
        return gdpr.apply_retention(session, Actor.worker(), now)
