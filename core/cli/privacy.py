"""`backup --out FILE`, `customer export EMAIL [--csv DIR]`, `customer erase EMAIL --yes`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from core.auth import Actor
from core.cli.common import transaction
from core.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "backup",
        help="copy the embedded SQLite database while the app runs",
        description="A consistent copy made with SQLite's online backup (the app keeps "
        "running). Restore: stop the app and workers, copy the file over the database (delete "
        "its -wal and -shm files) or point ORDERFLOW_DATABASE_URL at it. On PostgreSQL use "
        "pg_dump (docs/security.md).",
    )
    p.add_argument("--out", required=True, type=Path, help="the file to write")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("customer", help="GDPR: export or erase everything about a customer")
    csub = p.add_subparsers(dest="customer_command", required=True, metavar="ACTION")
    exp = csub.add_parser(
        "export",
        help="print JSON with profile, orders, messages, reviews, consents, preferences, run_log",
    )
    exp.add_argument("email")
    exp.add_argument("--csv", type=Path, metavar="DIR", help="write one CSV per key into DIR")
    exp.set_defaults(func=cmd_customer_export)
    era = csub.add_parser(
        "erase",
        help="anonymise every customer with this email everywhere (KPIs stay the same)",
    )
    era.add_argument("email")
    era.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    era.set_defaults(func=cmd_customer_erase)
    ret = csub.add_parser(
        "retention",
        help="list (or with --yes anonymise) customers inactive for the retention_years setting",
    )
    ret.add_argument("--yes", action="store_true", help="anonymise them now")
    ret.set_defaults(func=cmd_customer_retention)


def cmd_customer_retention(args: argparse.Namespace) -> int:
    from core import gdpr
    from core import settings as store_settings

    with transaction() as session:
        years = store_settings.load(session).retention_years
        ids = gdpr.apply_retention(session, Actor.cli(), dry_run=not args.yes)
    if years <= 0:
        print("retention is off: set it with `settings set retention_years N`")
    elif args.yes:
        print(f"anonymised {len(ids)} customer(s) inactive for {years} years")
    else:
        print(f"{len(ids)} customer(s) inactive for {years} years; add --yes to anonymise them")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from core import db
    from core.backup import backup

    result = backup(db.make_engine(), args.out)
    print(f"backup written: {result.path} ({result.bytes} bytes, integrity ok)")
    return 0


def cmd_customer_export(args: argparse.Namespace) -> int:
    from core import gdpr

    with transaction() as session:
        data = gdpr.export_customer(session, Actor.cli(), args.email)
    if args.csv is None:
        print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
        return 0
    import pandas as pd

    from core.csvout import to_csv_bytes

    args.csv.mkdir(parents=True, exist_ok=True)
    for key in gdpr.KEYS:
        (args.csv / f"{key}.csv").write_bytes(to_csv_bytes(pd.DataFrame(data[key])))
    print(f"wrote {len(gdpr.KEYS)} CSV files to {args.csv}")
    return 0


def cmd_customer_erase(args: argparse.Namespace) -> int:
    from core import gdpr

    if not args.yes:
        raise ValidationError(
            "Erasing cannot be undone.", field="yes", hint="Add --yes to confirm."
        )
    with transaction() as session:
        done = gdpr.erase_customer(session, Actor.cli(), args.email)
    print(
        f"erased {len(done.customers)} customer(s) (ids {', '.join(map(str, done.customers))}); "
        f"{done.messages_cancelled} pending message(s) and {done.webhooks_cancelled} webhook "
        f"call(s) cancelled, {done.enrolments_exited} enrolment(s) ended"
    )
    return 0
