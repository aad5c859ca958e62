"""`coupons`: match redemptions, create codes in the shop, export the unredeemed codes."""

from __future__ import annotations

import argparse
from pathlib import Path

from core.auth import Actor
from core.cli.common import engine, print_json, transaction

DECIMALS = (".", ",")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("coupons", help="coupon redemptions and codes in the shop")
    csub = p.add_subparsers(dest="coupons_command", required=True, metavar="ACTION")
    match = csub.add_parser(
        "match",
        help="record the redemptions of stored orders' discount codes",
        description=(
            "Match every order's discount code with the issued coupons; a use past expiry, by "
            "another customer or a second use is recorded and flagged. Imports do this already."
        ),
    )
    match.add_argument("--json", action="store_true", help="print JSON")
    match.set_defaults(func=cmd_match)
    push = csub.add_parser(
        "push",
        help="create the unredeemed codes in Shopify (Admin API)",
        description=(
            "Needs ORDERFLOW_SHOPIFY_ADMIN_TOKEN (environment or .streamlit/secrets.toml) and the "
            "shopify_shop_domain and shopify_price_rule settings."
        ),
    )
    push.add_argument("--json", action="store_true", help="print JSON")
    push.set_defaults(func=cmd_push)
    export = csub.add_parser(
        "export",
        help="write the unredeemed, unexpired codes to CSV (to upload to the shop)",
        description="Columns: code, type, value, currency, expires_at, customer_email.",
    )
    export.add_argument("--out", required=True, type=Path, help="the CSV file to write")
    export.add_argument("--delimiter", default=",", choices=[",", ";"], help="field separator")
    export.add_argument("--decimal", default=".", choices=DECIMALS, help="decimal separator")
    export.set_defaults(func=cmd_export)


def cmd_match(args: argparse.Namespace) -> int:
    from core import coupons, referral_program

    with transaction() as session:
        found = coupons.match_orders(session)
        referral_program.match_orders(session)
    if args.json:
        print_json({"redemptions": found.redemptions, "flagged": found.flagged})
    else:
        print(f"{found.redemptions} new redemption(s), {found.flagged} flagged")
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from core import shop_codes

    eng = engine()
    summary = shop_codes.push_pending(eng, Actor.cli(), shop_codes.require_configured(eng))
    if args.json:
        print_json(summary.__dict__)
    else:
        print(
            f"{summary.created} code(s) created in the shop, {summary.existing} already there, "
            f"{summary.failed} failed"
        )
        for line in summary.errors:
            print(f"  {line}")
    return 1 if summary.failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    from core import shop_codes
    from core.csvout import CsvFormat
    from core.exporting import write_csv

    frame = shop_codes.unredeemed_codes(engine(), Actor.cli())
    path = write_csv(frame, args.out, CsvFormat(delimiter=args.delimiter, decimal=args.decimal))
    print(f"{len(frame)} code(s) written to {path}")
    return 0
