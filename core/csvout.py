"""CSV output for European Excel: delimiter and decimal separator choices, UTF-8 with an
optional BOM (Excel needs it to read UTF-8).

Every CSV the app writes goes through :func:`to_csv_bytes`, which defuses formula injection: a
text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (a customer can
type ``=HYPERLINK(...)`` into a review) gets a leading ``'`` so spreadsheets show it as text;
cells that read as numbers (``-12.50``, ``+3``) stay as they are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from core.errors import ValidationError

DELIMITERS = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab"}
DECIMALS = {".": "point (1234.56)", ",": "comma (1234,56)"}


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str = ","
    decimal: str = "."
    bom: bool = False

    def __post_init__(self) -> None:
        if self.delimiter not in DELIMITERS:
            raise ValidationError(
                f"{self.delimiter!r} is not a supported delimiter.", field="delimiter"
            )
        if self.decimal not in DECIMALS:
            raise ValidationError(f"{self.decimal!r} is not a decimal separator.", field="decimal")
        if self.delimiter == self.decimal:
            raise ValidationError(
                "The delimiter and the decimal separator must differ.",
                field="decimal",
                hint="With a comma decimal separator, use the semicolon delimiter.",
            )

    @classmethod
    def european(cls) -> CsvFormat:
        """Semicolon-separated with decimal commas and a BOM: what Excel in DE/FR/PL expects."""
        return cls(delimiter=";", decimal=",", bom=True)


RATE_WORDS = ("rate", "share", "retention", "churn", "conversion", "csat", "punctuality", "pct")
RATE_DECIMALS = 4
MONEY_DECIMALS = 2
PRECISION_NOTE = (
    "Amounts and other figures are rounded to 2 decimals (cents); rates are fractions rounded to "
    "4 decimals (0.1234 = 12.34%)."
)


def is_rate_name(column: object) -> bool:
    """A column holding a rate (a fraction): one of its words is a rate word, so
    ``conversion_rate`` and ``churn`` are rates while the counts ``conversions`` and
    ``shared_customers`` are not."""
    words = re.split(r"[^a-z0-9]+", str(column).lower())
    return any(word in RATE_WORDS for word in words)


def decimals_for(column: str) -> int:
    """Rates (fractions) keep 4 decimals, everything else 2: money to the cent."""
    return RATE_DECIMALS if is_rate_name(column) else MONEY_DECIMALS


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Float columns rounded for reading: no ``1091.6599999999999`` in a file."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(decimals_for(column))
    return out


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def defuse(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, made plain text (see the module)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return "'" + value
    return value


def _cell(value: object, decimal: str) -> object:
    if isinstance(value, Decimal) and decimal != ".":
        return format(value, "f").replace(".", decimal)
    return value


def to_csv_bytes(frame: pd.DataFrame, fmt: CsvFormat | None = None) -> bytes:
    """``frame`` as CSV bytes in ``fmt``. Decimals (and floats) use its decimal separator; floats
    are rounded as :data:`PRECISION_NOTE` says."""
    fmt = fmt or CsvFormat()
    out = rounded(frame)
    out.columns = [str(defuse(str(c))) for c in out.columns]
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[column] = series.map(
                lambda v: defuse(_cell(v, fmt.decimal) if fmt.decimal != "." else v)
            ).astype(object)
    text = out.to_csv(index=False, sep=fmt.delimiter, decimal=fmt.decimal, lineterminator="\r\n")
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if fmt.bom else data
