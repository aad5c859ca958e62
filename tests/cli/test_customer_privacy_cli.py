"""GDPR on the command line (issue 11): `customer export` (JSON and --csv), `customer erase`
(every place personal data lives, KPIs unchanged, pending messages cancelled, a keyed tombstone
so a re-import does not bring the person back), and `backup` with a tested restore."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core import db
from core.cli import main
from core.models import AuditEntry, Customer, Message, Order, Review

CSV = (
    "order_id,customer_id,placed_at,total,currency,email,first_name,country,shipping_address\n"
    "E-1,EC-1,2025-01-05,10.50,EUR,anna@example.com,Anna,DE,Hauptstr. 1\n"
    "E-2,EC-1,2025-02-05,20.00,EUR,anna@example.com,Anna,DE,Hauptstr. 1\n"
    "E-3,EC-2,2025-02-07,30.00,EUR,ben@example.com,Ben,FR,Rue 2\n"
)


def _kpis(capsys: pytest.CaptureFixture[str]) -> object:
    capsys.readouterr()
    assert main(["kpis", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _seed(engine: Engine, tmp_path: Path) -> int:
    path = tmp_path / "orders.csv"
    path.write_text(CSV)
    assert main(["import", str(path)]) == 0
    with Session(engine) as s, s.begin():
        anna = s.scalars(select(Customer).where(Customer.email == "anna@example.com")).one()
        order = s.scalars(select(Order).where(Order.external_id == "E-1")).one()
        now = dt.datetime.now(dt.UTC)
        s.add(Message(idempotency_key="t1", customer_id=anna.id, to_address=anna.email,
                      subject="Hi Anna", text="Dear Anna", state="queued", due_at=now,
                      queued_at=now, headers={}))  # fmt: skip
        s.add(Review(order_id=order.id, customer_id=anna.id, rating=5, comment="Anna loved it",
                     submitted_at=now, submitted_date=now.date()))  # fmt: skip
        return anna.id


def test_export_then_erase_keeps_kpis_and_keeps_the_person_out(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anna_id = _seed(use_database, tmp_path)
    capsys.readouterr()
    assert main(["customer", "export", "ANNA@example.com"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {
        "profile",
        "orders",
        "messages",
        "reviews",
        "consents",
        "preferences",
        "run_log",
    }
    assert data["profile"][0]["email"] == "anna@example.com" and len(data["orders"]) == 2
    assert main(["customer", "export", "anna@example.com", "--csv", str(tmp_path / "out")]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} == {f"{k}.csv" for k in data}

    before = _kpis(capsys)
    assert main(["customer", "erase", "anna@example.com"]) == 1  # needs --yes
    assert main(["customer", "erase", "nobody@example.com", "--yes"]) == 1
    assert main(["customer", "erase", "anna@example.com", "--yes"]) == 0
    assert _kpis(capsys) == before  # amounts, dates and countries kept
    with Session(use_database) as s:
        anna = s.get(Customer, anna_id)
        assert anna is not None and anna.email is None and anna.first_name is None
        assert anna.country == "DE" and "EC-1" not in anna.external_id
        message = s.scalars(select(Message).where(Message.customer_id == anna_id)).one()
        assert (message.state, message.to_address, message.text) == ("suppressed", None, None)
        assert "Anna" not in (message.subject or "")
        assert s.scalars(select(Review.comment)).one() is None
        orders = list(s.scalars(select(Order).where(Order.customer_id == anna_id)))
        assert [o.shipping_address for o in orders] == [None, None]
        assert {
            a.target
            for a in s.scalars(select(AuditEntry).where(AuditEntry.action == "customer.erase"))
        } == {str(anna_id)}

    assert main(["import", str(tmp_path / "orders.csv")]) == 0  # the same file again
    with Session(use_database) as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Customer)
                .where(Customer.email == "anna@example.com")
            )
            == 0
        )
        assert s.scalar(select(func.count()).select_from(Order)) == 3
        assert s.get(Customer, anna_id).first_name is None  # type: ignore[union-attr]
    assert _kpis(capsys) == before


def test_backup_while_running_and_restore(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if use_database.dialect.name != "sqlite":
        assert main(["backup", "--out", str(tmp_path / "x.db")]) == 1
        assert "pg_dump" in capsys.readouterr().err
        return
    _seed(use_database, tmp_path)
    source = use_database.url.database
    assert source is not None
    writer = sqlite3.connect(source)
    writer.execute("BEGIN IMMEDIATE")  # the app is writing: not yet committed
    writer.execute("UPDATE orders SET note = 'uncommitted'")
    try:
        assert main(["backup", "--out", str(tmp_path / "copy.db")]) == 0
    finally:
        writer.rollback()
        writer.close()
    assert main(["backup", "--out", str(tmp_path / "copy.db")]) == 1  # never overwrites
    restored = db.make_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    db.migrate(restored)  # what a restore does on start
    with Session(restored) as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 3
        assert (
            s.scalar(select(func.count()).select_from(Order).where(Order.note == "uncommitted"))
            == 0
        )
    restored.dispose()


def _seed_with_recent_ben(engine: Engine, tmp_path: Path) -> None:
    """The seed (anna's last order in 2025-02) and ben, who ordered today."""
    _seed(engine, tmp_path)
    recent = tmp_path / "recent.csv"
    today = dt.date.today().isoformat()
    recent.write_text(
        CSV.splitlines()[0] + f"\nE-9,EC-2,{today},5.00,EUR,ben@example.com,Ben,FR,Rue 2\n"
    )
    assert main(["import", str(recent)]) == 0


def test_retention_anonymises_inactive_customers(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_with_recent_ben(use_database, tmp_path)
    capsys.readouterr()
    assert main(["customer", "retention", "--yes"]) == 0
    assert "retention is off" in capsys.readouterr().out
    assert main(["settings", "set", "retention_years", "1"]) == 0
    assert main(["customer", "retention"]) == 0  # a dry run lists
    assert "1 customer(s) inactive" in capsys.readouterr().out
    assert main(["customer", "retention", "--yes"]) == 0
    assert _emails(use_database) == {None, "ben@example.com"}  # anna's (2025-02): anonymised


def _emails(engine: Engine) -> set[str | None]:
    with Session(engine) as s:
        return set(s.scalars(select(Customer.email)))


def _retention_audits(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with Session(engine) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "customer.retention"))
        return [(r.actor, r.detail) for r in rows]


def test_worker_applies_retention_once_a_day_and_never_in_a_rehearsal(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from core import retention
    from core.models import Setting

    _seed_with_recent_ben(use_database, tmp_path)
    today = dt.date.today().isoformat()
    assert main(["worker", "--once"]) == 0  # retention off: nobody is touched, nothing recorded
    assert _emails(use_database) == {"anna@example.com", "ben@example.com"}
    assert main(["settings", "set", "retention_years", "1"]) == 0

    assert main(["worker", "--once", "--at", f"{today}T23:00"]) == 0  # a rehearsal
    assert _emails(use_database) == {"anna@example.com", "ben@example.com"}
    with Session(use_database) as s:
        assert s.get(Setting, retention.LAST_RUN_KEY) is None

    assert main(["worker", "--once"]) == 0  # the worker applies it by itself
    assert _emails(use_database) == {None, "ben@example.com"}
    assert _retention_audits(use_database) == [("worker", {"years": 1, "count": 1})]

    old = tmp_path / "old.csv"
    old.write_text(
        CSV.splitlines()[0] + "\nE-7,EC-3,2024-03-01,9.00,EUR,carl@example.com,Carl,AT,\n"
    )
    assert main(["import", str(old)]) == 0
    assert main(["worker", "--once"]) == 0  # the same day: not again
    assert "carl@example.com" in _emails(use_database)
    assert len(_retention_audits(use_database)) == 1

    with Session(use_database) as s, s.begin():
        mark = s.get(Setting, retention.LAST_RUN_KEY)
        assert mark is not None
        mark.updated_at -= dt.timedelta(days=1, seconds=1)  # a day later
    assert main(["worker", "--once", "--now", "2099-01-01T10:00"]) == 0
    assert _emails(use_database) == {None, "ben@example.com"}  # carl; never ahead of real time
    assert [actor for actor, _ in _retention_audits(use_database)] == ["worker", "worker"]
