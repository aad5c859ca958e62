from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from core import db
from core.models import Base, Customer, Order


def _order(customer: Customer, placed_at: dt.datetime) -> Order:
    tz = ZoneInfo("Europe/Berlin")
    return Order(
        external_id="O-1",
        customer=customer,
        placed_at=placed_at,
        placed_date=placed_at.astimezone(tz).date(),
        placed_month=placed_at.astimezone(tz).strftime("%Y-%m"),
        currency="EUR",
        total=Decimal("12.34"),
    )


def test_timestamps_round_trip_as_aware_utc(session: Session) -> None:
    warsaw = dt.datetime(2024, 3, 31, 3, 30, tzinfo=ZoneInfo("Europe/Warsaw"))
    customer = Customer(external_id="C-1")
    session.add(_order(customer, warsaw))
    session.commit()
    session.expunge_all()
    placed = session.scalar(select(Order.placed_at))
    assert placed is not None and placed.tzinfo is not None
    assert placed.utcoffset() == dt.timedelta(0)
    assert placed == warsaw
    assert session.scalar(select(Order.total)) == Decimal("12.34")


def test_naive_timestamps_are_refused(session: Session) -> None:
    session.add(_order(Customer(external_id="C-2"), dt.datetime(2024, 1, 1, 12, 0)))
    with pytest.raises(Exception, match="naive datetime"):
        session.commit()


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_migrations_go_down_and_up(engine: Engine) -> None:
    db.downgrade(engine, "base")
    assert "orders" not in inspect(engine).get_table_names()
    db.migrate(engine)
    assert db.current_revision(engine) is not None
    assert {"orders", "customers", "messages", "workflows"} <= set(
        inspect(engine).get_table_names()
    )


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS


def test_relative_sqlite_url_resolves_against_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    from core import config

    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", "sqlite:///data/other.db")
    assert config.database_url() == f"sqlite:///{config.REPO_ROOT / 'data' / 'other.db'}"
    monkeypatch.delenv("ORDERFLOW_DATABASE_URL")
    assert config.database_url() == config.DEFAULT_DATABASE_URL
    assert config.is_embedded_default()


def test_unknown_database_scheme_is_a_config_error() -> None:
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="Unsupported database URL"):
        db.make_engine("mysql://root@localhost/x")


def test_head_revision_from_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(db._alembic_config(db.make_engine("sqlite://")))
    assert script.get_heads() == [db.head_revision()]


def test_up_to_date_tells_when_alembic_must_run(engine: Engine) -> None:
    assert db.up_to_date(engine)
    db.downgrade(engine, "-1")
    assert not db.up_to_date(engine)
    db.migrate(engine)
    assert db.up_to_date(engine)


def test_up_to_date_is_false_on_an_empty_database(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert not db.up_to_date(engine)
    engine.dispose()


def test_migrations_form_one_numbered_chain() -> None:
    """Each file ``NNNN_slug.py`` has revision ``NNNN`` and revises the file before it: two
    engineers adding the same number (two heads, or one silently hiding the other) fail here."""
    import re

    folder = Path(db.__file__).resolve().parent.parent / "migrations" / "versions"
    files = sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.py"))
    numbers = [f.name[:4] for f in files]
    assert len(numbers) == len(set(numbers)), f"a migration number is used twice: {numbers}"
    previous = None
    for path in files:
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision: str = [\"'](\d+)[\"']", source, re.M)
        down = re.search(r"^down_revision: str \| None = (None|[\"'](\d+)[\"'])", source, re.M)
        assert revision and revision.group(1) == path.name[:4], path.name
        assert down and down.group(2) == previous, f"{path.name} must revise {previous}"
        previous = revision.group(1)
