"""The import form: upload, preview, column mapping, check (dry run) and import."""

from __future__ import annotations

import streamlit as st

from core import importers
from core.auth import Actor
from dashboard import resources
from dashboard.components.feedback import errors_shown

KINDS = ["orders", "lines", "products", "customers", "reviews", "shipments"]
UNMAPPED = "(not in this file)"


def _mapping_form(columns: list[str], kind: str) -> dict[str, str]:
    """One selectbox per target field; defaults to a same-named source column."""
    mapping: dict[str, str] = {}
    fields = importers.TARGET_FIELDS[kind]
    cols = st.columns(3)
    lowered = {c.strip().lower(): c for c in columns}
    for i, (field, required) in enumerate(fields):
        options = [UNMAPPED, *columns]
        default = lowered.get(field)
        choice = cols[i % 3].selectbox(
            f"{field}{' *' if required else ''}",
            options,
            index=options.index(default) if default else 0,
            key=f"map_{kind}_{field}",
        )
        if choice != UNMAPPED:
            mapping[choice] = field
    return mapping


def _show_summary(summary: importers.ImportSummary) -> None:
    verb = "Would import" if summary.dry_run else "Imported"
    st.success(
        f"{verb} {summary.rows_read:,} rows: {summary.orders_created:,} new orders, "
        f"{summary.orders_updated:,} updated, {summary.customers_created:,} new customers."
    )


def import_section(actor: Actor) -> None:
    upload = st.file_uploader("CSV file", type=["csv", "txt"], key="import_file")
    if upload is None:
        st.caption(
            "Native CSV, a Shopify 'Export orders' file, or any CSV: map its columns below. "
            "Nothing is written until every row is valid."
        )
        return
    data = upload.getvalue()
    with errors_shown():
        preview = importers.read_csv_preview(data)
        st.dataframe(preview, hide_index=True, width="stretch", key="import_preview")
        detected = importers.detect_format(list(preview.columns))
        left, mid, right = st.columns(3)
        kind = left.selectbox("What the file holds", KINDS, key="import_kind")
        fmt = mid.selectbox(
            "Format",
            ["native", "shopify"],
            index=0 if detected == "native" else 1,
            key="import_fmt",
        )
        currency = right.text_input(
            "Currency of the amounts (if the file has no currency column)",
            key="import_currency",
            placeholder=resources.settings().currency,
        )
        mapping = _mapping_form(list(preview.columns), kind) if fmt == "native" else {}
        check, run = st.columns(2)
        dry = check.button("Check file", key="import_check")
        commit = run.button("Import", key="import_run", type="primary")
        if dry or commit:
            with resources.session() as s, s.begin():
                summary = importers.import_csv(
                    s,
                    actor,
                    data,
                    kind=kind,
                    fmt=fmt,
                    mapping=mapping or None,
                    currency=currency.strip() or None,
                    dry_run=not commit,
                )
            _show_summary(summary)
