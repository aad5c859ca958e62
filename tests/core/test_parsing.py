from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from core.csvout import CsvFormat, to_csv_bytes
from core.errors import ValidationError
from core.money import convert, parse_amount
from core.timeutil import day_bounds, local_month, parse_timestamp

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31", dt.datetime(2024, 3, 30, 23, 0, tzinfo=dt.UTC)),
        ("20240331", dt.datetime(2024, 3, 30, 23, 0, tzinfo=dt.UTC)),
        ("2024-03-31T12:00:00", dt.datetime(2024, 3, 31, 10, 0, tzinfo=dt.UTC)),  # CEST
        ("2024-03-31 12:00:00 +0100", dt.datetime(2024, 3, 31, 11, 0, tzinfo=dt.UTC)),
        ("2024-10-27T02:30:00Z", dt.datetime(2024, 10, 27, 2, 30, tzinfo=dt.UTC)),
    ],
)
def test_parse_timestamp(text: str, expected: dt.datetime) -> None:
    assert parse_timestamp(text, BERLIN) == expected


@pytest.mark.parametrize("bad", ["", "31/03/2024", "yesterday", "2024-13-01"])
def test_parse_timestamp_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_timestamp(bad, BERLIN)


def test_month_boundary_in_store_time_zone() -> None:
    moment = parse_timestamp("2024-01-31T23:30:00Z", BERLIN)
    assert local_month(moment, BERLIN) == "2024-02"
    assert local_month(moment, ZoneInfo("UTC")) == "2024-01"
    lo, hi = day_bounds(dt.date(2024, 2, 1), dt.date(2024, 2, 29), BERLIN)
    assert lo <= moment < hi


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("7", "7"),
    ],
)
def test_parse_amount(text: str, expected: str) -> None:
    assert parse_amount(text) == Decimal(expected)


@pytest.mark.parametrize("bad", ["", "1,2345", "abc", "NaN", "1,23,4"])
def test_parse_amount_rejects(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_amount(bad)


def test_convert_needs_a_rate() -> None:
    assert convert(Decimal("10"), "PLN", "EUR", {"PLN": Decimal("0.25")}) == Decimal("2.50")
    with pytest.raises(ValidationError, match="No exchange rate from SEK"):
        convert(Decimal("10"), "SEK", "EUR", {})


def test_european_csv() -> None:
    frame = pd.DataFrame(
        {"order": ["A;1", "B"], "total": [Decimal("1234.50"), Decimal("2")], "rate": [0.5, 1.25]}
    )
    data = to_csv_bytes(frame, CsvFormat.european())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines == ["order;total;rate", '"A;1";1234,50;0,5', "B;2;1,25"]
    with pytest.raises(ValidationError, match="must differ"):
        CsvFormat(delimiter=",", decimal=",")


def test_csv_rounds_money_to_cents_and_rates_to_four_decimals() -> None:
    frame = pd.DataFrame(
        {"gross_revenue": [1091.6599999999999], "churn_rate": [0.123456789], "orders": [3]}
    )
    lines = to_csv_bytes(frame, CsvFormat.european()).decode("utf-8-sig").splitlines()
    assert lines == ["gross_revenue;churn_rate;orders", "1091,66;0,1235;3"]
