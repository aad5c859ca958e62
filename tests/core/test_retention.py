"""The retention period applied by the worker (core/retention.py): once a day however many
processes try at the same moment, audited as ``worker``, never ahead of the real clock."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import retention
from core.models import AuditEntry, Customer, Setting

NOW = dt.datetime.now(dt.UTC)


def _shop(engine: Engine, years: int) -> None:
    with Session(engine) as s, s.begin():
        s.add(Setting(key="retention_years", value=years, updated_at=NOW))
        old = NOW - dt.timedelta(days=800)
        s.add(Customer(external_id="C-old", email="old@example.com", country="DE", tags=[],
                       created_at=old))  # fmt: skip
        s.add(Customer(external_id="C-new", email="new@example.com", country="DE", tags=[]))


def _audits(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "customer.retention"))
        return [(r.actor, r.detail) for r in rows]


def test_parallel_workers_apply_it_once(engine: Engine) -> None:
    _shop(engine, 1)
    results: list[list[int] | None] = []
    start = threading.Barrier(4)

    def one() -> None:
        start.wait()
        results.append(retention.apply_daily(engine, NOW))

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(len(r) for r in results if r is not None) == [1]  # one run, one customer
    assert results.count(None) == 3
    assert _audits(engine) == [("worker", {"years": 1, "count": 1})]
    with Session(engine) as s:
        assert set(s.scalars(select(Customer.email))) == {None, "new@example.com"}


def test_off_records_nothing_and_a_future_moment_is_the_real_clock(engine: Engine) -> None:
    _shop(engine, 0)
    assert retention.apply_daily(engine, NOW) is None
    with Session(engine) as s, s.begin():
        assert s.get(Setting, retention.LAST_RUN_KEY) is None
        s.merge(Setting(key="retention_years", value=3, updated_at=NOW))
    assert retention.apply_daily(engine, NOW + dt.timedelta(days=3650)) == []  # not 2036
    assert _audits(engine) == []
