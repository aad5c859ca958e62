"""The Shopify "Export orders" CSV, exactly as Shopify writes it.

One record per line item; the order's fields are filled on its first record only (``Name`` and
usually ``Email`` repeat). Timestamps carry the shop's offset of that day (``+0100`` in winter,
``+0200`` in summer for Europe/Berlin). ``Notes`` and ``Note Attributes`` may span lines. Emails
may be empty: such a customer is keyed by the order (``shopify:#1001``) so a re-import finds it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from core.errors import ImportRejected, RowError
from core.importers import parsing as p
from core.importers.batch import Batch, Context, derive_lifecycle
from core.importers.native import group_customers
from core.importers.parsing import Problems
from core.importers.reading import RawTable

SIGNATURE = frozenset({"Name", "Created at", "Lineitem name"})
REQUIRED = ("Name", "Created at", "Total", "Lineitem name", "Lineitem quantity", "Lineitem price")
FINANCIAL = (
    "pending",
    "authorized",
    "partially_paid",
    "paid",
    "partially_refunded",
    "refunded",
    "voided",
    "expired",
)
FULFILLMENT = ("fulfilled", "unfulfilled", "partial", "restocked", "scheduled", "on_hold")
AMOUNTS = {
    "Subtotal": "subtotal",
    "Shipping": "shipping_amount",
    "Taxes": "tax_amount",
    "Total": "total",
    "Discount Amount": "discount_amount",
    "Refunded Amount": "refunded_amount",
}
TIMES = {"Created at": "placed_at", "Paid at": "paid_at", "Fulfilled at": "shipped_at"}
CONSENT_COLUMNS = ("Accepts Marketing", "Accepts Email Marketing")
KEY_LIMIT = 64


def is_shopify(columns: list[str]) -> bool:
    return {c.strip().lstrip("\ufeff") for c in columns} >= SIGNATURE


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series("", index=frame.index, dtype="str")


def parse(table: RawTable, problems: Problems, ctx: Context) -> Batch:
    frame = table.frame
    missing = [c for c in REQUIRED if c not in frame]
    if missing:
        raise ImportRejected(
            "The file looks like a Shopify export but lacks columns.",
            [RowError(1, c, "", "required Shopify column is missing") for c in missing],
        )
    names = frame["Name"].replace("", pd.NA).ffill().fillna("")
    p.required(names, "Name", problems)
    p.text(names, "Name", problems, KEY_LIMIT)
    first = np.flatnonzero((~names.duplicated() & (names != "")).to_numpy())
    head = frame.iloc[first].reset_index(drop=True)
    orders, customers = _orders(
        head, names.iloc[first].reset_index(drop=True), problems.sub(first), ctx
    )
    batch = Batch(kind="orders", fmt="shopify", rows_read=len(frame))
    batch.orders = orders
    batch.customers = customers
    batch.lines = _lines(frame, names, problems)
    return batch


def _orders(
    head: pd.DataFrame, names: pd.Series, problems: Problems, ctx: Context
) -> tuple[pd.DataFrame, pd.DataFrame]:
    p.required(head["Created at"], "Created at", problems)
    p.required(head["Total"], "Total", problems)
    out = pd.DataFrame({"external_id": names, "number": names})
    for source, target in TIMES.items():
        out[target] = p.timestamps(_column(head, source), source, problems, ctx.tz)
    cancelled_at = p.timestamps(_column(head, "Cancelled at"), "Cancelled at", problems, ctx.tz)
    for source, target in AMOUNTS.items():
        out[target] = p.amount(_column(head, source), source, problems)
    out["currency"] = p.currency(_column(head, "Currency"), "Currency", problems, ctx.currency)
    fin = p.choice(_column(head, "Financial Status"), "Financial Status", problems, FINANCIAL)
    ful = p.choice(_column(head, "Fulfillment Status"), "Fulfillment Status", problems, FULFILLMENT)
    out["status"] = _status(cancelled_at, fin, ful)
    out["cancelled_at"] = cancelled_at.where(out["status"] == "cancelled")
    out["discount_code"] = p.text(_column(head, "Discount Code"), "Discount Code", problems, 64)
    method = _column(head, "Shipping Method")
    out["delivery_option"] = p.slug(method)
    out["channel"] = p.slug(_column(head, "Source"))
    out["note"] = _note(_column(head, "Notes"), _column(head, "Note Attributes"))
    billing = p.country(_column(head, "Billing Country"), "Billing Country", problems)
    shipping = p.country(_column(head, "Shipping Country"), "Shipping Country", problems)
    out["shipping_country"] = shipping.fillna(billing)
    street = _column(head, "Shipping Street").where(
        _column(head, "Shipping Street") != "", _column(head, "Shipping Address1")
    )
    out["shipping_address"] = p.text(street, "Shipping Street", problems, 255)
    out["shipping_postcode"] = p.text(_column(head, "Shipping Zip"), "Shipping Zip", problems, 32)
    customers = _customers(head, names, problems, billing.fillna(shipping))
    out["customer_key"] = customers["external_id"]
    return derive_lifecycle(out), group_customers(customers)


def _status(cancelled_at: pd.Series, fin: pd.Series, ful: pd.Series) -> pd.Series:
    conditions = [
        (cancelled_at.notna() | (fin == "voided")).to_numpy(dtype=bool, na_value=False),
        (fin == "refunded").to_numpy(dtype=bool, na_value=False),
        (ful == "fulfilled").to_numpy(dtype=bool, na_value=False),
        fin.isin(["paid", "partially_refunded"]).to_numpy(dtype=bool, na_value=False),
    ]
    chosen = np.select(conditions, ["cancelled", "refunded", "fulfilled", "paid"], default="open")
    return pd.Series(chosen, index=fin.index, dtype="str")


def _note(notes: pd.Series, attributes: pd.Series) -> pd.Series:
    both = (notes != "") & (attributes != "")
    joined = notes.where(~both, notes + "\n\n" + attributes)
    joined = joined.where(notes != "", attributes)
    return joined.where(joined != "")


def _customers(
    head: pd.DataFrame, names: pd.Series, problems: Problems, country: pd.Series
) -> pd.DataFrame:
    email = p.email(_column(head, "Email"), "Email", problems)
    person = _column(head, "Billing Name")
    person = person.where(person != "", _column(head, "Shipping Name"))
    parts = person.str.split(" ", n=1, expand=True).reindex(columns=[0, 1])
    out = pd.DataFrame({"external_id": _keys(email, names), "email": email})
    out["first_name"] = parts[0].where(parts[0] != "").str.slice(0, 100)
    out["last_name"] = parts[1].where(parts[1] != "").str.slice(0, 100)
    out["country"] = country
    consent = next((c for c in CONSENT_COLUMNS if c in head), None)
    if consent is not None:
        out["marketing_consent"] = p.boolean(head[consent], consent, problems)
    return out


def _keys(email: pd.Series, names: pd.Series) -> pd.Series:
    """The customer's email, or ``shopify:<order name>`` when the order has no email; values
    longer than the column get a stable hash instead."""
    keys = email.fillna("shopify:" + names)
    long = keys.str.len() > KEY_LIMIT
    if long.any():
        keys = keys.where(~long, keys[long].map(_hashed))
    return keys


def _hashed(value: str) -> str:
    return "sha1:" + hashlib.sha1(value.encode("utf-8")).hexdigest()


def _lines(frame: pd.DataFrame, names: pd.Series, problems: Problems) -> pd.DataFrame:
    p.required(frame["Lineitem name"], "Lineitem name", problems)
    out = pd.DataFrame({"order_ref": names.where(names != "")})
    out["name"] = p.text(frame["Lineitem name"], "Lineitem name", problems, 255)
    out["sku"] = p.text(_column(frame, "Lineitem sku"), "Lineitem sku", problems, 64)
    p.required(frame["Lineitem quantity"], "Lineitem quantity", problems)
    out["quantity"] = p.integer(frame["Lineitem quantity"], "Lineitem quantity", problems, 0, 10**6)
    p.required(frame["Lineitem price"], "Lineitem price", problems)
    out["unit_price"] = p.amount(frame["Lineitem price"], "Lineitem price", problems)
    out["row"] = problems.rows
    out["line_no"] = out.groupby("order_ref", sort=False).cumcount() + 1
    return out
