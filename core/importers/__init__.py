"""Importing orders, lines, products, customers and reviews from CSV files.

All-or-nothing and idempotent: every row is validated first and a file with any bad row raises
:class:`~core.errors.ImportRejected` listing every rejected row, with nothing written; a good
file is upserted in bulk in the caller's transaction (this module flushes, the caller commits),
so importing the same file twice updates and never duplicates. Formats: the native CSV kinds
(with an optional column mapping), and Shopify's "Export orders" CSV.

Used by ``python -m core import`` and the Data page::

    preview = importers.read_csv_preview(data)
    summary = importers.import_csv(session, actor, data, mapping={"InvoiceNo": "order_id"})
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import audit
from core import settings as store_settings
from core.auth import Action, Actor, require
from core.errors import ConflictError, ImportRejected, RowError, ValidationError
from core.importers import native, shopify, store
from core.importers.batch import Batch, Context
from core.importers.mapping import (
    FORMATS,
    KINDS,
    TARGET_FIELDS,
    apply_mapping,
    check_format,
    check_kind,
    parse_mapping,
)
from core.importers.parsing import Problems
from core.importers.reading import RawTable, read_table
from core.importers.summary import ImportSummary, RejectedFile, rejected
from core.importers.writer import Writer
from core.money import check_currency

__all__ = [
    "FORMATS",
    "KINDS",
    "TARGET_FIELDS",
    "ImportRejected",
    "ImportSummary",
    "RejectedFile",
    "RowError",
    "detect_format",
    "import_csv",
    "parse_mapping",
    "read_csv_preview",
]

AUDIT_ACTION = "data.import"


def read_csv_preview(data: bytes, limit: int = 20) -> pd.DataFrame:
    """The first ``limit`` rows of the file, every column as read (strings)."""
    return read_table(data, limit=limit).frame


def detect_format(columns: list[str]) -> str:
    """``"shopify"`` for Shopify's order export header, else ``"native"``."""
    return "shopify" if shopify.is_shopify(columns) else "native"


def import_csv(
    session: Session,
    actor: Actor,
    data: bytes,
    *,
    kind: str = "orders",
    fmt: str = "auto",
    mapping: dict[str, str] | None = None,
    currency: str | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate ``data`` completely, then upsert it (unless ``dry_run``).

    ``currency`` fills an absent or empty currency column (default: the store currency).
    Raises ImportRejected (a :class:`RejectedFile` carrying the summary) when any row is bad.
    """
    require(actor, Action.IMPORT_DATA)
    check_kind(kind)
    check_format(fmt)
    current = store_settings.load(session)
    ctx = Context(tz=current.tz, currency=check_currency(currency or current.currency))
    table = read_table(data)
    batch, errors = _parse(table, kind, fmt, mapping, ctx)
    summary = ImportSummary(
        rows_read=batch.rows_read + len(table.errors), dry_run=dry_run, kind=kind, format=batch.fmt
    )
    if errors:
        raise rejected(summary, errors)
    try:
        counts = store.write(Writer(session), batch, ctx.tz, dry_run)
    except Exception as exc:
        if not _unique_conflict(exc):
            raise
        raise ConflictError(
            "Another import wrote the same records at the same moment; nothing from this file "
            "was written.",
            hint="Run the import again: importing again updates, never duplicates.",
        ) from None
    if counts.errors:
        raise rejected(summary, counts.errors)
    for name, value in counts.__dict__.items():
        if name != "errors":
            setattr(summary, name, value)
    if not dry_run:
        session.expire_all()
        if kind == "orders":
            _match_codes(session)
        store_settings.bump_data_version(session)
        audit.record(session, actor.name, AUDIT_ACTION, f"{kind}/{batch.fmt}", summary.counts())
        session.flush()
    return summary


def _unique_conflict(exc: BaseException) -> bool:
    """A unique key taken by a concurrent writer (SQLAlchemy, or psycopg's COPY path)."""
    if isinstance(exc, IntegrityError):
        return True
    try:
        from psycopg import errors as pg_errors
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return False
    return isinstance(exc, pg_errors.IntegrityError)


def _match_codes(session: Session) -> None:
    """Coupon redemptions and referral uses of the orders' discount codes (idempotent)."""
    from core import coupons, referral_program

    coupons.match_orders(session)
    referral_program.match_orders(session)


def _parse(
    table: RawTable, kind: str, fmt: str, mapping: dict[str, str] | None, ctx: Context
) -> tuple[Batch, list[RowError]]:
    problems = Problems(table.rows)
    problems.errors.extend(table.errors)
    chosen = detect_format(table.columns) if fmt == "auto" else fmt
    if chosen == "shopify":
        if kind != "orders":
            raise ValidationError(
                "A Shopify export holds orders.", field="kind", hint="Import it as kind orders."
            )
        if mapping:
            raise ValidationError("A Shopify export is read as is; drop the mapping.", field="map")
        batch = shopify.parse(table, problems, ctx)
    else:
        frame = apply_mapping(table, kind, mapping)
        batch = native.parse(kind, frame, problems, ctx)
    return batch, problems.errors
