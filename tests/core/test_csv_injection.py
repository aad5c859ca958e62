"""Issue 11 defect 7: CSV formula injection. Every export path (`python -m core export`, the
pages' downloads, the GDPR export) goes through core.csvout.to_csv_bytes, which defuses cells."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pandas as pd
import pytest

from core.csvout import CsvFormat, to_csv_bytes

HOSTILE = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\tx",
    "\rx",
]


@pytest.mark.parametrize("fmt", [CsvFormat(), CsvFormat.european()])
def test_formula_cells_get_a_quote_numbers_stay(fmt: CsvFormat) -> None:
    frame = pd.DataFrame(
        {
            "text": [*HOSTILE, "-12.50", "+3", "fine", None],
            "amount": [Decimal("-1.25")] * 10,
        }
    )
    data = to_csv_bytes(frame, fmt).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=fmt.delimiter))
    cells = [r[0] for r in rows[1:]]
    assert cells[: len(HOSTILE)] == ["'" + h for h in HOSTILE]
    assert cells[len(HOSTILE) :] == ["-12.50", "+3", "fine", ""]
    assert {r[1] for r in rows[1:]} == {"-1.25" if fmt.decimal == "." else "-1,25"}
