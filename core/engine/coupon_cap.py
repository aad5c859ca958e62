"""Whether a coupon step issues a coupon under its budget cap: ONE rule for the live engine
(:func:`core.engine.steps.issue_coupon`) and the backtest (:mod:`core.engine.backtest`).

The cap counts issued value: the value of every coupon the workflow has issued so far (a fixed
amount, or the percentage of the order total it was issued for, to the cent). A coupon is issued
while the issued value plus its own value stays within the cap; otherwise the step is skipped and
the enrolment goes on without a code (a later email that needs one is suppressed as
``coupon_unavailable``, or the step's "not issued" path is taken). What redeemed coupons cost is
a KPI of its own (:func:`core.metrics.workflows.coupon_costs`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")


def coupon_value(kind: str, value: Decimal, order_total: object) -> Decimal:
    """The issued value of one coupon: ``value`` itself when ``fixed``, else ``value`` percent
    of the order total (0 without a total)."""
    if kind == "fixed":
        return Decimal(value).quantize(CENT)
    if order_total is None or order_total != order_total:  # None or NaN
        return Decimal(0)
    return (Decimal(str(order_total)) * Decimal(value) / 100).quantize(CENT)


def budget_cap(params: Mapping[str, Any]) -> Decimal | None:
    """The step's cap in the store currency, None when it has none."""
    cap = params.get("budget_cap")
    return None if cap in (None, "") else Decimal(str(cap))


def within_cap(issued: Decimal, value: Decimal, cap: Decimal | None) -> bool:
    """May a coupon worth ``value`` be issued when ``issued`` has been issued already?"""
    return cap is None or issued + value <= cap


def issue_in_order(
    values: Iterable[Decimal], cap: Decimal | None, issued: Decimal = Decimal(0)
) -> tuple[list[bool], Decimal]:
    """Decide coupons one after the other (in the order they would be issued): which are
    issued, and the issued value afterwards (starting from ``issued``)."""
    decisions: list[bool] = []
    for value in values:
        ok = within_cap(issued, value, cap)
        decisions.append(ok)
        if ok:
            issued += value
    return decisions, issued
