"""`template list | library | render | send-test`: message templates from the command line."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from core.auth import Actor
from core.cli.common import print_json, print_table, transaction
from core.errors import ValidationError
from core.messaging import lookup

if TYPE_CHECKING:
    from core.messaging.render import RenderedMessage

PARTS = ("subject", "preheader", "html", "text")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("template", help="list, render and test message templates")
    tsub = p.add_subparsers(dest="template_command", required=True, metavar="ACTION")

    lst = tsub.add_parser("list", help="list templates with their category and languages")
    lst.add_argument("--json", action="store_true", help="print JSON")
    lst.set_defaults(func=cmd_list)

    lib = tsub.add_parser("library", help="install the 12 library templates in 8 languages")
    lib.set_defaults(func=cmd_library)

    ren = tsub.add_parser(
        "render",
        help="render a template for an order",
        description="Render NAME (or the HTML template in --source FILE) for ORDER_REF's customer.",
    )
    ren.add_argument("name", nargs="?", help="template name (omit with --source)")
    ren.add_argument("--order", required=True, metavar="ORDER_REF", help="order id or number")
    ren.add_argument("--source", type=Path, metavar="FILE", help="HTML template text to render")
    ren.add_argument("--subject", default="Preview", help="subject when using --source")
    ren.add_argument("--locale", help="language (default: the customer's)")
    ren.add_argument("--part", choices=PARTS, help="print only this part")
    ren.add_argument(
        "--json", action="store_true", help="print every part and the variables as JSON"
    )
    ren.set_defaults(func=cmd_render)

    snd = tsub.add_parser("send-test", help="send a test of a template for an order to an address")
    snd.add_argument("name")
    snd.add_argument("--order", required=True, metavar="ORDER_REF")
    snd.add_argument("--to", required=True, metavar="EMAIL")
    snd.add_argument("--locale")
    snd.set_defaults(func=cmd_send_test)


def cmd_list(args: argparse.Namespace) -> int:
    from core.messaging import templates as tpl

    with transaction() as session:
        rows = [
            {
                "name": t.name,
                "category": t.category,
                "locales": ",".join(t.locales),
                "library": t.from_library,
                "updated": t.updated_at.strftime("%Y-%m-%d %H:%M") if t.updated_at else "",
            }
            for t in tpl.list_templates(session)
        ]
    if args.json:
        print_json(rows)
    else:
        print_table(rows)
    return 0


def cmd_library(args: argparse.Namespace) -> int:
    from core.messaging import library

    with transaction() as session:
        added = library.ensure_library(session, Actor.cli())
    print(f"library installed: {added} translations added")
    return 0


def _render(args: argparse.Namespace) -> RenderedMessage:
    from core.messaging import templates as tpl
    from core.messaging.render import render_for

    with transaction() as session:
        order = lookup.find_order(session, args.order)
        if args.source is not None:
            try:
                source = args.source.read_text(encoding="utf-8")
            except OSError as exc:
                raise ValidationError(
                    f"Cannot read {args.source}: {exc.strerror}.", field="source"
                ) from None
            locale = args.locale or order.customer.locale or "en"
            return tpl.preview(
                session,
                subject=args.subject,
                preheader=None,
                html=source,
                text=None,
                customer_id=order.customer_id,
                order_id=order.id,
                locale=locale,
            )
        if not args.name:
            raise ValidationError("Give a template NAME or --source FILE.", field="name")
        return render_for(
            session, args.name, customer_id=order.customer_id, order_id=order.id, locale=args.locale
        )


def cmd_render(args: argparse.Namespace) -> int:
    rendered = _render(args)
    if args.json:
        data = dataclasses.asdict(rendered)
        print_json({k: data[k] for k in (*PARTS, "locale", "variables_used", "empty_variables")})
    elif args.part:
        print(getattr(rendered, args.part))
    else:
        print(f"Subject: {rendered.subject}")
        if rendered.preheader:
            print(f"Preheader: {rendered.preheader}")
        print(f"Language: {rendered.locale}\n")
        print(rendered.text)
    for path in rendered.empty_variables if not args.json else []:
        print(f"warning: {path} is empty for this order and has no fallback", file=sys.stderr)
    return 0


def cmd_send_test(args: argparse.Namespace) -> int:
    from core.messaging.send_test import send_test

    with transaction() as session:
        order = lookup.find_order(session, args.order)
        message = send_test(
            session, Actor.cli(), args.name, order_id=order.id, to=args.to, locale=args.locale
        )
        state, transport, error = message.state, message.transport, message.last_error
        message_id = message.smtp_message_id
    if state != "sent":
        print(f"error: the test was not delivered: {error}")
        return 1
    where = "the local mailbox" if transport == "mailbox" else "the SMTP server"
    print(f"test sent to {args.to} through {where} (Message-ID {message_id})")
    return 0
