"""`source add shopify|woocommerce|api`, `source list`, `source rotate NAME`, `source remove NAME`.

A webhook secret comes from ``--secret`` or, to keep it out of the process list and shell
history, from ``ORDERFLOW_SOURCE_SECRET``. An API token is printed once, never again.
"""

from __future__ import annotations

import argparse
import os

from core.auth import Actor
from core.cli.common import print_json, print_table, transaction

SECRET_ENV = "ORDERFLOW_SOURCE_SECRET"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("source", help="connect shops and API clients (live order data)")
    ssub = p.add_subparsers(dest="source_command", required=True, metavar="ACTION")
    add = ssub.add_parser("add", help="add a source")
    kinds = add.add_subparsers(dest="kind", required=True, metavar="KIND")
    shopify = kinds.add_parser("shopify", help="a Shopify shop (webhooks)")
    shopify.add_argument("--shop-domain", required=True, help="e.g. my-shop.myshopify.com")
    woo = kinds.add_parser("woocommerce", help="a WooCommerce store (webhooks)")
    api = kinds.add_parser("api", help="an API client (prints a bearer token once)")
    for kp in (shopify, woo, api):
        kp.add_argument("--name", required=True, help="lower-case name, used in webhook URLs")
        kp.add_argument("--json", action="store_true", help="print JSON")
        kp.set_defaults(func=cmd_add)
    for kp in (shopify, woo):
        kp.add_argument("--secret", help=f"the webhook signing secret (or {SECRET_ENV})")
    lst = ssub.add_parser("list", help="list sources (secrets shown as their last 4 characters)")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)
    rot = ssub.add_parser("rotate", help="set a new webhook secret, or a new API token")
    rot.add_argument("name")
    rot.add_argument("--secret", help=f"the new webhook secret (or {SECRET_ENV})")
    rot.add_argument("--json", action="store_true", help="print JSON")
    rot.set_defaults(func=cmd_rotate)
    rm = ssub.add_parser("remove", help="remove a source and its delivery log")
    rm.add_argument("name")
    rm.set_defaults(func=cmd_remove)


def _secret(args: argparse.Namespace) -> str | None:
    given: str | None = getattr(args, "secret", None)
    return given if given else os.environ.get(SECRET_ENV)


def cmd_add(args: argparse.Namespace) -> int:
    from core.ingest import sources

    with transaction() as session:
        source, token = sources.add(
            session,
            Actor.cli(),
            args.kind,
            args.name,
            shop_domain=getattr(args, "shop_domain", None),
            secret=_secret(args),
        )
        name = source.name
    _print_token(name, token, args.json, "added")
    return 0


def _print_token(name: str, token: str | None, as_json: bool, verb: str) -> None:
    if as_json:
        print_json({"name": name, "token": token} if token else {"name": name})
    elif token:
        print(f"{verb} {name}; its bearer token (shown only now, store it safely):\n{token}")
    else:
        print(f"{verb} {name}")


def cmd_list(args: argparse.Namespace) -> int:
    from core.ingest import sources

    with transaction() as session:
        rows = [sources.view(s).as_dict() for s in sources.all_sources(session)]
    if args.json:
        print_json(rows)
    else:
        print_table(rows)
    return 0


def cmd_rotate(args: argparse.Namespace) -> int:
    from core.ingest import sources

    with transaction() as session:
        token = sources.rotate(session, Actor.cli(), args.name, _secret(args))
    _print_token(args.name, token, args.json, "rotated")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from core.ingest import sources

    with transaction() as session:
        sources.remove(session, Actor.cli(), args.name)
    print(f"removed {args.name}")
    return 0
