"""Reading raw CSV (BOM, delimiters, record numbers, encodings) and the column mapping."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import importers
from core.errors import ImportRejected, ValidationError
from core.importers.reading import read_table
from core.models import Order
from tests.core.importers.conftest import Importer


def test_preview_keeps_raw_columns_and_handles_bom_and_semicolons() -> None:
    data = "\ufeffInvoice;Datum;Betrag\n1;2024-01-02;1.234,50\n2;2024-01-03;7,00\n3;x;y\n".encode()
    preview = importers.read_csv_preview(data, limit=2)
    assert list(preview.columns) == ["Invoice", "Datum", "Betrag"]
    assert preview["Betrag"].tolist() == ["1.234,50", "7,00"]


def test_record_numbers_count_blank_lines_and_multiline_fields() -> None:
    data = b'a,b\n1,"two\nlines"\n\n3,x\n4,y,z\n5,w,\n'
    table = read_table(data)
    assert table.rows.tolist() == [2, 4, 6]
    assert table.frame["b"].tolist() == ["two\nlines", "x", "w"]
    [ragged] = table.errors
    assert ragged.row == 5 and "3 fields" in ragged.reason


def test_fast_path_matches_slow_path_numbering() -> None:
    data = b'a,b\n1,"two\nlines"\n3,x\n'
    table = read_table(data)
    assert table.rows.tolist() == [2, 3] and table.frame["a"].tolist() == ["1", "3"]


def test_windows_1252_files_are_read() -> None:
    data = "name,city\nJürgen,Köln\n".encode("cp1252")
    assert read_table(data).frame["city"].tolist() == ["Köln"]


def test_header_problems_are_reported_against_row_1() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_table(b"a,a,\n1,2,3\n")
    assert [(e.row, e.reason) for e in caught.value.errors] == [
        (1, "this column name appears more than once"),
        (1, "this column name appears more than once"),
        (1, "a column has no name"),
    ]
    with pytest.raises(ImportRejected):
        read_table(b"\n\n")


def test_detect_format() -> None:
    assert (
        importers.detect_format(["\ufeffName", "Email", "Created at", "Lineitem name"]) == "shopify"
    )
    assert importers.detect_format(["order_id", "customer_id", "placed_at", "total"]) == "native"


def test_target_fields_list_required_fields_first() -> None:
    assert set(importers.TARGET_FIELDS) == set(importers.KINDS)
    required = [name for name, needed in importers.TARGET_FIELDS["orders"] if needed]
    assert required == ["order_id", "customer_id", "placed_at", "total"]


def test_parse_mapping() -> None:
    assert importers.parse_mapping(" A=order_id, B = total ,") == {"A": "order_id", "B": "total"}
    with pytest.raises(ValidationError):
        importers.parse_mapping("A")


def test_mapping_renames_columns(session: Session, run_import: Importer) -> None:
    data = "Invoice;Date;Client;Amount;Ignored\n7;20240102;K9;1.234,50;x\n"
    summary = run_import(
        data,
        mapping={
            "Invoice": "order_id",
            "date": "placed_at",
            "Client": "customer_id",
            "Amount": "total",
        },
        currency="PLN",
    )
    assert summary.orders_created == 1
    order = session.scalars(select(Order)).one()
    assert (order.external_id, str(order.total), order.currency) == ("7", "1234.50", "PLN")


def test_mapping_errors_name_every_problem(session: Session, run_import: Importer) -> None:
    with pytest.raises(ImportRejected) as caught:
        run_import(
            "Invoice,When,Who\n1,2024-01-01,C\n",
            mapping={
                "Invoice": "order_no",
                "Missing": "total",
                "When": "placed_at",
                "Who": "placed_at",
            },
        )
    reasons = {e.column: e.reason for e in caught.value.errors}
    assert set(reasons) == {"Invoice", "Missing", "Who", "order_id", "customer_id", "total"}
    assert "'order_no' is not a field of orders imports" in reasons["Invoice"]
    assert "lacks" in reasons["Missing"] and "another column" in reasons["Who"]
    assert "--map SRC=customer_id" in reasons["customer_id"]
    assert all(e.row == 1 for e in caught.value.errors)


def test_unknown_kind_and_format_are_validation_errors(run_import: Importer) -> None:
    with pytest.raises(ValidationError):
        run_import("a\n1\n", kind="invoices")
    with pytest.raises(ValidationError):
        run_import("a\n1\n", fmt="excel")
