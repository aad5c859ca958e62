"""Vectorised parsing and validation of imported columns.

Each parser takes a column of stripped strings ("" = empty) and returns parsed values (NA where
empty), recording a :class:`RowError` for every bad cell in :class:`Problems`. The common shapes
are handled with whole-column operations; only unusual values take a per-value Python path that
uses the same rules as ``core.timeutil.parse_timestamp`` and ``core.money.parse_amount``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale, UnknownLocaleError

from core.errors import RowError, ValidationError
from core.money import CENT, check_currency, parse_amount
from core.timeutil import EARLIEST, LATEST, OUT_OF_RANGE, parse_timestamp, zone

TS_DTYPE = pd.DatetimeTZDtype("us", "UTC")
MAX_INTEGER_DIGITS = 12
_PLAIN_AMOUNT = r"-?[0-9]{1,12}(\.[0-9]{1,2})?"
_ISO = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"
_OFFSET = r"(Z|[+-][0-9]{2}:[0-9]{2})"
_EMAIL = r"[^@ \t\r\n]+@[^@ \t\r\n]+\.[^@ \t\r\n]+"
TRUE_WORDS = frozenset({"true", "yes", "y", "1", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "f"})


class Problems:
    """Collects row errors; ``rows[i]`` is the record number of position ``i``."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.errors: list[RowError] = []

    def add(self, row: int, column: str, value: str, reason: str) -> None:
        self.errors.append(RowError(int(row), column, value, reason))

    def flag(self, bad: pd.Series, values: pd.Series, column: str, reason: str) -> None:
        """One error per True in ``bad`` (aligned by position with ``values``)."""
        mask = bad.to_numpy(dtype=bool, na_value=False)
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        shown = values.to_numpy(dtype=object)[positions]
        for pos, value in zip(positions, shown, strict=True):
            self.add(self.rows[pos], column, str(value), reason)

    def sub(self, positions: np.ndarray) -> Problems:
        """A collector for a subset of the rows that appends to the same list."""
        child = Problems(self.rows[positions])
        child.errors = self.errors
        return child


def empty(values: pd.Series) -> pd.Series:
    return values == ""


def text(values: pd.Series, column: str, problems: Problems, max_len: int) -> pd.Series:
    """Text up to ``max_len`` characters, NA when empty."""
    problems.flag(
        values.str.len() > max_len, values, column, f"is longer than {max_len} characters"
    )
    return values.where(~empty(values))


def required(values: pd.Series, column: str, problems: Problems) -> None:
    problems.flag(empty(values), values, column, "is required but empty")


def amount(
    values: pd.Series, column: str, problems: Problems, non_negative: bool = True
) -> pd.Series:
    """Amounts as normalized decimal strings with two decimals (``"1234.50"``), NA when empty.

    Plain values (``1234.5``) are normalized as strings; decimal commas, thousands separators
    and longer fractions go through ``parse_amount`` and are rounded half-up to cents."""
    out = values.where(~empty(values))
    plain = values.str.fullmatch(_PLAIN_AMOUNT).fillna(False)
    dot = values.str.find(".")
    frac = values.str.len() - dot - 1
    out = out.where(~(plain & (dot < 0)), values + ".00")
    out = out.where(~(plain & (dot >= 0) & (frac == 1)), values + "0")
    other = ~plain & ~empty(values)
    if other.any():
        for pos in np.flatnonzero(other.to_numpy()):
            raw = str(values.iat[int(pos)])
            try:
                out.iat[int(pos)] = _slow_amount(raw)
            except ValueError as exc:
                problems.add(problems.rows[pos], column, raw, str(exc))
                out.iat[int(pos)] = pd.NA
    out = out.str.replace(r"^-(0+\.00)$", r"\1", regex=True)
    if non_negative:
        problems.flag(out.str.startswith("-"), values, column, "must not be negative")
    return out


def _slow_amount(raw: str) -> str:
    parsed = parse_amount(raw)
    if parsed.adjusted() >= MAX_INTEGER_DIGITS:  # 1e400 would overflow the quantize below
        raise ValueError("is too large")
    value = parsed.quantize(CENT, rounding=ROUND_HALF_UP)
    if len(str(abs(value).to_integral_value())) > MAX_INTEGER_DIGITS:
        raise ValueError("is too large")
    return format(value, "f")


def integer(values: pd.Series, column: str, problems: Problems, lo: int, hi: int) -> pd.Series:
    """Whole numbers between ``lo`` and ``hi`` (nullable Int64)."""
    ok = values.str.fullmatch(r"[+-]?[0-9]{1,9}(\.0+)?").fillna(False)
    problems.flag(~ok & ~empty(values), values, column, "is not a whole number")
    cleaned = values.where(ok).str.replace(r"\.0+$", "", regex=True)
    numbers = pd.to_numeric(cleaned, errors="coerce").astype("Int64")
    problems.flag(ok & ((numbers < lo) | (numbers > hi)), values, column, f"must be {lo} to {hi}")
    return numbers


def boolean(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    """true/false, yes/no, 1/0 (any case); NA when empty."""
    lowered = values.str.lower()
    is_true = lowered.isin(TRUE_WORDS)
    is_false = lowered.isin(FALSE_WORDS)
    problems.flag(
        ~is_true & ~is_false & ~empty(values), values, column, "is not true/false, yes/no or 1/0"
    )
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    out[is_true] = True
    out[is_false] = False
    return out


def timestamps(values: pd.Series, column: str, problems: Problems, tz: ZoneInfo) -> pd.Series:
    """Aware UTC timestamps from ISO timestamps, ISO dates or ``YYYYMMDD``; values without an
    offset are local times in ``tz`` (a bare date is local midnight)."""
    out = pd.Series(pd.NaT, index=values.index, dtype=TS_DTYPE)
    norm = values.str.replace(r"^([0-9]{4})([0-9]{2})([0-9]{2})$", r"\1-\2-\3", regex=True)
    norm = norm.str.replace(r"[ ]*([+-][0-9]{2}):?([0-9]{2})$", r"\1:\2", regex=True)
    norm = norm.str.replace(r"[zZ]$", "Z", regex=True)
    aware = norm.str.fullmatch(_ISO + _OFFSET).fillna(False)
    naive = norm.str.fullmatch(_ISO).fillna(False) & ~aware
    if aware.any():
        parsed = pd.to_datetime(norm[aware], format="ISO8601", utc=True, errors="coerce")
        out[aware] = parsed.astype(TS_DTYPE)
    if naive.any():
        local = pd.to_datetime(norm[naive], format="ISO8601", errors="coerce")
        local = local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
        out[naive] = local.dt.tz_convert("UTC").astype(TS_DTYPE)
    fixed: dict[int, pd.Timestamp] = {}
    for pos in np.flatnonzero((out.isna() & ~empty(values)).to_numpy()):
        raw = str(values.iat[int(pos)])
        try:
            fixed[int(pos)] = pd.Timestamp(parse_timestamp(raw, tz))
        except ValueError as exc:
            problems.add(problems.rows[pos], column, raw, str(exc))
    if fixed:  # set at once: one cell at a time costs a lot on a long series
        moments = pd.Series(list(fixed.values()), dtype=TS_DTYPE)
        out.iloc[list(fixed)] = moments.to_numpy()
    low, high = pd.Timestamp(EARLIEST, tz="UTC"), pd.Timestamp(LATEST, tz="UTC")
    outside = out.notna() & ((out < low) | (out >= high))
    if outside.any():
        problems.flag(outside, values, column, OUT_OF_RANGE)
        out = out.where(~outside)
    return out


def _by_unique(
    values: pd.Series, column: str, problems: Problems, check: Callable[[str], str]
) -> pd.Series:
    """Apply ``check`` once per distinct non-empty value; a ValueError marks the cells bad."""
    cleaned: dict[str, str] = {}
    bad: dict[str, str] = {}
    for value in values[~empty(values)].unique():
        try:
            cleaned[str(value)] = check(str(value))
        except (ValueError, ValidationError) as exc:
            bad[str(value)] = exc.message if isinstance(exc, ValidationError) else str(exc)
    for value, reason in bad.items():
        problems.flag(values == value, values, column, reason)
    return values.map(cleaned, na_action="ignore").astype("str").where(values.isin(cleaned))


def currency(values: pd.Series, column: str, problems: Problems, default: str) -> pd.Series:
    """ISO 4217 codes; empty cells take ``default``."""
    checked = _by_unique(values, column, problems, check_currency)
    return checked.fillna(default)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    codes = (str(c) for c in Locale("en").territories)
    return frozenset(c for c in codes if len(c) == 2 and c.isalpha())


def _country(value: str) -> str:
    code = value.upper()
    if code not in country_codes():
        raise ValueError("is not a two-letter ISO country code (e.g. DE, FR, GB)")
    return code


def country(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    return _by_unique(values, column, problems, _country)


def _locale(value: str) -> str:
    try:
        return str(Locale.parse(value.replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError("is not a language code (e.g. de, fr, en_IE)") from None


def locale(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    return _by_unique(values, column, problems, _locale)


def timezone(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    return _by_unique(values, column, problems, lambda v: zone(v).key)


def email(values: pd.Series, column: str, problems: Problems) -> pd.Series:
    lowered = values.str.lower()
    ok = lowered.str.fullmatch(_EMAIL).fillna(False)
    problems.flag(~ok & ~empty(values), values, column, "is not an email address")
    problems.flag(values.str.len() > 254, values, column, "is longer than 254 characters")
    return lowered.where(~empty(values))


def choice(
    values: pd.Series,
    column: str,
    problems: Problems,
    allowed: Iterable[str],
    synonyms: Mapping[str, str] | None = None,
) -> pd.Series:
    """One of ``allowed`` (case-insensitive, ``synonyms`` mapped first); NA when empty."""
    allowed = tuple(allowed)
    lowered = values.str.lower().replace(dict(synonyms or {}))
    problems.flag(
        ~lowered.isin(allowed) & ~empty(values),
        values,
        column,
        f"is not one of {', '.join(allowed)}",
    )
    return lowered.where(lowered.isin(allowed))


def duplicates(values: pd.Series, column: str, problems: Problems) -> None:
    """Flag every repeat of a key after its first row."""
    repeated = values.duplicated(keep="first") & ~empty(values)
    if not repeated.any():
        return
    first_row = pd.Series(problems.rows, index=values.index).groupby(values).transform("first")
    for pos in np.flatnonzero(repeated.to_numpy()):
        problems.add(
            problems.rows[pos],
            column,
            str(values.iat[int(pos)]),
            f"appears again (first on row {first_row.iat[int(pos)]})",
        )


def slug(values: pd.Series, max_len: int = 32) -> pd.Series:
    """Lower-case codes such as ``standard_shipping`` from free text, NA when empty."""
    out = values.str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")
    out = out.str.slice(0, max_len)
    return out.where(out != "")


def month_and_date(moments: pd.Series, tz: ZoneInfo) -> tuple[pd.Series, pd.Series]:
    """Local calendar date (``YYYY-MM-DD``) and month (``YYYY-MM``) in ``tz``."""
    local = pa.array(moments.dt.tz_convert(tz).dt.tz_localize(None), from_pandas=True)
    days = pc.cast(local.cast(pa.date32()), pa.string())
    months = pc.utf8_slice_codeunits(days, 0, 7)
    dates = pd.Series(days, index=moments.index, dtype="str")
    return dates, pd.Series(months, index=moments.index, dtype="str")
