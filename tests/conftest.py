"""Shared fixtures: a clean, migrated database per test on SQLite, and on PostgreSQL when
``ORDERFLOW_TEST_DATABASE_URL`` is set (CI sets it; elsewhere those runs skip with a reason).

``engine`` is parametrized over both engines; ``sqlite_engine`` is SQLite only, for tests that
do not touch SQL specifics (pages, rendering)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from core import db
from core.models import Base

pytest_plugins = ["tests.smtp_server"]  # smtp_server, smtp_server_factory (aiosmtpd)
PG_ENV = "ORDERFLOW_TEST_DATABASE_URL"
SHARED = Path(
    os.environ.get("ORDERFLOW_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared"
)
"""The team's shared folder (real data); ORDERFLOW_SHARED_DIR points a worktree elsewhere."""


TEST_SECRET_KEY = "test-secret-key-not-for-production"
# Set at import, before collection: some parametrized tests sign tokens while being collected.
os.environ["ORDERFLOW_SECRET_KEY"] = TEST_SECRET_KEY


@pytest.fixture(scope="session", autouse=True)
def _isolated_secrets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """For the whole session (module and session fixtures included): a test signing key, and a
    secrets file in a temporary folder, so no test reads or writes the developer's secrets."""
    from core import config

    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORDERFLOW_SECRET_KEY", TEST_SECRET_KEY)
        patch.setattr(config, "secrets_path", lambda: secrets_file)
        yield


@pytest.fixture(autouse=True)
def _isolated_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts with the test key and without SMTP settings from the environment."""
    monkeypatch.setenv("ORDERFLOW_SECRET_KEY", TEST_SECRET_KEY)
    for key in list(os.environ):
        if key.startswith("ORDERFLOW_SMTP_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = db.make_engine(f"sqlite:///{path}")
    db.migrate(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    base_url = os.environ.get(PG_ENV)
    if not base_url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (CI sets it)")
    name = f"orderflow_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base_url.rsplit("/", 1)[0] + "/" + name
    engine = db.make_engine(url)
    db.migrate(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _sqlite_engine(template: Path, tmp_path: Path) -> Engine:
    path = tmp_path / "orderflow.db"
    shutil.copy(template, path)
    return db.make_engine(f"sqlite:///{path}")


def _pg_engine(url: str) -> Engine:
    engine = db.make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        # A session an earlier test left open keeps its transaction and locks until the garbage
        # collector happens to close it: TRUNCATE would wait for it (once for 300 s). Say who.
        conn.execute(text("SET LOCAL lock_timeout = '20s'"))
        try:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        except OperationalError:
            pytest.fail(f"an earlier test left a transaction open: {_open_transactions(url)}")
    return engine


def _open_transactions(url: str) -> list[tuple[str, str]]:
    with create_engine(url).connect() as conn:
        rows = conn.execute(
            text(
                "SELECT state, query FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        ).all()
    return [(r[0], r[1]) for r in rows]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A clean, migrated database: SQLite, and PostgreSQL when configured."""
    if request.param == "sqlite":
        eng = _sqlite_engine(request.getfixturevalue("_sqlite_template"), tmp_path)
    else:
        eng = _pg_engine(request.getfixturevalue("_pg_database"))
    yield eng
    left_open = eng.pool.checkedout()
    eng.dispose()
    if left_open:
        pytest.fail(f"LEAKCHECK {left_open} connection(s) still checked out after the test")


@pytest.fixture
def sqlite_engine(_sqlite_template: Path, tmp_path: Path) -> Iterator[Engine]:
    eng = _sqlite_engine(_sqlite_template, tmp_path)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session on the parametrized engine; tests commit through it as the app would."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> Iterator[Engine]:
    """Point the configured database (CLI, pages) at the test engine."""
    monkeypatch.setenv("ORDERFLOW_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    db.default_engine.cache_clear()
    yield engine
    db.default_engine.cache_clear()


@pytest.fixture
def shared_data() -> Path:
    folder = SHARED / "data"
    if not (folder / "online_retail_invoices.csv").exists():
        pytest.skip(f"the shared data folder is absent ({folder})")
    return folder
