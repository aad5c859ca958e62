"""Reading an uploaded CSV into a frame of strings, with the record number of every row.

The header is record 1; a data row's number is its CSV record number (a quoted multi-line field
does not start a new record; a blank line counts). Handles a UTF-8 BOM, ``,``/``;``/tab
delimiters (sniffed from the header), and Windows-1252 files that are not UTF-8.

Large, regular files are parsed by pyarrow; anything unusual (blank lines, ragged rows, another
encoding) falls back to the standard ``csv`` module, which reports each bad record.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from core.errors import ImportRejected, RowError

BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t")
_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n")


@dataclass
class RawTable:
    """Every cell as a stripped string ("" when empty); ``rows[i]`` is the record number of
    ``frame.iloc[i]``; ``errors`` holds records that could not be split into the header's
    columns."""

    frame: pd.DataFrame
    rows: np.ndarray
    delimiter: str
    errors: list[RowError] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (BOM dropped), else Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _header(text: str) -> tuple[list[str], str]:
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not first_line.strip():
        raise ImportRejected(
            "The file is empty or its first line is blank.",
            [RowError(1, "", "", "the first line must name the columns")],
        )
    delimiter = sniff_delimiter(first_line)
    header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    names = [h.strip() for h in header]
    problems = [
        RowError(1, name or f"#{i + 1}", name, reason)
        for i, name in enumerate(names)
        for reason in _header_problems(name, names)
    ]
    if problems:
        raise ImportRejected("The header line is not usable.", problems)
    return names, delimiter


def _header_problems(name: str, names: list[str]) -> list[str]:
    if not name:
        return ["a column has no name"]
    if names.count(name) > 1:
        return ["this column name appears more than once"]
    return []


def _stripped(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: frame[c].astype("str").str.strip() for c in frame.columns})


def _read_fast(data: bytes, names: list[str], delimiter: str) -> pd.DataFrame | None:
    """pyarrow parsing of a regular UTF-8 file, or None when the file needs the slow path."""
    body = data.rstrip(b"\r\n \t")
    if _BLANK_LINE.search(body):
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=b'"' in body),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return None
    return _stripped(table.to_pandas())


def _read_slow(
    text: str, names: list[str], delimiter: str, limit: int | None
) -> tuple[pd.DataFrame, np.ndarray, list[RowError]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    width = len(names)
    columns: list[list[str]] = [[] for _ in names]
    rows: list[int] = []
    errors: list[RowError] = []
    for number, record in enumerate(reader, start=2):
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) > width and not any(c.strip() for c in record[width:]):
            record = record[:width]
        if len(record) != width:
            shown = delimiter.join(record)
            reason = f"has {len(record)} fields, the header has {width}"
            errors.append(RowError(number, "", shown, reason))
            continue
        for column, cell in zip(columns, record, strict=True):
            column.append(cell.strip())
        rows.append(number)
        if limit is not None and len(rows) >= limit:
            break
    frame = pd.DataFrame(
        {n: pd.Series(c, dtype="str") for n, c in zip(names, columns, strict=True)}
    )
    return frame, np.asarray(rows, dtype=np.int64), errors


def _refuse_nul(data: bytes, names: list[str], delimiter: str) -> None:
    """A NUL byte is no text (PostgreSQL refuses it): name its row and column."""
    at = data.find(b"\x00")
    if at < 0:
        return
    line_start = data.rfind(b"\n", 0, at) + 1
    row = data.count(b"\n", 0, at) + 1
    before = data[line_start:at].decode("utf-8", "replace")
    index = before.count(delimiter)
    column = names[index] if index < len(names) else f"column {index + 1}"
    raise ImportRejected(
        "The file contains a NUL byte (\\x00): it is not a text CSV, or it is damaged.",
        [RowError(row, column, before[-20:], "contains a NUL byte; remove it and import again")],
    )


def read_table(data: bytes, limit: int | None = None) -> RawTable:
    """Parse ``data`` (at most ``limit`` data rows) into a :class:`RawTable`."""
    names, delimiter = _header(_decode_head(data))
    _refuse_nul(data, names, delimiter)
    if limit is None:
        fast = _read_fast(data.removeprefix(BOM), names, delimiter)
        if fast is not None:
            rows = np.arange(2, len(fast) + 2, dtype=np.int64)
            return RawTable(fast, rows, delimiter)
    frame, rows, errors = _read_slow(decode(data), names, delimiter, limit)
    return RawTable(frame, rows, delimiter, errors)


def _decode_head(data: bytes) -> str:
    head = data[:65536]
    try:
        return head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if len(data) > len(head) and exc.start >= len(head) - 4:
            return head[: exc.start].decode("utf-8-sig")
        return head.decode("cp1252", errors="replace")
