"""`referrals refresh`: record the uses of orders with a referral code and recount each code's
conversions; `referrals settle`: issue the rewards whose refund window has passed."""

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
            "Record a referral use for every order whose discount code is a referral code "
            "(refused with a reason: self-referral, friend already ordered, repeat use), then set "
            "each code's uses to its conversions (uses not refused)."
        ),
    )
    refresh.add_argument("--json", action="store_true", help="print JSON")
    refresh.set_defaults(func=cmd_refresh)
    settle = rsub.add_parser(
        "settle",
        help="issue advocates' reward coupons whose refund window has passed",
        description=(
            "A friend's first order rewards the advocate once it is paid and was not refunded "
            "or cancelled within referral_reward_days; the worker does this every cycle."
        ),
    )
    settle.add_argument("--json", action="store_true", help="print JSON")
    settle.set_defaults(func=cmd_settle)


def cmd_refresh(args: argparse.Namespace) -> int:
    with transaction() as session:
        total = referrals.count_referral_uses(session)
    if args.json:
        print_json({"uses": total})
    else:
        print(f"referral codes credited with {total} use(s) in total")
    return 0


def cmd_settle(args: argparse.Namespace) -> int:
    from core import referral_program

    with transaction() as session:
        summary = referral_program.settle_rewards(session)
    if args.json:
        print_json(summary.__dict__)
    else:
        print(f"{summary.rewarded} reward(s) issued, {summary.not_rewarded} not rewarded")
    return 0
