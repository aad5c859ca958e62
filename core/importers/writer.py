"""Bulk writes for imports, inside the caller's transaction, without an ORM object per row.

SQLite gets ``executemany`` of one prepared statement per chunk with values already in the
format SQLAlchemy stores (UTC timestamps as text); PostgreSQL gets ``COPY`` of a CSV built by
pyarrow (through a temporary table for updates and conflict-ignoring inserts). Frames use the
table's column names: timestamps ``datetime64[.., UTC]``, amounts decimal strings, JSON as text,
NA = NULL on insert and "keep the stored value" on update.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from sqlalchemy import JSON, Connection, Engine, Table, event, func, select
from sqlalchemy.orm import Session

CHUNK = 50_000
ROWS_PER_STATEMENT = 200
REINDEX_MIN_ROWS = 100_000
CONSTANT_MIN_ROWS = 1_000
_PARTIAL = re.compile(r"\)\s*WHERE\s", re.IGNORECASE)
_SAFE_LITERAL = re.compile(r"[A-Za-z0-9 _.:+@{}\[\]-]{0,64}")
BULK_CACHE_KIB = 256 * 1024
IN_CHUNK = 5_000
FOREIGN_KEYS_OFF = "orderflow_import_foreign_keys_off"
"""Set in a pooled connection's ``info`` while its import transaction runs unchecked."""
_temp_names = itertools.count(1)


class Writer:
    """Bulk operations on one session's connection (same transaction as the session)."""

    def __init__(self, session: Session, now: dt.datetime | None = None):
        session.flush()
        self.session = session
        self.conn = session.connection()
        self.dialect = self.conn.dialect.name
        self.now = now or dt.datetime.now(dt.UTC)

    def lookup(
        self, table: Table, key: str, keys: pd.Series, columns: Sequence[str] = ("id",)
    ) -> pd.DataFrame:
        """Rows of ``table`` whose ``key`` is among ``keys``: columns ``key`` + ``columns``."""
        names = [key, *columns]
        total = self.conn.execute(select(func.count()).select_from(table)).scalar_one()
        wanted = pd.unique(pd.Series(keys).dropna()) if total else np.zeros(0, dtype=object)
        if len(wanted) == 0:
            return pd.DataFrame({n: [] for n in names})
        stmt = select(*(table.c[n] for n in names))
        if total <= 2 * len(wanted):
            frame = _frame(self.conn.execute(stmt).all(), names)
            return frame[frame[key].isin(wanted)].reset_index(drop=True)
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(wanted, IN_CHUNK):
            rows += self.conn.execute(stmt.where(table.c[key].in_(chunk.tolist()))).all()
        return _frame(rows, names)

    def allocate_ids(self, table: Table, count: int) -> np.ndarray:
        """``count`` new primary keys for ``table`` (a sequence on PostgreSQL; on SQLite the
        transaction's write lock makes ``max(id)`` safe)."""
        if count == 0:
            return np.zeros(0, dtype=np.int64)
        if self.dialect == "postgresql":
            sequence = f"pg_get_serial_sequence('{table.name}', 'id')"
            sql = f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})"
            ids = self.conn.exec_driver_sql(sql).scalars().all()
            return np.asarray(ids, dtype=np.int64)
        top = self.conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table.name}").scalar()
        return np.arange(int(top or 0) + 1, int(top or 0) + 1 + count, dtype=np.int64)

    def insert(
        self, table: Table, frame: pd.DataFrame, ignore_conflicts: Sequence[str] = ()
    ) -> None:
        """Insert every row; columns absent from ``frame`` take the model's defaults. With
        ``ignore_conflicts``, rows that collide on those unique columns are skipped."""
        if frame.empty:
            return
        full = self._with_defaults(table, frame)
        if self.dialect == "postgresql":
            if ignore_conflicts:
                target = ", ".join(ignore_conflicts)
                self._pg_via_temp(
                    table,
                    full,
                    "INSERT INTO {t} ({c}) SELECT {c} FROM {s} "
                    f"ON CONFLICT ({target}) DO NOTHING",
                )
            else:
                self._pg_copy(table.name, full)
            return
        suffix = (
            f" ON CONFLICT ({', '.join(ignore_conflicts)}) DO NOTHING" if ignore_conflicts else ""
        )
        if not ignore_conflicts and self._large(table, len(full)):
            with self._sqlite_indexes_deferred(table):
                self._sqlite_insert(table, full, suffix)
            return
        self._sqlite_insert(table, full, suffix)

    def insert_select(
        self, table: Table, columns: Sequence[str], query: str, params: tuple[Any, ...], rows: int
    ) -> None:
        """``INSERT INTO table (columns) <query>`` (SQLite only): rows copied inside the database
        instead of being bound one by one; ``rows`` (an estimate) decides whether the table's
        secondary indexes are built afterwards, as in :meth:`insert`."""
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) {query}"
        if self._large(table, rows):
            with self._sqlite_indexes_deferred(table):
                self.conn.exec_driver_sql(sql, params)
            return
        self.conn.exec_driver_sql(sql, params)

    def now_text(self) -> str:
        """This import's moment as stored by SQLite (naive UTC text)."""
        text: str = _timestamp_text(pd.Series([pd.Timestamp(self.now)]))[0].as_py()
        return text

    def _sqlite_insert(self, table: Table, frame: pd.DataFrame, suffix: str) -> None:
        """One prepared statement inserting ROWS_PER_STATEMENT rows at a time (the table's
        cursor stays open across them: appending is cheaper than one statement per row); a
        column (but the first) with one value for every row is written as a literal (safe
        characters only) instead of being bound row by row."""
        values: list[str] = []
        bound: list[str] = []
        for column in frame.columns:
            literal = None if column == frame.columns[0] else _constant_literal(frame[column])
            values.append("?" if literal is None else literal)
            if literal is None:
                bound.append(column)
        head = f"INSERT INTO {table.name} ({', '.join(frame.columns)}) VALUES "
        row = f"({', '.join(values)})"
        grid = _grid(frame[bound])
        per = ROWS_PER_STATEMENT  # one statement inserts this many rows, the rest one by one
        full = len(grid) // per * per
        if full:
            flat = grid[:full].reshape(-1, per * len(bound))
            self._execute_chunks(head + ", ".join([row] * per) + suffix, flat)
        if full < len(grid):
            self._execute_chunks(head + row + suffix, grid[full:])

    def _large(self, table: Table, count: int) -> bool:
        if count < REINDEX_MIN_ROWS:
            return False
        stored = self.conn.execute(select(func.count()).select_from(table)).scalar_one()
        return count > stored

    @contextmanager
    def _sqlite_indexes_deferred(self, table: Table) -> Iterator[None]:
        """Drop the table's secondary indexes around a large insert into a small table and
        build them again afterwards (faster than updating them row by row). Partial indexes
        stay: a row outside their condition costs them nothing, a rebuild scans the table.
        Schema changes are transactional in SQLite: a failed import restores them with
        everything else."""
        found = self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (table.name,),
        ).all()
        indexes = [(name, sql) for name, sql in found if not _PARTIAL.search(sql)]
        self.conn.exec_driver_sql("PRAGMA threads = 2")
        for name, _ in indexes:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
        try:
            yield
        finally:
            for _, sql in indexes:
                self.conn.exec_driver_sql(sql)
            self.conn.exec_driver_sql("PRAGMA threads = 0")

    @contextmanager
    def bulk(self, own_transaction: bool = False) -> Iterator[None]:
        """Around the whole write: no cyclic garbage collection (millions of parameter tuples
        would trigger it over and over for nothing) and, on SQLite, a page cache large enough
        for the write (no dirty page spilled to the WAL and read back before the commit); both
        restored afterwards. (``temp_store = MEMORY`` made the index builds slower: measured.)
        With ``own_transaction``, see :meth:`_sqlite_own_transaction`."""
        collecting = gc.isenabled()
        gc.disable()  # the bulk frames and parameter tuples hold no cycles to collect
        try:
            if self.dialect == "sqlite":
                if own_transaction:
                    self._sqlite_own_transaction()
                with self._sqlite_bulk():
                    yield
            else:
                yield
        finally:
            if collecting:
                gc.enable()

    def _sqlite_own_transaction(self) -> None:
        """When no transaction is open yet on SQLite (the import's writes open it): take the
        write lock now, so every lookup and every write sees one snapshot that no other writer
        can change, and leave the foreign keys of this transaction unchecked (one parent lookup
        per reference: more than half of the orders insert and of the event copy). Every
        reference written is an id looked up or allocated under that lock; the importer tests
        run ``PRAGMA foreign_key_check`` after each import. The connection checks them again
        from its next transaction (or when it returns to the pool); inside a caller's open
        transaction nothing changes."""
        raw: Any = self.conn.connection.driver_connection
        if raw.in_transaction:
            return
        _restore_foreign_keys_later(self.conn.engine)
        self.conn.connection.info[FOREIGN_KEYS_OFF] = True
        self.conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
        self.conn.exec_driver_sql("BEGIN IMMEDIATE")

    @contextmanager
    def _sqlite_bulk(self) -> Iterator[None]:
        pragmas = {"cache_size": -BULK_CACHE_KIB}
        saved = {n: self.conn.exec_driver_sql(f"PRAGMA {n}").scalar() for n in pragmas}
        for name, value in pragmas.items():
            self.conn.exec_driver_sql(f"PRAGMA {name} = {value}")
        try:
            yield
        finally:
            for name, before in saved.items():
                self.conn.exec_driver_sql(f"PRAGMA {name} = {int(before or 0)}")

    def update(self, table: Table, frame: pd.DataFrame) -> None:
        """Update rows by ``id``; a NA cell keeps the stored value. Rows whose values would
        not change are left alone (re-importing the same file rewrites nothing); changed rows
        get ``updated_at``."""
        columns = [c for c in frame.columns if c != "id"]
        if frame.empty or not columns:
            return
        stamp = ["updated_at"] if "updated_at" in table.c else []
        frame = frame.assign(updated_at=pd.Timestamp(self.now)) if stamp else frame
        if self.dialect == "postgresql":
            sets = ", ".join(f"{c} = COALESCE(s.{c}, t.{c})" for c in [*columns, *stamp])
            changed = " OR ".join(
                f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM t.{c})" for c in columns
            )
            self._pg_via_temp(
                table,
                frame[["id", *columns, *stamp]],
                f"UPDATE {{t}} AS t SET {sets} FROM {{s}} AS s WHERE t.id = s.id AND ({changed})",
            )
            return
        names = [*columns, *stamp]
        sets = ", ".join(f"{c} = COALESCE(?{i}, {c})" for i, c in enumerate(names, start=1))
        changed = " OR ".join(
            f"(?{i} IS NOT NULL AND ?{i} IS NOT {c})" for i, c in enumerate(columns, start=1)
        )
        sql = f"UPDATE {table.name} SET {sets} WHERE id = ?{len(names) + 1} AND ({changed})"
        self._executemany(sql, frame[[*names, "id"]])

    def delete_in(self, table: Table, column: str, values: pd.Series) -> None:
        for chunk in _chunks(pd.unique(values.dropna()), IN_CHUNK):
            self.conn.execute(table.delete().where(table.c[column].in_(chunk.tolist())))

    def _with_defaults(self, table: Table, frame: pd.DataFrame) -> pd.DataFrame:
        """Absent columns and NA cells take the column's default (none: NULL)."""
        full = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed
        for column in table.c:
            if column.default is not None:
                value = _default_value(column.default, self.now)
                if isinstance(column.type, JSON):
                    value = json.dumps(value)
                if column.name not in full:
                    full[column.name] = value
                elif full[column.name].isna().any():
                    full[column.name] = full[column.name].fillna(value)
            if isinstance(column.type, JSON) and column.name in full:
                full[column.name] = _json_text(full[column.name])
        return full

    def _executemany(self, sql: str, frame: pd.DataFrame) -> None:
        self._execute_chunks(sql, _grid(frame))

    def _execute_chunks(self, sql: str, grid: np.ndarray) -> None:
        """``sql`` once per row of ``grid`` (its parameters), in chunks of about CHUNK values."""
        step = max(1, CHUNK * 16 // max(grid.shape[1], 1))
        for start in range(0, len(grid), step):
            self.conn.exec_driver_sql(sql, [tuple(r) for r in grid[start : start + step]])

    def _pg_copy(self, table_name: str, frame: pd.DataFrame) -> None:
        raw: Any = self.conn.connection.driver_connection
        sql = f"COPY {table_name} ({', '.join(frame.columns)}) FROM STDIN (FORMAT csv)"
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(frame), CHUNK * 4):
                copy.write(_pg_csv(frame.iloc[start : start + CHUNK * 4]))

    def _pg_via_temp(self, table: Table, frame: pd.DataFrame, statement: str) -> None:
        temp = f"import_tmp_{next(_temp_names)}"
        columns = ", ".join(frame.columns)
        self.conn.exec_driver_sql(
            f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {table.name} WITH NO DATA"
        )
        self._pg_copy(temp, frame)
        self.conn.exec_driver_sql(statement.format(t=table.name, s=temp, c=columns))
        self.conn.exec_driver_sql(f"DROP TABLE {temp}")


def _restore_foreign_keys_later(engine: Engine) -> None:
    """Listen (once per engine) for the end of an unchecked import transaction."""
    if not event.contains(engine, "checkin", _checked_in):
        event.listen(engine, "checkin", _checked_in)
        event.listen(engine, "begin", _begun)


def _restore_foreign_keys(raw: Any, info: dict[Any, Any]) -> None:
    if info.get(FOREIGN_KEYS_OFF) and raw is not None and not raw.in_transaction:
        raw.execute("PRAGMA foreign_keys = ON")
        del info[FOREIGN_KEYS_OFF]


def _checked_in(raw: Any, record: Any) -> None:
    _restore_foreign_keys(raw, record.info)


def _begun(conn: Connection) -> None:
    _restore_foreign_keys(conn.connection.driver_connection, conn.connection.info)


def _default_value(default: Any, now: dt.datetime) -> Any:
    value = default.arg(None) if default.is_callable else default.arg
    if isinstance(value, dt.datetime):
        return pd.Timestamp(now)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _frame(rows: Sequence[tuple[Any, ...]], names: list[str]) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pd.DataFrame({name: list(values) for name, values in zip(names, columns, strict=True)})


def _chunks(values: Any, size: int) -> Iterable[np.ndarray]:
    values = np.asarray(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _json_text(series: pd.Series) -> pd.Series:
    if series.dtype != object:
        return series
    return series.map(lambda v: v if isinstance(v, str) or v is None else json.dumps(v))


def _timestamp_text(series: pd.Series, suffix: str = "") -> pa.Array:
    """UTC timestamps as ``YYYY-MM-DD HH:MM:SS.ffffff`` (SQLAlchemy's SQLite format) + suffix."""
    naive = pa.array(series.dt.tz_convert("UTC").dt.tz_localize(None), from_pandas=True)
    text = pc.cast(naive.cast(pa.timestamp("us"), safe=False), pa.string())
    return pc.binary_join_element_wise(text, suffix, "") if suffix else text


def _grid(frame: pd.DataFrame) -> np.ndarray:
    """The frame's values as SQLite parameters: an object array, one row per frame row."""
    grid = np.empty((len(frame), len(frame.columns)), dtype=object)
    for position, column in enumerate(frame.columns):
        grid[:, position] = _sqlite_values(frame[column])
    return grid


def _constant_literal(series: pd.Series) -> str | None:
    """The SQL literal of a column whose rows all hold the same value, else None."""
    if len(series) < CONSTANT_MIN_ROWS:
        return None
    missing = series.isna()
    if missing.all():
        return "NULL"
    if missing.any() or not bool((series == series.iloc[0]).all()):
        return None
    value = _sqlite_values(series.iloc[:1])[0]
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, str) and _SAFE_LITERAL.fullmatch(value):
        return f"'{value}'"
    return None


def _sqlite_values(series: pd.Series) -> list[Any]:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        values: list[Any] = _timestamp_text(series).to_pylist()
        return values
    if series.dtype == object:
        return list(series.where(series.notna(), None))
    plain: list[Any] = pa.array(series, from_pandas=True).to_pylist()
    return plain


def _pg_csv(frame: pd.DataFrame) -> bytes:
    arrays = []
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.DatetimeTZDtype):
            arrays.append(_timestamp_text(column, "+00"))
        elif column.dtype == object:
            arrays.append(pa.array(column.where(column.notna(), None).tolist()))
        else:
            arrays.append(pa.array(column, from_pandas=True))
    sink = io.BytesIO()
    table = pa.Table.from_arrays(arrays, names=[str(c) for c in frame.columns])
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return sink.getvalue()
