"""Condition trees edited by position, their sentences, and default values the engine accepts."""

from __future__ import annotations

import datetime as dt

import pytest

from core.builder import conditions as cond
from core.builder.values import default_value, money_parts, value_fits, value_text
from core.engine.conditions import EvalContext, compile_rule, evaluate
from core.engine.registry import FIELDS, OPERATORS
from core.engine.schema import Group, Rule, rule
from core.errors import ValidationError

CTX = EvalContext(now=dt.datetime(2025, 3, 3, tzinfo=dt.UTC), store_currency="EUR")


def test_add_remove_move_and_mode_by_position() -> None:
    root = cond.as_group(None)
    root = cond.add_rule(root, (), rule("order.total", "ge", 50))
    root = cond.add_group(root, (), "any")
    root = cond.add_rule(root, (1,), rule("order.country", "eq", "DE"))
    root = cond.add_rule(root, (1,), rule("order.country", "eq", "AT"))
    assert (
        cond.describe(root)
        == "Order total ≥ 50 EUR AND (Shipping country = DE OR Shipping country = AT)"
    )
    moved = cond.move(root, (1, 1), -1)
    assert cond.at(moved, (1, 0)) == rule("order.country", "eq", "AT")
    assert cond.move(moved, (1, 0), -1) == moved  # no-op at the top
    negated = cond.set_mode(root, (1,), "not")
    assert "NOT (" in cond.describe(negated)
    removed = cond.remove(root, (1, 0))
    assert len(cond.at(removed, (1,)).items) == 1  # type: ignore[union-attr]
    assert cond.stored(cond.remove(root, ())) is None
    assert [cond.path_text(p) for p, _ in cond.walk(root)] == ["", "0", "1", "1.0", "1.1"]
    assert cond.parse_path("1.0") == (1, 0)
    assert root.items[0] == rule("order.total", "ge", 50)  # inputs are never changed
    with pytest.raises(ValidationError):
        cond.add_rule(root, (0,), rule("order.total", "ge", 1))
    with pytest.raises(ValidationError):
        cond.at(root, (5,))
    with pytest.raises(ValidationError):
        cond.set_mode(root, (), "xor")


def test_a_lone_rule_becomes_a_group_and_describes() -> None:
    group = cond.as_group(rule("order.refunded", "eq", True))
    assert isinstance(group, Group) and group.mode == "all"
    assert cond.describe(None) == "always"
    assert cond.describe(rule("order.refunded", "eq", True)) == "Order refunded = yes"
    money = rule("order.total", "between", [{"amount": "10", "currency": "PLN"}, 20])
    assert cond.rule_text(money) == "Order total between 10 PLN and 20 EUR"


@pytest.mark.parametrize("field", list(FIELDS))
def test_every_field_and_operator_default_compiles_in_the_engine(field: str) -> None:
    for op in FIELDS[field].operators:
        value = default_value(
            field, op, store_currency="EUR", today=dt.date(2025, 3, 3), choices=["x"]
        )
        assert value_fits(field, op, value)
        r = Rule(field=field, op=op, value=value)
        if OPERATORS[op].value == "list":
            r = Rule(field=field, op=op, value=["x"])  # a list must not be empty
        compile_rule(r, CTX)
        assert isinstance(evaluate(r, {}, CTX), bool)
        assert isinstance(value_text(field, op, r.value), str)


def test_money_values_keep_their_currency() -> None:
    assert money_parts({"amount": "50", "currency": "pln"}, "EUR")[1] == "PLN"
    assert str(money_parts(12, "EUR")[0]) == "12"
    assert value_fits("order.total", "ge", {"amount": "1", "currency": "EUR"})
    assert not value_fits("order.total", "between", 5)
