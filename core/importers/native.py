"""Native CSV kinds (orders, lines, products, customers, reviews, shipments): validate every cell of the
mapped frame and build a :class:`Batch`."""

from __future__ import annotations

import json
import re

import pandas as pd

from core.importers import parsing as p
from core.importers import shipments
from core.importers.batch import Batch, Context, derive_lifecycle
from core.importers.parsing import Problems
from core.models import ORDER_STATUSES

STATUS_SYNONYMS = {
    "canceled": "cancelled",
    "shipped": "fulfilled",
    "completed": "delivered",
    "complete": "delivered",
    "pending": "open",
}
ORDER_TIMES = (
    "placed_at",
    "promised_delivery_at",
    "shipped_at",
    "delivered_at",
    "paid_at",
    "cancelled_at",
    "refunded_at",
)
ORDER_AMOUNTS = (
    "total",
    "subtotal",
    "discount_amount",
    "shipping_amount",
    "tax_amount",
    "refunded_amount",
)
ORDER_TEXTS = (
    "order_id",
    "discount_code",
    "channel",
    "delivery_option",
    "shipping_address",
    "shipping_postcode",
)
TEXT_LIMITS = {
    "order_id": 64,
    "customer_id": 64,
    "sku": 64,
    "discount_code": 64,
    "shipping_address": 255,
    "shipping_postcode": 32,
    "channel": 32,
    "delivery_option": 32,
    "first_name": 100,
    "last_name": 100,
    "name": 255,
    "category": 100,
    "image_url": 500,
    "comment": 5000,
}


def parse(kind: str, frame: pd.DataFrame, problems: Problems, ctx: Context) -> Batch:
    batch = Batch(kind=kind, fmt="native", rows_read=len(frame))
    if kind == "orders":
        batch.orders = orders(frame, problems, ctx)
        batch.customers = customers_of(frame, problems, key="customer_id")
    elif kind == "customers":
        p.duplicates(frame["customer_id"], "customer_id", problems)
        batch.customers = customers_of(frame, problems, key="customer_id")
    elif kind == "lines":
        batch.lines = lines(frame, problems)
    elif kind == "products":
        batch.products = products(frame, problems, ctx)
    elif kind == "shipments":
        batch.shipments = shipments.parse(frame, problems, ctx)
    else:
        batch.reviews = reviews(frame, problems, ctx)
    return batch


def _texts(frame: pd.DataFrame, problems: Problems, names: tuple[str, ...]) -> dict[str, pd.Series]:
    out: dict[str, pd.Series] = {}
    for name in names:
        if name in frame:
            out[name] = p.text(frame[name], name, problems, TEXT_LIMITS[name])
    return out


def _required(frame: pd.DataFrame, problems: Problems, names: tuple[str, ...]) -> None:
    for name in names:
        p.required(frame[name], name, problems)


def orders(frame: pd.DataFrame, problems: Problems, ctx: Context) -> pd.DataFrame:
    _required(frame, problems, ("order_id", "customer_id", "placed_at", "total"))
    p.duplicates(frame["order_id"], "order_id", problems)
    texts = _texts(frame, problems, ORDER_TEXTS)
    customer = frame["customer_id"]
    out = pd.DataFrame(
        {"external_id": texts["order_id"], "customer_key": customer.where(customer != "")}
    )
    out["number"] = out["external_id"]
    for name in ORDER_TIMES:
        if name in frame:
            out[name] = p.timestamps(frame[name], name, problems, ctx.tz)
    for name in ORDER_AMOUNTS:
        if name in frame:
            out[name] = p.amount(frame[name], name, problems)
    column = frame["currency"] if "currency" in frame else pd.Series("", index=frame.index)
    out["currency"] = p.currency(column, "currency", problems, ctx.currency)
    if "status" in frame:
        out["status"] = p.choice(
            frame["status"], "status", problems, ORDER_STATUSES, STATUS_SYNONYMS
        )
    for name in ORDER_TEXTS[1:]:
        if name in texts:
            out[name] = texts[name]
    if "shipping_country" in frame:
        out["shipping_country"] = p.country(frame["shipping_country"], "shipping_country", problems)
    elif "country" in frame:
        quiet = Problems(problems.rows)  # the customer's country is checked with the customer
        out["shipping_country"] = p.country(frame["country"], "country", quiet)
    return derive_lifecycle(out)


def customers_of(frame: pd.DataFrame, problems: Problems, key: str) -> pd.DataFrame:
    """One row per customer key; the last non-empty value of each field wins."""
    out = pd.DataFrame({"external_id": p.text(frame[key], key, problems, 64)})
    out = out.assign(**_texts(frame, problems, ("first_name", "last_name")))
    if "email" in frame:
        out["email"] = p.email(frame["email"], "email", problems)
    if "country" in frame:
        out["country"] = p.country(frame["country"], "country", problems)
    if "locale" in frame:
        out["locale"] = p.locale(frame["locale"], "locale", problems)
    if "time_zone" in frame:
        out["time_zone"] = p.timezone(frame["time_zone"], "time_zone", problems)
    if "marketing_consent" in frame:
        out["marketing_consent"] = p.boolean(
            frame["marketing_consent"], "marketing_consent", problems
        )
    return group_customers(out)


def group_customers(out: pd.DataFrame) -> pd.DataFrame:
    out = out[out["external_id"].notna()]
    if len(out.columns) == 1:
        return out.drop_duplicates("external_id").reset_index(drop=True)
    return out.groupby("external_id", sort=False).last().reset_index()


def lines(frame: pd.DataFrame, problems: Problems) -> pd.DataFrame:
    _required(frame, problems, ("order_id", "name", "quantity", "unit_price"))
    texts = _texts(frame, problems, ("order_id", "sku", "name"))
    out = pd.DataFrame({"order_ref": texts["order_id"], "name": texts["name"]})
    out["sku"] = texts.get("sku", pd.Series(pd.NA, index=frame.index, dtype="str"))
    out["quantity"] = p.integer(frame["quantity"], "quantity", problems, 0, 1_000_000)
    out["unit_price"] = p.amount(frame["unit_price"], "unit_price", problems)
    out["row"] = problems.rows
    out["line_no"] = out.groupby("order_ref", sort=False).cumcount() + 1
    return out


def products(frame: pd.DataFrame, problems: Problems, ctx: Context) -> pd.DataFrame:
    _required(frame, problems, ("sku", "name"))
    p.duplicates(frame["sku"], "sku", problems)
    out = pd.DataFrame(_texts(frame, problems, ("sku", "name", "image_url", "category")))
    if "price" in frame:
        out["price"] = p.amount(frame["price"], "price", problems)
        column = frame["currency"] if "currency" in frame else pd.Series("", index=frame.index)
        out["currency"] = p.currency(column, "currency", problems, ctx.currency)
        out["currency"] = out["currency"].where(out["price"].notna())
    elif "currency" in frame:
        out["currency"] = p.currency(frame["currency"], "currency", problems, ctx.currency)
    if "weight_grams" in frame:
        out["weight_grams"] = p.integer(frame["weight_grams"], "weight_grams", problems, 0, 10**7)
    if "tags" in frame:
        out["tags"] = _tag_lists(p.text(frame["tags"], "tags", problems, 1000))
    return out


def _tag_lists(values: pd.Series) -> pd.Series:
    """``fragile, bulky`` -> the JSON text ``["fragile", "bulky"]`` (lower case, no repeats)."""

    def one(text: object) -> str:
        parts = [t.strip().lower() for t in re.split(r"[,;]", str(text or "")) if t.strip()]
        return json.dumps(list(dict.fromkeys(parts)))

    return values.map(one)


def reviews(frame: pd.DataFrame, problems: Problems, ctx: Context) -> pd.DataFrame:
    """One review per order: the latest ``created_at`` in the file wins."""
    _required(frame, problems, ("order_id", "rating", "created_at"))
    out = pd.DataFrame(_texts(frame, problems, ("order_id", "comment")))
    out = out.rename(columns={"order_id": "order_ref"})
    out["rating"] = p.integer(frame["rating"], "rating", problems, 1, 5)
    if "nps" in frame:
        out["nps"] = p.integer(frame["nps"], "nps", problems, 0, 10)
    out["submitted_at"] = p.timestamps(frame["created_at"], "created_at", problems, ctx.tz)
    out["row"] = problems.rows
    out = out.sort_values("submitted_at", kind="stable")
    return out.drop_duplicates("order_ref", keep="last").reset_index(drop=True)
