"""``python -m core backup --out FILE``: a consistent copy of the embedded SQLite database while
the app runs, made with SQLite's online backup API (pages are copied under SQLite's own
locking, so writers carry on and the copy is one committed state). On PostgreSQL the
equivalent is ``pg_dump`` (docs/security.md, "Backups").

Restore: stop the dashboard and the workers, then either copy the file over the database file
(and delete the old ``-wal``/``-shm`` files next to it) or point ``ORDERFLOW_DATABASE_URL`` at
``sqlite:////path/to/the/copy.db``; start again (migrations bring an older copy up to date).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from core.errors import ConfigError, ValidationError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    pages: int


def backup(engine: Engine, out: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the SQLite database behind ``engine`` to ``out`` (checked with integrity_check)."""
    if engine.dialect.name != "sqlite":
        raise ConfigError(
            "`backup` copies the embedded SQLite database; this one is PostgreSQL.",
            hint="Use pg_dump --format=custom --file=orderflow.dump DBNAME (see docs/security.md).",
        )
    source = engine.url.database
    if not source or source == ":memory:":
        raise ConfigError("The database is in memory: there is no file to back up.")
    out = out.expanduser().resolve()
    if out == Path(source).resolve():
        raise ValidationError("The backup must not overwrite the database itself.", field="out")
    if out.exists() and not overwrite:
        raise ValidationError(f"{out} exists already.", field="out", hint="Choose a new name.")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    tmp.unlink(missing_ok=True)
    with (
        closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)) as src,
        closing(sqlite3.connect(tmp)) as dst,
    ):
        src.backup(dst, pages=1024)
        pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
        dst.execute("PRAGMA journal_mode=DELETE")
    if verdict != "ok":
        tmp.unlink(missing_ok=True)
        raise ConfigError(f"The copy failed its integrity check: {verdict}.")
    tmp.replace(out)
    out.chmod(0o600)
    return BackupResult(out, out.stat().st_size, pages)
