"""Fixed coupons worth a set amount in each currency: ``PLN=45, SEK=110`` next to a value in
the store currency. A fixed coupon issued for an order in a listed currency is worth that
amount in that currency; otherwise the step's value in the store currency. Percent coupons are
the same percentage everywhere."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from core.errors import ValidationError
from core.money import check_currency

FIELD = "amounts"


def parse(text: object) -> dict[str, Decimal]:
    """``"PLN=45, SEK=110"`` (or a mapping) -> ``{"PLN": Decimal("45"), ...}``; a
    ValidationError names the bad entry."""
    if text in (None, ""):
        return {}
    pairs = (
        list(text.items())
        if isinstance(text, dict)
        else [p.partition("=")[::2] for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    )
    out: dict[str, Decimal] = {}
    for code, raw in pairs:
        currency = check_currency(str(code).strip(), field=FIELD)
        try:
            amount = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationError(
                f"{raw!r} is not an amount for {currency}.",
                field=FIELD,
                hint="Write amounts per currency like PLN=45, SEK=110.",
            ) from None
        if not amount.is_finite() or amount <= 0:
            raise ValidationError(f"The amount for {currency} must be above 0.", field=FIELD)
        out[currency] = amount.quantize(Decimal("0.01"))
    return out


def in_currency(
    kind: str, value: Decimal, amounts: object, order_currency: object, store_currency: str
) -> tuple[Decimal, str]:
    """The coupon's value and currency for an order in ``order_currency``."""
    if kind == "fixed":
        listed = parse(amounts)
        if isinstance(order_currency, str) and order_currency in listed:
            return listed[order_currency], order_currency
    return value, store_currency
