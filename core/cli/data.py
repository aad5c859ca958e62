"""`import FILE ...` and `export TABLE --out FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.auth import Actor
from core.cli.common import print_json, transaction
from core.errors import ImportRejected, ValidationError

if TYPE_CHECKING:
    from core.importers import ImportSummary

# The parser's choices, written out so that building it imports no pandas; they equal
# core.importers.KINDS / FORMATS, core.exporting.TABLES and core.csvout.DECIMALS
# (tests/cli/test_lazy_cli.py).
KINDS = ("orders", "lines", "products", "customers", "reviews", "shipments")
FORMATS = ("auto", "native", "shopify")
TABLES = (
    "orders",
    "customers",
    "lines",
    "products",
    "reviews",
    "events",
    "shipments",
    "messages",
    "coupons",
    "referral_codes",
    "audit_log",
)
DECIMALS = (".", ",")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "import",
        help="import a CSV file (all-or-nothing; importing it again updates, never duplicates)",
        description=(
            "Import orders (native CSV or Shopify's 'Export orders' CSV), order lines, products, "
            "customers or reviews. Every row is checked first: a file with any bad row is "
            "rejected with a list of every bad row, and nothing is written."
        ),
    )
    p.add_argument("file", type=Path, help="the CSV file")
    p.add_argument("--kind", default="orders", choices=KINDS, help="what the file holds")
    p.add_argument("--format", dest="fmt", default="auto", choices=FORMATS, help="file layout")
    p.add_argument(
        "--map",
        dest="mapping",
        default="",
        metavar="SRC=DEST,...",
        help="rename file columns to import fields, e.g. InvoiceNo=order_id,InvoiceDate=placed_at",
    )
    p.add_argument("--currency", help="currency of amounts when the file has no currency column")
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.add_argument("--json", action="store_true", help="print one JSON summary")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "export",
        help="export a table to CSV",
        description="Tables: "
        + ", ".join(TABLES)
        + ". `orders` has one row per order. Text cells that start with =, +, -, @, a tab or "
        "a carriage return (a spreadsheet would run them as formulas) are written with a "
        "leading ' ; cells that read as numbers stay as they are.",
    )
    p.add_argument("table", choices=TABLES, metavar="TABLE", help="the table to export")
    p.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    p.add_argument("--delimiter", default=",", choices=[",", ";"], help="field separator")
    p.add_argument("--decimal", default=".", choices=list(DECIMALS), help="decimal separator")
    p.add_argument("--bom", action="store_true", help="start with a UTF-8 BOM (for Excel)")
    p.set_defaults(func=cmd_export)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.", field="file") from None


def cmd_import(args: argparse.Namespace) -> int:
    from core import importers

    data = _read(args.file)
    mapping = importers.parse_mapping(args.mapping) if args.mapping else None
    try:
        with transaction() as session:
            summary = importers.import_csv(
                session,
                Actor.cli(),
                data,
                kind=args.kind,
                fmt=args.fmt,
                mapping=mapping,
                currency=args.currency,
                dry_run=args.dry_run,
            )
    except ImportRejected as exc:
        if not args.json:
            raise
        print_json(_rejected_summary(exc, args).to_json())
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    if args.json:
        print_json(summary.to_json())
    else:
        _print(summary, args.file)
    return 0


def _rejected_summary(exc: ImportRejected, args: argparse.Namespace) -> ImportSummary:
    from core.importers import ImportSummary, RejectedFile

    if isinstance(exc, RejectedFile):
        return exc.summary
    return ImportSummary(
        rows_rejected=len({e.row for e in exc.errors}), errors=list(exc.errors), kind=args.kind
    )


def _print(summary: ImportSummary, path: Path) -> None:
    verb = "would import" if summary.dry_run else "imported"
    print(f"{verb} {path.name}: {summary.rows_read:,} rows ({summary.kind}, {summary.format})")
    for name, value in summary.counts().items():
        if value and name not in {"rows_read", "rows_rejected"}:
            print(f"  {name.replace('_', ' '):20} {value:,}")
    if summary.dry_run:
        print("dry run: nothing was written")


def cmd_export(args: argparse.Namespace) -> int:
    from core import exporting
    from core.csvout import CsvFormat

    fmt = CsvFormat(delimiter=args.delimiter, decimal=args.decimal, bom=args.bom)
    with transaction() as session:
        frame = exporting.export_table(session, Actor.cli(), args.table)
    exporting.write_csv(frame, args.out, fmt)
    print(f"exported {len(frame):,} rows of {args.table} to {args.out}")
    return 0
