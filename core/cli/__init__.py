"""`python -m core COMMAND ...`: the operator's command line.

Every module in this package that defines ``register(subparsers)`` adds its commands; a command
sets ``func`` (``(args) -> int``) on its parser. Exit codes: 0 ok, 1 bad input (any
``OrderflowError``, printed without a traceback), 2 usage. The CLI acts as actor ``cli``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from core.errors import ImportRejected, OrderflowError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m core",
        description="Orderflow: customize the whole order workflow without code.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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


if __name__ == "__main__":
    sys.exit(main())
