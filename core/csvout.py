"""CSV output for European Excel: delimiter and decimal separator choices, UTF-8 with an
optional BOM (Excel needs it to read UTF-8)."""

from __future__ import annotations

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


def _cell(value: object, decimal: str) -> object:
    if isinstance(value, Decimal) and decimal != ".":
        return format(value, "f").replace(".", decimal)
    return value


def to_csv_bytes(frame: pd.DataFrame, fmt: CsvFormat | None = None) -> bytes:
    """``frame`` as CSV bytes in ``fmt``. Decimals (and floats) use its decimal separator."""
    fmt = fmt or CsvFormat()
    out = frame.copy()
    if fmt.decimal != ".":
        for column in out.columns:
            if out[column].dtype == object:
                out[column] = out[column].map(lambda v: _cell(v, fmt.decimal))
    text = out.to_csv(index=False, sep=fmt.delimiter, decimal=fmt.decimal, lineterminator="\r\n")
    data = text.encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if fmt.bom else data
