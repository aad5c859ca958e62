"""`init`, `settings show|set`, `users add|list|deactivate|activate|role|reset-password`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy import select

from core import auth, db, facts
from core import settings as store_settings
from core.auth import Actor
from core.cli.common import print_json, print_table, transaction
from core.errors import ValidationError
from core.models import User


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="create or migrate the database and install the message library "
        "(never adds demo data)",
    )
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("settings", help="show or change store settings")
    ssub = p.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    show = ssub.add_parser("show", help="print every setting")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(func=cmd_settings_show)
    setp = ssub.add_parser(
        "set",
        help="change one setting, e.g. `settings set currency GBP`",
        description="Keys: "
        + ", ".join(store_settings.VALIDATORS)
        + ", rate.XXX (one exchange rate).",
    )
    setp.add_argument("key")
    setp.add_argument("value")
    setp.set_defaults(func=cmd_settings_set)

    p = sub.add_parser("users", help="manage dashboard users")
    usub = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    add = usub.add_parser("add", help="add a user (password prompted, or from ORDERFLOW_PASSWORD)")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=[r.value for r in auth.Role])
    add.set_defaults(func=cmd_users_add)
    lst = usub.add_parser("list", help="list users")
    lst.set_defaults(func=cmd_users_list)
    off = usub.add_parser("deactivate", help="deactivate a user (their sessions end at once)")
    off.add_argument("email")
    off.set_defaults(func=cmd_users_active, active=False)
    on = usub.add_parser("activate", help="let a deactivated user log in again")
    on.add_argument("email")
    on.set_defaults(func=cmd_users_active, active=True)
    role = usub.add_parser("role", help="change a user's role (applies to their next click)")
    role.add_argument("email")
    role.add_argument("role", choices=[r.value for r in auth.Role])
    role.set_defaults(func=cmd_users_role)
    reset = usub.add_parser(
        "reset-password",
        help="set a new password (prompted, or from ORDERFLOW_PASSWORD); sessions end at once",
    )
    reset.add_argument("email")
    reset.set_defaults(func=cmd_users_reset)


def cmd_init(args: argparse.Namespace) -> int:
    from core.bootstrap import install_library_once

    eng = db.make_engine()
    db.migrate(eng)
    with db.transaction(eng) as session:
        facts.ensure(session)
    print(f"database ready at revision {db.current_revision(eng)}: {eng.url.render_as_string()}")
    added = install_library_once(eng, Actor.cli())
    if added:
        print(f"message library installed: {added} translations")
    else:
        print("message library: already installed (templates are kept as they are)")
    return 0


def cmd_settings_show(args: argparse.Namespace) -> int:
    with transaction() as session:
        current = store_settings.load(session)
    values = {k: v for k, v in current.__dict__.items()}
    if args.json:
        print_json(values)
    else:
        for key, value in values.items():
            print(f"{key:26} {value}")
    return 0


def cmd_settings_set(args: argparse.Namespace) -> int:
    with transaction() as session:
        new = store_settings.update_settings(session, Actor.cli(), {args.key: args.value})
    key = "exchange_rates" if args.key.startswith("rate.") else args.key
    print(f"{key} = {getattr(new, key)}")
    return 0


def _password() -> str:
    password = os.environ.get("ORDERFLOW_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise ValidationError(
                "No password given.",
                field="password",
                hint="Set ORDERFLOW_PASSWORD or run in a terminal.",
            )
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            raise ValidationError("The passwords differ.", field="password")
    return password


def cmd_users_active(args: argparse.Namespace) -> int:
    from core import accounts

    with transaction() as session:
        user = accounts.set_active(session, Actor.cli(), args.email, bool(args.active))
    print(f"{user.email} {'activated' if user.active else 'deactivated'}")
    return 0


def cmd_users_role(args: argparse.Namespace) -> int:
    from core import accounts

    with transaction() as session:
        user = accounts.change_role(session, Actor.cli(), args.email, args.role)
    print(f"{user.email} is now {user.role}")
    return 0


def cmd_users_reset(args: argparse.Namespace) -> int:
    from core import accounts

    password = _password()
    with transaction() as session:
        user = accounts.reset_password(session, Actor.cli(), args.email, password)
    print(f"new password set for {user.email}; their sessions ended")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    password = _password()
    with transaction() as session:
        auth.add_user(session, Actor.cli(), args.email, password, auth.parse_role(args.role))
    print(f"added {args.email} as {args.role}")
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    with transaction() as session:
        rows = [
            {"email": u.email, "role": u.role, "active": u.active, "last_login": u.last_login_at}
            for u in session.scalars(select(User).order_by(User.email))
        ]
    print_table(rows)
    return 0
