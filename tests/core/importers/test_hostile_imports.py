"""Issue 11 defect 11 and the hostile-input property: a bad import ends in a clear error naming
row and column, never a traceback, and changes nothing; dates outside 1970-2099 are refused;
the losing side of two concurrent imports of one file gets a clear conflict, not a crash."""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import importers
from core.auth import Actor
from core.errors import ImportRejected, OrderflowError
from tests.core.importers.conftest import Importer, table_counts

HEADER = "order_id,customer_id,placed_at,total,currency,email\n"


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("A-1,C-1,2024-01-05,10,EUR," + "x" * 140_000 + "@e.com", "email", "longer than"),
        ("A-2,C-2,2024-01-05,1e400,EUR,a@e.com", "total", "too large"),
        ("A-3,C-3,2024-01-05,10,EUR,a\x00b@e.com", "email", "NUL"),
        ("A-4,C-4,0001-01-01,10,EUR,a@e.com", "placed_at", "1970 to 2099"),
        ("A-5,C-5,9999-12-31T23:59:59,10,EUR,a@e.com", "placed_at", "1970 to 2099"),
    ],
)
def test_hostile_rows_are_refused_by_row_and_column_and_change_nothing(
    session: Session, run_import: Importer, row: str, column: str, reason: str
) -> None:
    before = table_counts(session)
    with pytest.raises(ImportRejected) as rejected:
        run_import(HEADER + row + "\n")
    first = rejected.value.errors[0]
    assert (first.row, first.column) == (2, column) and reason in str(first)
    assert table_counts(session) == before


def test_two_concurrent_imports_of_one_file(engine: Engine) -> None:
    data = HEADER + "".join(f"P-{i},PC-{i},2024-01-05,10,EUR,p{i}@e.com\n" for i in range(300))
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        try:
            with Session(engine) as s, s.begin():
                importers.import_csv(s, Actor.cli(), data.encode())
            outcomes.append("ok")
        except OrderflowError as exc:  # a clear conflict, nothing half-written
            outcomes.append(f"refused: {exc}")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(outcomes) == 2 and "ok" in outcomes, outcomes
    with Session(engine) as s:
        assert table_counts(s)["orders"] == 300


_cells = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
) | st.sampled_from(["", "1e400", "-5", "0001-01-01", "2024-02-30", "NaN", "=1+1", "EUR", "€"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_cells, min_size=6, max_size=6), min_size=1, max_size=4))
def test_any_csv_gives_success_or_a_clear_error(
    sqlite_engine: Engine, rows: list[list[str]]
) -> None:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER.strip().split(","))
    writer.writerows(rows)
    with Session(sqlite_engine) as s:
        before = table_counts(s)
    try:
        with Session(sqlite_engine) as s, s.begin():
            importers.import_csv(s, Actor.cli(), buffer.getvalue().encode("utf-8"))
    except OrderflowError:
        with Session(sqlite_engine) as s:
            assert table_counts(s) == before  # a failed import changes nothing
