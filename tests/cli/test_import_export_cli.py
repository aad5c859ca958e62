"""`python -m core import` and `python -m core export`, through ``core.cli.main``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.cli import main
from core.models import Customer, Order
from tests.core.importers.conftest import FIXTURES, table_counts

GOOD = "order_id,customer_id,placed_at,total,currency\nG-1,C-1,2024-01-05,10.50,EUR\nG-2,C-2,2024-02-05,20,PLN\n"
BAD = "order_id,customer_id,placed_at,total\nB-1,C-1,2024-01-05,-1\nB-2,C-2,yesterday,20\nB-3,C-3,2024-01-05,ten\n"
RETAIL_MAP = "InvoiceNo=order_id,InvoiceDate=placed_at,CustomerID=customer_id,TotalPrice=total"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return table_counts(session)


def test_online_retail_invoices_through_a_mapping_into_a_gbp_store(
    use_database: Engine, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["settings", "set", "currency", "GBP"]) == 0
    started = time.perf_counter()
    path = str(shared_data / "online_retail_invoices.csv")
    code = main(
        ["import", path, "--kind", "orders", "--map", RETAIL_MAP, "--currency", "GBP", "--json"]
    )
    assert code == 0
    assert time.perf_counter() - started < 30
    summary = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert (summary["orders_created"], summary["customers_created"]) == (18_532, 4_338)
    assert summary["rows_rejected"] == 0 and summary["errors"] == []
    with Session(use_database) as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 18_532
        assert session.scalar(select(func.count()).select_from(Customer)) == 4_338
        assert set(session.scalars(select(Order.currency).distinct())) == {"GBP"}
        total = session.scalar(select(func.sum(Order.total)))
    assert round(float(total) / 18_532, 2) == 480.87  # the README's AOV


def test_a_malformed_file_exits_1_lists_each_bad_row_and_changes_nothing(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(_write(tmp_path, "good.csv", GOOD))]) == 0
    before = _counts(use_database)
    capsys.readouterr()
    assert main(["import", str(_write(tmp_path, "bad.csv", BAD))]) == 1
    err = capsys.readouterr().err
    assert "3 of 3 rows were rejected; nothing was imported" in err
    for line in ("row 2, column 'total'", "row 3, column 'placed_at'", "row 4, column 'total'"):
        assert line in err
    assert _counts(use_database) == before


def test_json_summary_of_a_rejected_file(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(_write(tmp_path, "bad.csv", BAD)), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["rows_rejected"] == 3 and summary["orders_created"] == 0
    assert [(e["row"], e["column"]) for e in summary["errors"]] == [
        (2, "total"),
        (3, "placed_at"),
        (4, "total"),
    ]
    assert main(["import", str(_write(tmp_path, "cols.csv", "a,b\n1,2\n")), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert {e["column"] for e in summary["errors"]} == {
        "order_id",
        "customer_id",
        "placed_at",
        "total",
    }


def test_same_file_twice_dry_run_and_json(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(_write(tmp_path, "good.csv", GOOD))
    assert main(["import", path, "--dry-run", "--json"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["dry_run"] is True and dry["orders_created"] == 2
    assert _counts(use_database)["orders"] == 0
    assert main(["import", path, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    counts = _counts(use_database)
    assert main(["import", path, "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert (first["orders_created"], first["customers_created"]) == (2, 2)
    assert (second["orders_created"], second["orders_updated"], second["customers_created"]) == (
        0,
        2,
        0,
    )
    assert {k: v for k, v in _counts(use_database).items() if k != "audit_log"} == {
        k: v for k, v in counts.items() if k != "audit_log"
    }
    assert main(["import", path]) == 0
    assert "orders updated" in capsys.readouterr().out


def test_shopify_import_and_european_export(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shopify = str(FIXTURES / "shopify_orders_export.csv")
    assert main(["import", shopify, "--format", "shopify"]) == 0
    out = tmp_path / "orders.csv"
    assert (
        main(["export", "orders", "--out", str(out), "--delimiter", ";", "--decimal", ",", "--bom"])
        == 0
    )
    assert "exported 6 rows of orders" in capsys.readouterr().out
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    lines = text.decode("utf-8-sig").splitlines()
    assert len(lines) == 7 and lines[0].startswith("order_id;number;customer_id;email")
    assert any(";59,80;" in line for line in lines)
    assert main(["export", "customers", "--out", str(tmp_path / "c.csv")]) == 0
    assert (tmp_path / "c.csv").read_text().count("\n") == 6


def test_bad_arguments(
    use_database: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "missing.csv")]) == 1
    assert "Cannot read" in capsys.readouterr().err
    assert main(["import", str(_write(tmp_path, "g.csv", GOOD)), "--map", "nonsense"]) == 1
    assert main(["export", "orders", "--out", str(tmp_path / "x.csv"), "--decimal", ","]) == 1
    assert "semicolon" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["export", "users", "--out", str(tmp_path / "x.csv")])
    assert usage.value.code == 2
    with pytest.raises(SystemExit) as helped:
        main(["import", "--help"])
    assert helped.value.code == 0
    assert "--map SRC=DEST" in capsys.readouterr().out
