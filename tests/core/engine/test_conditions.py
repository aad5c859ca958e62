"""The condition evaluator: one record and a vectorised frame agree on every field kind and
operator, missing values included; groups; dates as local calendar days."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from core.engine.conditions import EvalContext, compile_rule, evaluate, evaluate_frame
from core.engine.registry import FIELDS, OPERATORS
from core.engine.schema import Group, Rule, all_of, any_of, none_of, rule

NOW = dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC)
CTX = EvalContext(
    now=NOW,
    tz=ZoneInfo("Europe/Berlin"),
    store_currency="EUR",
    rates={"PLN": __import__("decimal").Decimal("0.25")},
)
SAMPLES: dict[str, dict[str, Any]] = {
    "number": {"one": 3, "pair": [2, 5]},
    "money": {"one": 50, "pair": [20, 80]},
    "days": {"one": 30, "pair": [10, 60]},
    "text": {"one": "ab", "list": ["abc", "XYZ"]},
    "choice": {"one": "DE", "list": ["DE", "AT"]},
    "multi": {"one": "vip", "list": ["vip", "new"]},
    "date": {"one": "2025-03-01", "pair": ["2025-02-01", "2025-03-01"], "days": 30},
    "bool": {"one": True},
}


def _value(kind: str) -> Any:
    r = random.random()
    if r < 0.15:
        return None
    if kind in ("number", "money", "days"):
        return random.choice([0, 2, 3, 5, 20, 49.99, 50, 50.01, 80, 100, -1.5])
    if kind == "text":
        return random.choice(["abc", "ABC", "xyz", "", "zab"])
    if kind == "choice":
        return random.choice(["DE", "AT", "FR", "de"])
    if kind == "multi":
        return random.sample(["vip", "new", "old"], random.randint(0, 2))
    if kind == "date":
        base = dt.datetime(2025, 2, 28, 22, 30, tzinfo=dt.UTC)  # 23:30 Berlin
        return base + dt.timedelta(hours=random.choice([0, 1, 2, 24, 24 * 8, -24 * 40, 24 * 9]))
    return random.choice([True, False])


def _records(n: int) -> list[dict[str, Any]]:
    random.seed(7)
    return [{key: _value(spec.kind) for key, spec in FIELDS.items()} for _ in range(n)]


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(records)
    for key, spec in FIELDS.items():
        if spec.kind == "date":
            frame[key] = pd.to_datetime(frame[key], utc=True)
        elif spec.kind in ("number", "money", "days"):
            frame[key] = pd.to_numeric(frame[key]).astype("float64")
    return frame


def _rules() -> list[Rule]:
    out = []
    for key, spec in FIELDS.items():
        for op in spec.operators:
            shape = OPERATORS[op].value
            sample = SAMPLES[spec.kind]
            value = {
                "one": sample.get("one"),
                "pair": sample.get("pair"),
                "none": None,
                "list": sample.get("list"),
                "days": sample.get("days", 30),
            }[shape]
            out.append(rule(key, op, value))
    return out


def test_every_field_and_operator_same_on_record_and_frame() -> None:
    records = _records(300)
    frame = _frame(records)
    rules = _rules()
    hits = 0
    assert {r.op for r in rules} == set(OPERATORS)
    categorical = frame.copy()
    for key, spec in FIELDS.items():
        if spec.kind == "choice":
            categorical[key] = categorical[key].astype("category")
    for r in rules:
        vector = evaluate_frame(r, frame, CTX).tolist()
        assert evaluate_frame(r, categorical, CTX).tolist() == vector, (r.field, r.op)
        single = [evaluate(r, rec, CTX) for rec in records]
        assert vector == single, (r.field, r.op)
        hits += any(vector)
    assert hits > len(rules) * 0.8  # the samples exercise true and false outcomes


def test_nested_groups_same_on_record_and_frame() -> None:
    records = _records(200)
    tree = all_of(
        any_of(rule("order.total", "gt", 50), rule("customer.tags", "contains", "vip")),
        none_of(rule("order.refunded", "eq", True)),
        rule("order.country", "ne", "FR"),
    )
    assert evaluate_frame(tree, _frame(records), CTX).tolist() == [
        evaluate(tree, rec, CTX) for rec in records
    ]
    assert evaluate_frame(Group(mode="any"), _frame(records[:3]), CTX).tolist() == [False] * 3
    assert evaluate(Group(mode="all"), {}, CTX) is True


def test_missing_values() -> None:
    empty: dict[str, Any] = {"order.total": None, "customer.tags": []}
    assert not evaluate(rule("order.total", "gt", 1), empty, CTX)
    assert evaluate(rule("order.total", "ne", 1), empty, CTX)
    assert evaluate(rule("order.total", "is_empty"), empty, CTX)
    assert evaluate(rule("customer.tags", "not_in", ["vip"]), empty, CTX)
    assert evaluate(rule("customer.tags", "is_empty"), empty, CTX)


def test_dates_are_local_days_and_money_converts() -> None:
    late_evening = {"order.placed_at": dt.datetime(2025, 2, 28, 23, 30, tzinfo=dt.UTC)}
    # 00:30 on 1 March in Berlin
    assert evaluate(rule("order.placed_at", "ge", "2025-03-01"), late_evening, CTX)
    assert not evaluate(rule("order.placed_at", "le", "2025-02-28"), late_evening, CTX)
    assert evaluate(
        rule("order.placed_at", "between", ["2025-03-01", "2025-03-01"]), late_evening, CTX
    )
    assert evaluate(rule("order.placed_at", "within_last_days", 10), late_evening, CTX)
    assert evaluate(
        rule("order.total", "ge", {"amount": "200", "currency": "PLN"}), {"order.total": 50}, CTX
    )
    assert evaluate(
        rule("order.discount_code", "contains", "sum"), {"order.discount_code": "SUMMER"}, CTX
    )


@pytest.mark.parametrize(
    ("field", "op", "value"),
    [
        ("order.total", "gt", "abc"),
        ("order.total", "contains", "x"),
        ("order.placed_at", "lt", "yesterday"),
        ("order.total", "between", [1]),
        ("order.country", "in", []),
        ("order.total", "nope", 1),
        ("order.total", "ge", {"amount": "1", "currency": "SEK"}),
    ],
)
def test_bad_values_are_rejected(field: str, op: str, value: Any) -> None:
    with pytest.raises((ValueError, KeyError)):
        compile_rule(rule(field, op, value), CTX)
