"""Engines, sessions, the UTC timestamp type and migrations.

SQLite runs in WAL mode with foreign keys on and a busy timeout, so a long import does not make a
reader or the worker fail; PostgreSQL is reached through psycopg 3. Both run the same Alembic
migrations (``migrate``), on start and through ``python -m core init``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from core import config
from core.errors import ConfigError

MIGRATIONS_DIR = config.REPO_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware timestamp stored as UTC on every engine.

    SQLite drops offsets, so values are converted to UTC before they are written and read back
    as aware UTC datetimes. A naive value is a programming error: inputs are localized first.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: localize it to the store's time zone first")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """A new engine for ``url`` (default: the configured database)."""
    url = url or config.database_url()
    if url.startswith("postgres://") or url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and ":memory:" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if not url.startswith("postgresql"):
        raise ConfigError(
            f"Unsupported database URL {url.split(':', 1)[0]!r}.",
            field=config.ENV_DATABASE_URL,
            hint="Use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db.",
        )
    return create_engine(url, pool_pre_ping=True, **kwargs)


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """The process-wide engine for the configured database, migrated to the latest revision
    (Alembic runs only when the stored revision is not the newest migration file's)."""
    engine = make_engine()
    if not up_to_date(engine):
        migrate(engine)
    return engine


def head_revision() -> str:
    """The newest revision, from the migration file names (``NNNN_slug.py`` with revision
    ``"NNNN"``, one chain; ``tests/core/test_db.py`` checks it equals Alembic's head)."""
    names = (p.name.split("_", 1)[0] for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))
    return max(names)


def up_to_date(engine: Engine) -> bool:
    """True when the database is at :func:`head_revision` (one cheap query; no Alembic)."""
    try:
        with engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except DBAPIError:
        return False
    return found == [head_revision()]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        yield session


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to ``revision`` (creating it when empty)."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
