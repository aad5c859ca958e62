"""Eligibility rules of delivery options: conditions in the workflow condition schema
(:mod:`core.engine.schema`, evaluated by :mod:`core.engine.conditions`) over the fields of a
basket, described in the same registry format so the condition editor can list them.

``basket.postcode`` holds every prefix of the postcode, so "Postcode starts with: is one of
10, 20" is ``{"field": "basket.postcode", "op": "in", "value": ["10", "20"]}``.

Rules are nested all/any/not groups edited with the builder's condition editor; every problem
names its position in merchant words ("condition 2 in group 1 (Postcode starts with)") and the
editor's path (``rules.0.1``), so the page shows it beside the rule and nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from pydantic import ValidationError as PydanticError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.delivery.basket import Basket
from core.engine import registry
from core.engine.conditions import EvalContext, compile_rule, evaluate
from core.engine.registry import OPERATORS, OPS_BY_KIND, FieldSpec
from core.engine.schema import NODE_ADAPTER, Group, Node, Rule
from core.engine.validate import Problem
from core.errors import ValidationError
from core.models import Customer, Order, Product
from core.settings import StoreSettings


def _f(
    label: str, kind: str, source: str | None = None, help: str = "", group: str = "basket"
) -> FieldSpec:
    return FieldSpec(label, kind, group, OPS_BY_KIND[kind], source, (), help)


FIELDS: dict[str, FieldSpec] = {
    "basket.country": _f("Shipping country", "choice", "countries"),
    "basket.postcode": _f(
        "Postcode starts with", "multi", help="Use 'is one of' with prefixes, e.g. 10, 20."
    ),
    "basket.total": _f("Basket total", "money", help="In the store currency."),
    "basket.item_count": _f("Number of items", "number"),
    "basket.weight_grams": _f("Total weight (grams)", "number"),
    "basket.product_tags": _f("Product tags", "multi", "product_tags"),
    "basket.skus": _f("Item SKUs", "multi", "products"),
    "customer.segment": _f("Customer segment (RFM)", "choice", "rfm_segments", group="customer"),
    "customer.tags": _f("Customer tags", "multi", "tags", group="customer"),
}
GROUPS = {"basket": "Basket", "customer": "Customer"}
DEFAULT_FIELD = "basket.country"
PATH = "rules"
"""The editor's path of the root group: a problem at ``rules.0.1`` belongs to that rule."""


def choice_values(session: Session, source: str) -> list[str]:
    """The values a basket field can be picked from: product tags from the catalogue, the
    others as the workflow registry reads them."""
    if source == "product_tags":
        found: set[str] = set()
        for row in session.scalars(select(Product.tags).where(Product.tags.is_not(None))):
            found.update(str(t) for t in row or [])
        return sorted(found)
    return registry.choice_values(session, source)


@dataclass(frozen=True)
class ProductFacts:
    grams: int | None
    tags: tuple[str, ...]


def product_facts(session: Session, skus: list[str]) -> dict[str, ProductFacts]:
    rows = session.execute(
        select(Product.sku, Product.weight_grams, Product.tags).where(Product.sku.in_(skus))
    )
    return {sku: ProductFacts(grams, tuple(tags or ())) for sku, grams, tags in rows}


def customer_facts(session: Session, email: str | None, now: dt.datetime) -> dict[str, Any]:
    """``customer.segment`` and ``customer.tags`` of a known customer (empty otherwise)."""
    if not email:
        return {}
    wanted = email.strip().lower()
    customer = session.scalar(select(Customer).where(func.lower(Customer.email) == wanted))
    if customer is None:
        return {}
    count, last = session.execute(
        select(func.count(Order.id), func.max(Order.placed_at)).where(
            Order.customer_id == customer.id
        )
    ).one()
    from core.engine.context import rfm_segment

    segment = None
    if count and last is not None:
        last = last if last.tzinfo else last.replace(tzinfo=dt.UTC)
        days = (now - last).total_seconds() / 86400
        segment = rfm_segment(pd.Series([days]), pd.Series([count])).iloc[0]
    return {"customer.segment": segment, "customer.tags": list(customer.tags or [])}


def basket_record(
    basket: Basket,
    products: Mapping[str, ProductFacts],
    settings: StoreSettings,
    customer: Mapping[str, Any],
) -> dict[str, Any]:
    """The values of :data:`FIELDS` for one basket; the total in the store currency."""
    grams = 0
    tags: set[str] = set()
    for line in basket.lines:
        facts = products.get(line.sku)
        unit = line.grams if line.grams is not None else (facts.grams if facts else None)
        grams += (unit or 0) * line.quantity
        tags.update(facts.tags if facts else ())
    total: Decimal | None = basket.total
    if basket.currency != settings.currency:
        rate = settings.exchange_rates.get(basket.currency)
        total = None if rate is None else basket.total * Decimal(rate)
    code = basket.postcode.replace(" ", "")
    return {
        "basket.country": basket.country,
        "basket.postcode": [code[:n] for n in range(1, len(code) + 1)],
        "basket.total": total,
        "basket.item_count": basket.item_count,
        "basket.weight_grams": grams,
        "basket.product_tags": sorted(tags),
        "basket.skus": sorted({line.sku for line in basket.lines}),
        **{"customer.segment": None, "customer.tags": []},
        **customer,
    }


def context(settings: StoreSettings, now: dt.datetime) -> EvalContext:
    return EvalContext(
        now=now,
        tz=settings.tz,
        store_currency=settings.currency,
        rates={k: Decimal(v) for k, v in settings.exchange_rates.items()},
    )


def typed(data: object) -> object:
    """Fill in ``type`` (``rule`` when a dict has a field, ``group`` when it has items)."""
    if isinstance(data, Mapping):
        out = {k: typed(v) if k == "items" else v for k, v in data.items()}
        if "type" not in out:
            out["type"] = "group" if "items" in out else "rule"
        return out
    if isinstance(data, list):
        return [typed(item) for item in data]
    return data


def position(path: tuple[int, ...], what: str = "condition") -> str:
    """A position as the merchant sees it: ``condition 2``, ``condition 1 in group 3``,
    ``group 2 in group 1`` (counting from 1 within each group, top level first)."""
    if not path:
        return "the rule"
    text = f"{what} {path[-1] + 1}"
    if len(path) > 1:
        text += " in group " + " › ".join(str(i + 1) for i in path[:-1])
    return text


def _rule_problem(rule: Rule, path: tuple[int, ...], ctx: EvalContext) -> Problem | None:
    where = _path_text(path)
    spec = FIELDS.get(rule.field)
    if spec is None:
        return Problem(
            f"{position(path).capitalize()}: {rule.field!r} is not a basket field.",
            where,
            hint="Pick a field from the list.",
        )
    named = f"{position(path).capitalize()} ({spec.label})"
    if rule.op not in spec.operators:
        op = OPERATORS[rule.op].label if rule.op in OPERATORS else rule.op
        return Problem(f"{named}: '{op}' is not a comparison for this field.", where,
                       hint="Pick a comparison from the list.")  # fmt: skip
    try:
        compile_rule(rule, ctx, FIELDS)
    except (ValueError, KeyError, TypeError) as exc:
        return Problem(f"{named}: {exc}.", where)
    return None


def _path_text(path: tuple[int, ...]) -> str:
    return ".".join([PATH, *(str(i) for i in path)])


def problems(node: Node | None, path: tuple[int, ...] = ()) -> list[Problem]:
    """Every problem of a condition, each at its editor path (``rules.0.1``): unknown fields,
    comparisons that do not apply, missing or wrong values, nested groups with nothing in them."""
    if node is None:
        return []
    ctx = EvalContext(now=dt.datetime.now(dt.UTC))
    if isinstance(node, Rule):
        found = _rule_problem(node, path, ctx)
        return [] if found is None else [found]
    out: list[Problem] = []
    if path and not node.items:
        out.append(Problem(f"{position(path, 'group').capitalize()} has no conditions.",
                           _path_text(path), hint="Add a condition to it or remove it."))  # fmt: skip
    for i, item in enumerate(node.items):
        out.extend(problems(item, (*path, i)))
    return out


def parse_rules(data: object) -> Node | None:
    """A stored or submitted condition, checked against :data:`FIELDS`; None when it has no
    rule at all. ValidationError names every rule that is wrong (see :func:`problems`)."""
    if data in (None, "", {}):
        return None
    try:
        node = NODE_ADAPTER.validate_python(typed(data))
    except PydanticError as exc:
        raise ValidationError(f"The rules are not a condition: {exc.errors()[0]['msg']}.",
                              field="rules") from None  # fmt: skip
    found = problems(node)
    if found:
        raise ValidationError(
            " ".join(f"{p.message} {p.hint}".strip() for p in found), field="rules"
        )
    if isinstance(node, Group) and not node.items:
        return None
    return node


def eligible(rules: Node | None, record: Mapping[str, Any], ctx: EvalContext) -> bool:
    return evaluate(rules, record, ctx, FIELDS)
