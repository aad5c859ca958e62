"""`event REF TYPE [--at ISO]`, `worker [--once [--at ISO | --now ISO]]`, `log --customer EMAIL | --order REF`."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import threading
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Actor
from core.cli.common import engine, print_json, print_table, transaction
from core.engine.clock import ManualClock
from core.errors import ValidationError
from core.models import EVENT_TYPES
from core.timeutil import parse_timestamp

if TYPE_CHECKING:
    from core.engine import rehearsal, worker

# core.engine.worker.INTERVAL_SECONDS (checked by tests/cli/test_lazy_cli.py)
INTERVAL_SECONDS = 5.0


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
        default=INTERVAL_SECONDS,
        help="seconds between cycles (default %(default)s)",
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument(
        "--at",
        metavar="ISO",
        help="with --once: REHEARSE the cycle as of this moment: what would be sent and skipped "
        "by then is reported, nothing is written and no mail server is contacted (PostgreSQL: "
        "one transaction rolled back; SQLite: a temporary copy); no offset means the store's "
        "time zone",
    )
    when.add_argument(
        "--now",
        metavar="ISO",
        help="with --once, for tests and demonstrations only: run a REAL cycle as if it were "
        "this moment (it writes and sends, e.g. to let a 7-day wait pass in a test shop)",
    )
    p.add_argument("--json", action="store_true", help="print each cycle's figures as JSON")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser(
        "log",
        help="the run log of a customer or an order: every enrolment, step and message, and why "
        "an event entered no workflow (entry condition and value, not active, already enrolled)",
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--customer", metavar="EMAIL")
    who.add_argument("--order", metavar="ORDER_REF")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_log)


def _parse_at(session: Session, text: str, option: str = "--at") -> dt.datetime:
    try:
        return parse_timestamp(text, store_settings.load(session).tz)
    except ValueError as exc:
        raise ValidationError(str(exc), field=option) from None


def _moment(eng: Engine, text: str, option: str) -> dt.datetime:
    with Session(eng) as session:
        return _parse_at(session, text, option)


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
    from core.engine import ops

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


def _report_rehearsal(result: rehearsal.Rehearsal, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
        return
    s = result.stats
    print(
        f"rehearsal as of {result.at.isoformat()}: nothing was written or sent. "
        f"events {s.events}, enrolled {s.enrolled} (holdout {s.holdout}), steps {s.steps}, "
        f"would send {len(result.would_send)}, would skip {len(result.would_skip)}"
    )
    for m in result.would_send:
        print(f"  would send  {m['template'] or '-'} to {m['to']} (order {m['order']})")
    for m in result.would_skip:
        print(f"  would skip  {m['template'] or '-'} to {m['to']}: {m['reason']}")


def cmd_worker(args: argparse.Namespace) -> int:
    from core.engine import worker

    eng = engine()
    for option in ("at", "now"):
        if getattr(args, option) and not args.once:
            raise ValidationError(f"--{option} only goes with --once.", field=f"--{option}")
    if args.once and args.at:
        from core.engine import rehearsal

        _report_rehearsal(rehearsal.rehearse(eng, _moment(eng, args.at, "--at")), args.json)
        return 0
    if args.once:
        clock = ManualClock(_moment(eng, args.now, "--now")) if args.now else None
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
    from core.builder.why_not import explained_log
    from core.engine import runlog

    with transaction() as session:
        if args.customer:
            customer = runlog.find_customer(session, args.customer)
            frame = explained_log(session, customer_id=customer.id)
        else:
            frame = explained_log(session, order_id=runlog.find_order(session, args.order).id)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in frame.to_dict("records")
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(rows)
    return 0
