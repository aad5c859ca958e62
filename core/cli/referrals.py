"""`referrals refresh`: credit every referral code with the orders that used it."""

from __future__ import annotations

import argparse

from core import referrals
from core.cli.common import print_json, transaction


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("referrals", help="referral codes")
    rsub = p.add_subparsers(dest="referrals_command", required=True, metavar="ACTION")
    refresh = rsub.add_parser(
        "refresh",
        help="recount each code's uses from the orders",
        description=(
            "Set each referral code's uses to the number of orders that were not cancelled and "
            "used the code as discount code (case-insensitive), e.g. after importing orders."
        ),
    )
    refresh.add_argument("--json", action="store_true", help="print JSON")
    refresh.set_defaults(func=cmd_refresh)


def cmd_refresh(args: argparse.Namespace) -> int:
    with transaction() as session:
        total = referrals.count_referral_uses(session)
    if args.json:
        print_json({"uses": total})
    else:
        print(f"referral codes credited with {total} use(s) in total")
    return 0
