"""Entry conditions compiled to SQL pick the same orders as the pandas evaluation, for every
operator on every kind of SQL field, with missing and empty values, plain (no ``not`` above)
and under ``not``; the customer's country stands in for a missing shipping country."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from core import settings as store_settings
from core.engine import backtest, sqlcond
from core.engine.admit import eval_context
from core.engine.schema import Node, Step, Trigger, WorkflowDefinition, all_of, any_of, none_of
from core.engine.schema import rule as r
from core.models import Order
from tests.core.engine.conftest import Shop

RULES: list[Node] = [
    r("order.total", "ge", 60),
    r("order.total", "between", [40, 90]),
    r("order.total", "lt", 50),
    r("order.country", "in", ["DE", "NL"]),
    r("order.country", "not_in", ["FR"]),
    r("order.country", "eq", "AT"),
    r("order.country", "ne", "DE"),
    r("order.channel", "in", ["web", ""]),
    r("order.channel", "eq", "app"),
    r("order.channel", "is_empty"),
    r("order.discount_code", "contains", "sum"),
    r("order.discount_code", "eq", "summer25"),
    r("order.discount_code", "ne", "summer25"),
    r("order.placed_at", "within_last_days", 20),
    r("order.placed_at", "lt", "2025-05-20"),
    r("customer.marketing_consent", "eq", True),
    r("customer.locale", "is_empty"),
    r("customer.locale", "in", ["de", "en"]),
]


def _history(shop: Shop) -> None:
    now = shop.clock.now
    for i in range(24):
        c = shop.customer(
            f"s{i}",
            consent=i % 3 != 0,
            country=["DE", "AT", "FR", "NL"][i % 4],
            locale=["de", "en", "", "fr"][i % 4],
        )
        order = shop.order(
            c,
            at=now - dt.timedelta(days=2 * i, hours=i),
            total=str(25 + 5 * i),
            country=None if i % 3 else ["NL", "DE"][i % 2],
            channel=[None, "web", "app", ""][i % 4],
            discount_code=[None, "", "SUMMER25", "WINTER"][(i // 2) % 4],
        )
        shop.event(order, "delivered", now - dt.timedelta(days=2 * i - 1))
    with shop.session() as s:  # some orders have no shipping country: the customer's counts
        s.execute(update(Order).where(Order.id % 5 == 0).values(shipping_country=None))
        s.commit()


def test_sql_conditions_pick_what_pandas_picks(shop: Shop) -> None:
    _history(shop)
    now, since = shop.clock.now, shop.clock.now - dt.timedelta(days=365)
    base = WorkflowDefinition(
        name="sql",
        triggers=[Trigger(type="delivered")],
        steps=[Step(id="t", type="add_tag", params={"tag": "x"})],
    )
    variants: list[Node] = [*RULES]
    variants += [none_of(rule) for rule in RULES]
    variants += [
        all_of(RULES[0], any_of(RULES[3], none_of(RULES[7], RULES[10])), RULES[15]),
        any_of(none_of(all_of(RULES[1], RULES[6])), RULES[16]),
        none_of(any_of(RULES[9], RULES[12]), all_of(RULES[4], RULES[17])),
    ]
    sizes = set()
    with shop.session() as s:
        st = store_settings.load(s)
        for entry in variants:
            d = base.model_copy(update={"entry": entry})
            by_sql, n_sql = backtest.entered(s, d, since, now, st, use_sql=True)
            by_pandas, n_pandas = backtest.entered(s, d, since, now, st, use_sql=False)
            assert sorted(by_sql["order_id"]) == sorted(by_pandas["order_id"]), entry
            assert n_sql == n_pandas
            sizes.add(len(by_sql))
    assert len(sizes) >= 10  # the rules discriminate


def test_only_rules_under_not_are_wrapped(shop: Shop) -> None:
    with shop.session() as s:
        st = store_settings.load(s)
    dialect = shop.engine.dialect.name
    plain = sqlcond.compile_sql(
        RULES[0], sqlcond.SqlBuilder(eval_context(shop.clock.now, st), dialect)
    )
    negated = sqlcond.compile_sql(
        none_of(RULES[0]), sqlcond.SqlBuilder(eval_context(shop.clock.now, st), dialect)
    )
    assert plain is not None and "CASE WHEN" not in plain.replace("CASE o.currency", "")
    assert negated is not None and negated.startswith("NOT") and "THEN 1 ELSE 0 END = 1" in negated
