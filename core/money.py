"""Money: Decimal amounts with a currency, parsing, and conversion to the store currency."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import get_currency_name, get_currency_precision

from core.errors import ValidationError

CENT = Decimal("0.01")
_COMMA_DECIMAL = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{1,2}$|^-?\d+,\d{1,2}$")
_DOT_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return f"{self.amount:.2f} {self.currency}"


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def minor_exponent(currency: str) -> int:
    """Decimal places of ``currency``'s minor unit (ISO 4217 via Babel): EUR 2, JPY 0, KWD 3."""
    return int(get_currency_precision(currency.upper()))


def round_to_currency(value: Decimal, currency: str) -> Decimal:
    """``value`` rounded half-up to the currency's minor unit (``1234.5 JPY`` -> ``1235``)."""
    return value.quantize(Decimal(1).scaleb(-minor_exponent(currency)), rounding=ROUND_HALF_UP)


def to_minor(value: Decimal, currency: str) -> int:
    """Whole minor units (cents, yen, fils) of an amount in major units."""
    return int(round_to_currency(value, currency).scaleb(minor_exponent(currency)))


def from_minor(units: Decimal | int, currency: str) -> Decimal:
    """The amount in major units of ``units`` minor units."""
    return Decimal(units).scaleb(-minor_exponent(currency))


def parse_amount(value: str) -> Decimal:
    """Parse ``1234.56``, ``1234,56``, ``1.234,56`` or ``1,234.56`` into a Decimal.

    A comma is read as the decimal separator only where that is unambiguous (one comma followed
    by one or two digits). Raises ``ValueError`` with a short reason otherwise.
    """
    text = value.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        raise ValueError("empty amount")
    if _COMMA_DECIMAL.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif _DOT_THOUSANDS.match(text):
        text = text.replace(",", "")
    elif "," in text:
        raise ValueError("ambiguous number: write it as 1234.56")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not amount.is_finite():
        raise ValueError("not a number")
    return amount


def check_currency(code: str, field: str = "currency") -> str:
    """Upper-case ISO 4217 code, or a ValidationError."""
    code = code.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError(
            f"{code!r} is not a currency code.", field=field, hint="Use EUR, PLN, GBP..."
        )
    if get_currency_name(code, locale="en") == code:
        raise ValidationError(
            f"Unknown currency {code!r}.", field=field, hint="Use an ISO 4217 code."
        )
    return code


def convert(
    amount: Decimal, currency: str, store_currency: str, rates: Mapping[str, Decimal]
) -> Decimal:
    """``amount`` in ``store_currency``; ``rates[X]`` is the value of one X in store currency."""
    if currency == store_currency:
        return amount
    try:
        return amount * Decimal(rates[currency])
    except KeyError:
        raise ValidationError(
            f"No exchange rate from {currency} to {store_currency}.",
            field="exchange_rates",
            hint=f"Add it on the Settings page or with `settings set rate.{currency} VALUE`.",
        ) from None
