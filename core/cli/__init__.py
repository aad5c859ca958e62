"""`python -m core COMMAND ...`: the operator's command line.

Commands are imported lazily, so that ``python -m core --help`` and building the parser stay
fast (no pandas, scipy or streamlit; ``tests/cli/test_lazy_cli.py`` asserts it):

- :data:`COMMANDS` is the light registry: command name -> (module in this package, one-line help).
  The top-level parser lists every command from it without importing any command module.
- Only the module of the command being run is imported; its ``register(subparsers)`` adds that
  command's full parser (arguments, sub-actions) and sets ``func`` (``(args) -> int``) on it.

To add a command:

1. Add ``"name": Command("module", "one-line help")`` to :data:`COMMANDS` (a module may serve
   several commands: ``data`` serves ``import`` and ``export``).
2. In ``core/cli/<module>.py`` write ``register(sub)`` adding a parser for each of its commands.
   At module level import only light things (argparse, ``core.cli.common``, ``core.errors``,
   ``core.auth``, ``core.models``, ``core.settings``, ``core.timeutil``); import pandas, scipy,
   Jinja2 and any module that pulls them in (``core.metrics``, ``core.importers``,
   ``core.exporting``, ``core.engine.*``, ``core.demo``, ``core.messaging``) inside the
   ``cmd_*`` function that needs it. Choices needed by the parser are written out in the
   command module and checked against the domain's constants by ``tests/cli/test_lazy_cli.py``.

Exit codes: 0 ok, 1 bad input (any ``OrderflowError``, printed without a traceback), 2 usage.
The CLI acts as actor ``cli``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NamedTuple

from core.errors import ImportRejected, OrderflowError


class Command(NamedTuple):
    module: str
    help: str


COMMANDS: dict[str, Command] = {
    "init": Command(
        "admin",
        "create or migrate the database and install the message library (never adds demo data)",
    ),
    "settings": Command("admin", "show or change store settings"),
    "users": Command("admin", "manage dashboard users"),
    "import": Command(
        "data",
        "import a CSV file (all-or-nothing; importing it again updates, never duplicates)",
    ),
    "export": Command("data", "export a table to CSV"),
    "delivery": Command("delivery", "delivery options and quotes"),
    "demo": Command(
        "demo", "load the demo shop (a made-up European store), replace it or clear it"
    ),
    "event": Command("engine_ops", "raise an order event now (or at --at)"),
    "worker": Command("engine_ops", "run the workflow worker (enrol, steps, sending)"),
    "log": Command("engine_ops", "the run log of a customer or an order"),
    "kpis": Command(
        "kpis", "print the KPIs (all data, or --since/--until), or one workflow's impact"
    ),
    "referrals": Command("referrals", "referral codes, their uses and rewards"),
    "coupons": Command("coupons", "coupon redemptions and codes in the shop"),
    "template": Command("template", "list, render and test message templates"),
    "workflow": Command("workflow", "create, check, backtest and run workflows"),
    "source": Command("sources", "connect shops and API clients (live order data)"),
    "backup": Command("privacy", "copy the embedded SQLite database while the app runs"),
    "customer": Command("privacy", "GDPR: export or erase everything about a customer"),
}


def _selected(argv: Sequence[str]) -> str | None:
    """The command named in ``argv`` (the top-level parser has no options but -h)."""
    for token in argv:
        if token.startswith("-"):
            return None
        return token if token in COMMANDS else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for ``argv``: the full parser of the command named there, a light entry
    (name and help) for every other command."""
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Orderflow: customize the whole order workflow without code.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    name = _selected(sys.argv[1:] if argv is None else argv)
    if name is not None:
        module = importlib.import_module(f"{__name__}.{COMMANDS[name].module}")
        module.register(subparsers)
    for other, command in COMMANDS.items():
        if other not in subparsers.choices:
            subparsers.add_parser(other, help=command.help, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except ImportRejected as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for row_error in exc.errors:
            print(f"  {row_error}", file=sys.stderr)
        return 1
    except OrderflowError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a raw traceback (issue 11 defect 3)
        return _unexpected(exc)


def _unexpected(exc: Exception) -> int:
    """One clear line for what is not an OrderflowError; the traceback with ORDERFLOW_DEBUG=1."""
    import logging
    import os

    from sqlalchemy.exc import OperationalError

    if os.environ.get("ORDERFLOW_DEBUG") == "1":
        logging.getLogger("core.cli").exception("unexpected error")
    text = str(getattr(exc, "orig", None) or exc).lower()
    if isinstance(exc, OperationalError) and ("locked" in text or "busy" in text):
        print(
            "error: the database is busy (another process is writing to it). Nothing was "
            "changed: try again in a moment.",
            file=sys.stderr,
        )
    elif isinstance(exc, OperationalError):
        print(
            "error: the database could not be reached or refused the operation. Check "
            "ORDERFLOW_DATABASE_URL, then try again.",
            file=sys.stderr,
        )
    else:
        print(
            f"error: unexpected {type(exc).__name__}. Nothing was reported as done; run again "
            "with ORDERFLOW_DEBUG=1 to see the details.",
            file=sys.stderr,
        )
    return 1


if __name__ == "__main__":
    sys.exit(main())
