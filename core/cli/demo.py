"""`demo`: load, replace or clear the demo shop."""

from __future__ import annotations

import argparse

from core.auth import Actor
from core.cli.common import engine, print_json
from core.timeutil import parse_date


def _date(value: str) -> object:
    try:
        return parse_date(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="load the demo shop (a made-up European store), replace it or clear it",
        description=(
            "Adds a seeded, deterministic demo shop over the 24 months ending on --until. "
            "Demo rows are flagged, their ids start with DEMO- and their emails use example "
            "domains; rows you imported are never touched. Also creates the review_request and "
            "second_order_thank_you workflows (10%% holdout) with their history and a planted "
            "+8 point effect on repeat purchases within 60 days (recorded in the demo metadata). "
            "Refuses when demo data is loaded already, unless --reset."
        ),
    )
    p.add_argument("--customers", type=_positive, default=5000, help="customers (default 5000)")
    p.add_argument(
        "--orders", type=_positive, default=None, help="orders (default: about 3.4 per customer)"
    )
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument(
        "--until", type=_date, default=None, help="last day, YYYY-MM-DD (default: today)"
    )
    p.add_argument(
        "--no-workflows",
        action="store_true",
        help="skip the demo workflows (review_request, second_order_thank_you) and their history",
    )
    action = p.add_mutually_exclusive_group()
    action.add_argument("--reset", action="store_true", help="clear the demo data, then load")
    action.add_argument("--clear", action="store_true", help="only clear the demo data")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from core import demo

    actor = Actor.cli()
    if args.clear:
        removed = demo.clear(engine(), actor)
        if args.json:
            print_json({"removed_rows": removed})
        else:
            print(f"removed {removed:,} demo rows; your own data is untouched")
        return 0
    options = demo.DemoOptions(
        customers=args.customers,
        orders=args.orders,
        seed=args.seed,
        until=args.until,
        reset=args.reset,
        workflows=not args.no_workflows,
    )
    summary = demo.load(engine(), options, actor=actor)
    if args.json:
        print_json(summary.as_dict())
        return 0
    print(f"demo shop loaded: {summary}")
    for table, count in summary.counts.items():
        print(f"  {table:20} {count:>10,}")
    stats = summary.stats
    if stats.get("late_share") is not None:
        print(
            f"  late deliveries {stats['late_share']:.1%}; mean rating on time "
            f"{stats['mean_rating_on_time']}, late {stats['mean_rating_late']}"
        )
    effect = stats.get("planted_effect")
    if effect:
        print(
            f"  planted effect: +{effect['lift_pp']} points of {effect['metric']} for treated "
            f"customers of {effect['workflow']} (workflow {effect['workflow_id']}, "
            f"baseline {effect['baseline_repeat_rate']:.1%}, {effect['enrolled']:,} enrolled)"
        )
    return 0
