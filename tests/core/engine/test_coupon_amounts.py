"""Fixed coupons with an amount per currency: the order's currency picks the amount, other
orders get the value in the store currency; the cap counts it in the store currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core import coupon_amounts
from core import settings as store_settings
from core.engine import validate, worker
from core.engine.schema import Step, Trigger, WorkflowDefinition
from core.errors import ValidationError
from core.models import Coupon, Order
from tests.core.engine.conftest import CLI, Shop


def _coupon(**params: object) -> WorkflowDefinition:
    return WorkflowDefinition(
        name="thanks",
        triggers=[Trigger(type="order_placed")],
        steps=[Step(id="coupon", type="issue_coupon", params={"kind": "fixed", **params})],
    )


def test_parse_amounts() -> None:
    assert coupon_amounts.parse("pln=45; SEK=110.5") == {
        "PLN": Decimal("45.00"),
        "SEK": Decimal("110.50"),
    }
    assert coupon_amounts.parse("") == {}
    with pytest.raises(ValidationError, match="PLN"):
        coupon_amounts.parse("PLN=0")
    with pytest.raises(ValidationError, match="amount"):
        coupon_amounts.parse("PLN=lots")


def test_the_order_currency_picks_the_amount(shop: Shop) -> None:
    with shop.session() as s:
        store_settings.update_settings(s, CLI, {"rate.PLN": "0.25"})
        s.commit()
    anna, piotr = shop.customer("anna"), shop.customer("piotr", country="PL", locale="pl")
    shop.workflow(_coupon(value=10, amounts="PLN=45, SEK=110"))
    shop.order(anna, currency="EUR")
    shop.order(piotr, currency="PLN")
    worker.run_once(shop.engine, clock=shop.clock)
    with shop.session() as s:
        rows = s.execute(
            select(Order.currency, Coupon.value, Coupon.currency, Coupon.cost).join(
                Order, Order.customer_id == Coupon.customer_id
            )
        ).all()
    got = sorted((o, Decimal(v), c, Decimal(cost)) for o, v, c, cost in rows)
    assert got == [
        ("EUR", Decimal("10"), "EUR", Decimal("10.00")),
        ("PLN", Decimal("45"), "PLN", Decimal("11.25")),  # the cap counts store currency
    ]


def test_bad_amounts_are_a_validation_problem() -> None:
    problems = validate.validate(_coupon(value=10, amounts="PLN=abc"))
    assert any(p.step == "coupon" and "PLN" in p.message for p in problems)
    assert not [p for p in validate.validate(_coupon(value=10, amounts="PLN=45")) if p.step]
