"""Eligibility rules as the merchant's nested editor saves them: evaluated as the sentence under
the editor reads, every problem named by its position and field, nothing dropped."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from core.builder.conditions import describe
from core.delivery import rules
from core.delivery.quote import quote
from core.engine.schema import NODE_ADAPTER
from core.errors import ValidationError
from tests.core.delivery.conftest import basket, option, product

AT = dt.datetime(2026, 5, 18, 9, 0, tzinfo=dt.UTC)
# (DE or AT) AND (postcode 10.. OR 20.. OR weight ≤ 1 kg) AND NOT (a bulky item OR tag "noexpress")
NESTED = {
    "type": "group",
    "mode": "all",
    "items": [
        {"type": "rule", "field": "basket.country", "op": "in", "value": ["DE", "AT"]},
        {
            "type": "group",
            "mode": "any",
            "items": [
                {"type": "rule", "field": "basket.postcode", "op": "in", "value": ["10", "20"]},
                {"type": "rule", "field": "basket.weight_grams", "op": "le", "value": 1000},
            ],
        },
        {
            "type": "group",
            "mode": "not",
            "items": [
                {
                    "type": "rule",
                    "field": "basket.product_tags",
                    "op": "contains",
                    "value": "bulky",
                },
                {"type": "rule", "field": "customer.tags", "op": "contains", "value": "noexpress"},
            ],
        },
    ],
}


def test_the_saved_nested_rule_is_evaluated_as_it_reads(session: Session) -> None:
    product(session, "MUG", grams=350)
    product(session, "LAMP", grams=2500)
    product(session, "SOFA", grams=800, tags=("bulky",))
    saved = option(session, code="express", kind="express", price="9.90", rules=NESTED)
    session.commit()
    assert saved.rules == NESTED
    node = rules.parse_rules(saved.rules)
    assert describe(node, "EUR", fields=rules.FIELDS) == (
        "Shipping country is one of DE, AT"
        " AND (Postcode starts with is one of 10, 20 OR Total weight (grams) ≤ 1000)"
        " AND NOT (Product tags contains bulky OR Customer tags contains noexpress)"
    )
    cases = {
        # postcode 10.. although heavy: the OR group holds
        ("LAMP", "DE", "10115"): True,
        # light although outside the prefixes
        ("MUG", "AT", "1010"): True,
        # heavy and outside the prefixes
        ("LAMP", "DE", "80331"): False,
        # a country outside the first rule
        ("MUG", "FR", "10115"): False,
        # NOT group: a bulky item
        ("SOFA", "DE", "10115"): False,
    }
    for (sku, country, postcode), offered in cases.items():
        found = quote(session, basket((sku, 1, "10"), country=country, postcode=postcode), AT)
        codes = [o["code"] for o in found["options"]]
        assert ("express" in codes) is offered, (sku, country, postcode)


def test_every_problem_is_named_by_position_and_field() -> None:
    broken = {
        "type": "group",
        "mode": "all",
        "items": [
            {"type": "rule", "field": "basket.country", "op": "eq", "value": "DE"},
            {
                "type": "group",
                "mode": "any",
                "items": [
                    {"type": "rule", "field": "basket.postcode", "op": "in", "value": []},
                    {"type": "rule", "field": "basket.weight_grams", "op": "contains", "value": 1},
                    {"type": "group", "mode": "all", "items": []},
                ],
            },
        ],
    }
    found = rules.problems(NODE_ADAPTER.validate_python(broken))
    assert [(p.path, p.message) for p in found] == [
        ("rules.1.0", "Condition 1 in group 2 (Postcode starts with): give at least one value."),
        ("rules.1.1", "Condition 2 in group 2 (Total weight (grams)): 'contains' is not a "
                      "comparison for this field."),
        ("rules.1.2", "Group 3 in group 2 has no conditions."),
    ]  # fmt: skip
    with pytest.raises(ValidationError) as info:
        rules.parse_rules(broken)
    assert info.value.field == "rules"
    for text in ("Condition 1 in group 2 (Postcode starts with)", "Group 3 in group 2"):
        assert text in info.value.message


def test_an_empty_root_is_no_rule_and_product_tags_are_listed(session: Session) -> None:
    assert rules.parse_rules({"type": "group", "mode": "all", "items": []}) is None
    product(session, "SOFA", tags=("bulky", "sale"))
    product(session, "MUG", tags=("fragile",))
    assert rules.choice_values(session, "product_tags") == ["bulky", "fragile", "sale"]
    assert rules.choice_values(session, "rfm_segments")[0] == "champions"
