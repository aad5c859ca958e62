"""The README's "Bring your own data" commands work as written: each runs the virtual
environment's Python (no bare ``python`` that only works after activating it) and parses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from core.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Bring your own data.*?```bash\n(.*?)```", text, re.S)
    assert block, "the README lost its 'Bring your own data' section"
    return [line.split("  #")[0].strip() for line in block[1].splitlines() if line.strip()]


def test_every_command_uses_the_venv_and_parses() -> None:
    commands = _commands()
    assert len(commands) >= 5
    for command in commands:
        assert command.startswith(".venv/bin/python -m core "), command
        argv = shlex.split(command)[3:]
        parsed = build_parser(argv).parse_args(argv)
        assert parsed is not None, command
