"""The fields each import kind understands, and the column mapping that renames a file's
columns to them (``--map SRC=DEST,...`` on the CLI, the mapping form on the Data page)."""

from __future__ import annotations

import pandas as pd

from core.errors import ImportRejected, RowError, ValidationError
from core.importers.reading import RawTable

KINDS = ("orders", "lines", "products", "customers", "reviews", "shipments")
FORMATS = ("auto", "native", "shopify")

_CUSTOMER_FIELDS: list[tuple[str, bool]] = [
    ("email", False),
    ("first_name", False),
    ("last_name", False),
    ("country", False),
    ("locale", False),
    ("marketing_consent", False),
]

TARGET_FIELDS: dict[str, list[tuple[str, bool]]] = {
    "orders": [
        ("order_id", True),
        ("customer_id", True),
        ("placed_at", True),
        ("total", True),
        ("currency", False),
        ("status", False),
        *_CUSTOMER_FIELDS,
        ("delivery_option", False),
        ("promised_delivery_at", False),
        ("shipped_at", False),
        ("delivered_at", False),
        ("refunded_amount", False),
        ("discount_code", False),
        ("discount_amount", False),
        ("channel", False),
        ("subtotal", False),
        ("shipping_amount", False),
        ("tax_amount", False),
        ("shipping_country", False),
        ("shipping_address", False),
        ("shipping_postcode", False),
        ("paid_at", False),
        ("cancelled_at", False),
        ("refunded_at", False),
    ],
    "lines": [
        ("order_id", True),
        ("sku", False),
        ("name", True),
        ("quantity", True),
        ("unit_price", True),
    ],
    "products": [
        ("sku", True),
        ("name", True),
        ("price", False),
        ("currency", False),
        ("image_url", False),
        ("category", False),
        ("weight_grams", False),
        ("tags", False),
    ],
    "customers": [
        ("customer_id", True),
        *_CUSTOMER_FIELDS,
        ("time_zone", False),
    ],
    "shipments": [
        ("order_id", True),
        ("shipped_at", False),
        ("carrier", False),
        ("tracking_number", False),
        ("tracking_url", False),
        ("status", False),
        ("out_for_delivery_at", False),
        ("delivered_at", False),
        ("pickup_location", False),
        ("ready_for_pickup_at", False),
        ("picked_up_at", False),
    ],
    "reviews": [
        ("order_id", True),
        ("rating", True),
        ("nps", False),
        ("comment", False),
        ("created_at", True),
    ],
}

MAP_HINT = "Name a column so, or map one to it with --map SRC={field} (the mapping form on Data)."


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError(f"Unknown import kind {kind!r}.", field="kind", hint=f"Use {KINDS}.")
    return kind


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError(f"Unknown format {fmt!r}.", field="format", hint=f"Use {FORMATS}.")
    return fmt


def parse_mapping(text: str) -> dict[str, str]:
    """``"InvoiceNo=order_id,InvoiceDate=placed_at"`` -> ``{"InvoiceNo": "order_id", ...}``."""
    mapping: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        source, sep, dest = part.partition("=")
        if not sep or not source.strip() or not dest.strip():
            raise ValidationError(
                f"{part!r} is not SRC=DEST.", field="map", hint="Example: InvoiceNo=order_id"
            )
        mapping[source.strip()] = dest.strip()
    return mapping


def apply_mapping(table: RawTable, kind: str, mapping: dict[str, str] | None) -> pd.DataFrame:
    """The file's columns renamed to the kind's fields (case-insensitive for unmapped columns);
    columns that match no field are dropped. Every problem is reported against the header."""
    fields = [name for name, _ in TARGET_FIELDS[kind]]
    columns = table.columns
    problems: list[RowError] = []
    chosen: dict[str, str] = {}
    for source, dest in (mapping or {}).items():
        real = _find(columns, source)
        if dest not in fields:
            problems.append(RowError(1, source, dest, f"{dest!r} is not a field of {kind} imports"))
        elif real is None:
            problems.append(RowError(1, source, "", "the mapping names a column the file lacks"))
        elif dest in chosen.values():
            problems.append(RowError(1, source, dest, f"another column is mapped to {dest!r}"))
        else:
            chosen[real] = dest
    for column in columns:
        dest = column.strip().lower()
        if column not in chosen and dest in fields and dest not in chosen.values():
            chosen[column] = dest
    for name, needed in TARGET_FIELDS[kind]:
        if needed and name not in chosen.values():
            reason = f"required column {name!r} is missing. {MAP_HINT.format(field=name)}"
            problems.append(RowError(1, name, "", reason))
    if problems:
        raise ImportRejected(f"The columns do not fit a {kind} import.", problems)
    return table.frame[list(chosen)].rename(columns=chosen)


def _find(columns: list[str], name: str) -> str | None:
    if name in columns:
        return name
    lowered = {c.lower(): c for c in columns}
    return lowered.get(name.strip().lower())
