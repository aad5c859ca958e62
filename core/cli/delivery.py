"""`delivery quote`: the delivery options a basket may choose, as the checkout would show them."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from core.cli.common import print_json, transaction
from core.errors import ValidationError

BASKET_HELP = (
    'JSON file: {"country": "DE", "postcode": "10115", "currency": "EUR", '
    '"customer_email": "a@example.com" (optional), "lines": [{"sku": "MUG-1", "quantity": 2, '
    '"price": "12.50", "grams": 350}]} (prices in major units, weights in grams; "-" reads stdin)'
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("delivery", help="delivery options and quotes")
    dsub = p.add_subparsers(dest="delivery_command", required=True, metavar="ACTION")
    quote = dsub.add_parser(
        "quote",
        help="quote the delivery options of a basket",
        description=(
            "Print the options offered to a basket, cheapest first, with price, promised dates, "
            "free time slots and pickup stores. A quote never holds a slot."
        ),
    )
    quote.add_argument("--basket", required=True, metavar="FILE", help=BASKET_HELP)
    quote.add_argument(
        "--at", metavar="ISO", help="order time (default now; without an offset: store time)"
    )
    quote.add_argument("--json", action="store_true", help="print JSON")
    quote.set_defaults(func=cmd_quote)


def _read_basket(name: str) -> object:
    import sys

    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot read {name}: {exc.strerror}.", field="basket") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{name} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).",
            field="basket",
        ) from None


def cmd_quote(args: argparse.Namespace) -> int:
    from core import settings as store_settings
    from core.delivery.basket import parse_basket
    from core.delivery.quote import quote
    from core.timeutil import parse_timestamp

    basket = parse_basket(_read_basket(args.basket))
    with transaction() as session:
        at = dt.datetime.now(dt.UTC)
        if args.at:
            try:
                at = parse_timestamp(args.at, store_settings.load(session).tz)
            except ValueError as exc:
                raise ValidationError(f"--at: {exc}.", field="at") from None
        result = quote(session, basket, at)
    if args.json:
        print_json(result)
        return 0
    if not result["options"]:
        print("no delivery option is offered to this basket")
    for o in result["options"]:
        promise = o["promise"]
        when = promise["earliest"]
        if promise["latest"] != when:
            when += f" to {promise['latest']}"
        extra = f", {len(o['slots'])} free slot(s)" if o["slots"] else ""
        print(f"{o['code']:<16} {o['price']:>8} {o['currency']}  {when}{extra}  {o['name']}")
    return 0
