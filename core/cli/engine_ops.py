"""`event ORDER_REF TYPE [--at ISO]`, `worker [--once]`, `log --customer EMAIL | --order REF`."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import threading
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Actor
from core.cli.common import engine, print_json, print_table, transaction
from core.engine import ops, runlog, worker
from core.engine.clock import ManualClock
from core.errors import ValidationError
from core.models import EVENT_TYPES
from core.timeutil import parse_timestamp


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("event", help="raise an order event now (or at --at)")
    p.add_argument("order_ref", help="order id or number")
    p.add_argument("type", choices=EVENT_TYPES)
    p.add_argument("--at", help="when it happened (ISO; without offset: store time zone)")
    p.add_argument(
        "--ref",
        default="",
        help="shipment (tracking number) or refund id, for events that can repeat "
        "(shipment steps, refunds); a second refund needs its own --ref",
    )
    p.add_argument(
        "--amount", help="refunded: the amount refunded this time (default: a full refund)"
    )
    p.set_defaults(func=cmd_event)

    p = sub.add_parser("worker", help="run the workflow worker (enrol, steps, sending)")
    p.add_argument("--once", action="store_true", help="drain what is due now and exit")
    p.add_argument(
        "--interval",
        type=float,
        default=worker.INTERVAL_SECONDS,
        help="seconds between cycles (default %(default)s)",
    )
    p.add_argument(
        "--at",
        metavar="ISO",
        help="with --once: run the cycle as of this moment (a rehearsal on a copy of the data: "
        "waits and messages due by then run now); no offset means the store's time zone",
    )
    p.add_argument("--json", action="store_true", help="print each cycle's figures as JSON")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("log", help="the run log of a customer or an order")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", metavar="EMAIL")
    who.add_argument("--order", metavar="ORDER_REF")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_log)


def _parse_at(session: Session, text: str) -> dt.datetime:
    try:
        return parse_timestamp(text, store_settings.load(session).tz)
    except ValueError as exc:
        raise ValidationError(str(exc), field="--at") from None


def _moment(eng: Engine, text: str) -> dt.datetime:
    with Session(eng) as session:
        return _parse_at(session, text)


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            f"{text!r} is not an amount.", field="--amount", hint="Write it like 12.50."
        ) from None


def cmd_event(args: argparse.Namespace) -> int:
    amount = _amount(args.amount)
    with transaction() as session:
        tz = store_settings.load(session).tz
        at = _parse_at(session, args.at) if args.at else None
        _, applied = ops.raise_event(
            session, Actor.cli(), args.order_ref, args.type, at, ref=args.ref, amount=amount
        )
        recorded = applied.recorded_at.astimezone(tz).isoformat(timespec="seconds")
    if applied.created:
        print(f"{args.type} recorded for order {args.order_ref}")
    else:
        again = " (another refund needs its own --ref)" if args.type == "refunded" else ""
        print(f"{args.type} already recorded for order {args.order_ref} at {recorded}{again}")
    return 0


def _report(stats: worker.CycleStats, as_json: bool) -> None:
    if as_json:
        print_json(stats.as_dict())
        return
    d = stats.dispatch
    print(
        f"events {stats.events}, enrolled {stats.enrolled} (holdout {stats.holdout}), "
        f"steps {stats.steps}, sent {d.get('sent', 0)}, failed {d.get('failed', 0)}, "
        f"retried {d.get('retried', 0)}, deferred {d.get('deferred', 0)}, "
        f"suppressed {sum(d.get('suppressed', {}).values())}"
    )


def cmd_worker(args: argparse.Namespace) -> int:
    eng = engine()
    if args.at and not args.once:
        raise ValidationError("--at only goes with --once.", field="--at")
    if args.once:
        clock = ManualClock(_moment(eng, args.at)) if args.at else None
        _report(worker.run_once(eng, clock=clock), args.json)
        return 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("worker running; Ctrl+C stops it")
    try:
        worker.run_forever(eng, stop, interval=args.interval)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    with transaction() as session:
        if args.customer:
            frame = runlog.run_log(
                session, customer_id=runlog.find_customer(session, args.customer).id
            )
        else:
            frame = runlog.run_log(session, order_id=runlog.find_order(session, args.order).id)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(rows)
    return 0
