"""Column arrays for one table, and their bulk write on SQLite and PostgreSQL.

A :class:`Frame` holds one numpy array per column. Timestamps are epoch seconds, dates are days
since the epoch, money is integer cents; :data:`NULL` marks a missing value in those ``int64``
columns, ``None`` in object columns. JSON columns hold serialized strings. Columns listed in
``offsets`` hold 0-based indexes of demo rows of another table; the writer adds that table's
first id (or, for a small table given as an array of ids, looks the id up).

SQLite gets ``executemany`` on the driver in chunks (values in SQLAlchemy's own storage formats,
so SQL comparisons with rows written by the ORM stay correct); PostgreSQL gets ``COPY``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import JSON, Boolean, Connection, Date, Integer, Numeric, Table

from core.db import UTCDateTime

NULL = np.iinfo(np.int64).min
NONE = np.array(None, dtype=object)
"""A NULL for ``np.where`` on object columns."""
CHUNK = 50_000
SQLITE_CACHE_KIB = 1_000_000
REBUILD_INDEXES_FROM = 100_000
"""Page cache while loading: index inserts stay in memory instead of rereading the WAL."""


@dataclass
class Frame:
    table: Table
    columns: dict[str, np.ndarray]
    offsets: dict[str, str] = field(default_factory=dict)
    sort_by: str | None = None
    """Insert in the order of this (unique, text) column, so its index only grows at the end;
    ids are explicit, so the row order is free."""

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def _kind(table: Table, name: str) -> str:
    col_type = table.c[name].type
    if isinstance(col_type, UTCDateTime):
        return "ts"
    for kind, cls in (("date", Date), ("money", Numeric), ("bool", Boolean), ("json", JSON)):
        if isinstance(col_type, cls):
            return kind
    return "int" if isinstance(col_type, Integer) else "str"


def _with_nulls(values: np.ndarray, nulls: np.ndarray) -> np.ndarray:
    out = values.astype(object)
    out[nulls] = None
    return out


_TEMPLATES = {"sqlite": b"0000-00-00 00:00:00.000000", "postgresql": b"0000-00-00 00:00:00+00"}
"""SQLAlchemy's SQLite storage format (so SQL comparisons with ORM-written rows hold), and an
explicit UTC offset for PostgreSQL."""


def iso(t: np.ndarray) -> np.ndarray:
    """Epoch seconds as ``datetime.isoformat()`` of aware UTC values (``...T10:00:00+00:00``)."""
    return _format(t, b"0000-00-00T00:00:00+00:00")


def _timestamps(t: np.ndarray, dialect: str) -> np.ndarray:
    return _format(t, _TEMPLATES.get(dialect, _TEMPLATES["postgresql"]))


def _format(t: np.ndarray, template: bytes) -> np.ndarray:
    """Epoch seconds as text after ``template``, digit by digit with integer arithmetic (much
    faster than ``datetime_as_string``); NULL becomes None."""
    safe = np.where(t == NULL, 0, t)
    days = (safe // 86_400).astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    secs = safe % 86_400
    fields = (
        (0, months.astype(np.int64) // 12 + 1970, 4),
        (5, months.astype(np.int64) % 12 + 1, 2),
        (8, (days - months.astype("datetime64[D]")).astype(np.int64) + 1, 2),
        (11, secs // 3_600, 2),
        (14, secs // 60 % 60, 2),
        (17, secs % 60, 2),
    )
    out = np.empty((len(t), len(template)), dtype=np.uint8)
    out[:] = np.frombuffer(template, dtype=np.uint8)
    for pos, value, width in fields:
        for k in range(width):
            out[:, pos + width - 1 - k] = 48 + (value // 10**k) % 10
    text = out.view(f"S{len(template)}").ravel().astype(f"U{len(template)}")
    return _with_nulls(text, t == NULL)


def column_values(
    frame: Frame, name: str, dialect: str, bases: Mapping[str, int | np.ndarray]
) -> np.ndarray:
    """The column as values the driver (or ``COPY``) accepts, NULLs as ``None``."""
    values = frame.columns[name]
    kind = _kind(frame.table, name)
    if name in frame.offsets:
        base = bases[frame.offsets[name]]
        nulls = values == NULL
        ids = np.asarray(base)[np.where(nulls, 0, values)] if np.ndim(base) else values + base
        return _with_nulls(ids, nulls)
    if kind == "ts":
        return _timestamps(values, dialect)
    if kind == "date":
        return _with_nulls(np.datetime_as_string(values.astype("datetime64[D]")), values == NULL)
    if kind == "money":
        return _with_nulls(values / 100.0, values == NULL)
    if kind == "bool":
        return values.astype(np.int64) if dialect == "sqlite" else np.where(values, "t", "f")
    if kind == "int" and values.dtype == np.int64:
        return _with_nulls(values, values == NULL)
    return values


def write(conn: Connection, frame: Frame, bases: Mapping[str, int | np.ndarray]) -> int:
    """Insert every row of ``frame``; returns the row count."""
    n = len(frame)
    if n == 0:
        return 0
    dialect = conn.dialect.name
    names = list(frame.columns)
    columns = [column_values(frame, name, dialect, bases) for name in names]
    if frame.sort_by is not None:
        order = np.argsort(columns[names.index(frame.sort_by)].astype(str), kind="stable")
        columns = [c[order] for c in columns]
    if dialect == "sqlite":
        sql = (
            f"INSERT INTO {frame.table.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' * len(names))})"
        )
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
        indexes = _drop_indexes(cursor, frame.table.name) if n >= REBUILD_INDEXES_FROM else []
        for lo in range(0, n, CHUNK):
            chunk = [c[lo : lo + CHUNK].tolist() for c in columns]
            cursor.executemany(sql, list(zip(*chunk, strict=True)))
        for ddl in indexes:
            cursor.execute(ddl)
        cursor.close()
    else:
        _copy(conn, frame.table.name, names, columns, n)
    return n


def _drop_indexes(cursor: Any, table: str) -> list[str]:
    """Drop the table's named indexes (same transaction) and return their DDL: building an
    index once after a bulk insert costs about half the CPU of updating it row by row."""
    rows = cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _ in rows:
        cursor.execute(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in rows]


def _copy(
    conn: Connection, table: str, names: list[str], columns: list[np.ndarray], n: int
) -> None:
    raw = conn.connection.driver_connection
    sql = f"COPY {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv)"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
        for lo in range(0, n, CHUNK * 4):
            df = pd.DataFrame(
                {k: c[lo : lo + CHUNK * 4] for k, c in zip(names, columns, strict=True)}
            )
            buffer = io.StringIO()
            df.to_csv(buffer, index=False, header=False, na_rep="")
            copy.write(buffer.getvalue())
