"""The command line imports a command's module only when that command runs (core/cli/__init__.py).

Building the parser and printing help must import neither pandas, scipy nor streamlit; checked in
a fresh interpreter, since the test process itself has imported them long before.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.cli import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "scipy", "streamlit")

PROBE = """
import contextlib, io, json, sys
from core.cli import COMMANDS, build_parser, main

helps = {}
for argv in [["--help"]] + [[name, "--help"] for name in COMMANDS]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(argv)
        except SystemExit as exc:
            assert exc.code == 0, (argv, exc.code)
    helps[" ".join(argv)] = out.getvalue()
    build_parser(argv[:1])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pandas", "scipy", "streamlit"})
print(json.dumps({"heavy": heavy, "helps": helps}))
"""


def _probe(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_top_level_help_imports_no_command_module() -> None:
    result = _probe(
        "import contextlib, io, json, sys\n"
        "from core.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "mods = sorted(m for m in sys.modules if m.startswith('core.cli.') or\n"
        "              m.split('.')[0] in {'pandas', 'scipy', 'streamlit', 'sqlalchemy'})\n"
        "print(json.dumps({'modules': mods, 'help': out.getvalue()}))\n"
    )
    assert result["modules"] == []
    text = str(result["help"])
    for name, command in COMMANDS.items():
        assert f"    {name}" in text
        assert command.help.split()[0] in text


def test_every_command_help_and_parser_import_no_pandas_scipy_streamlit() -> None:
    result = _probe(PROBE)
    assert result["heavy"] == []
    helps = result["helps"]
    assert isinstance(helps, dict)
    assert "kpis" in helps["--help"] and "workflow" in helps["--help"]
    assert "--lift-window" in helps["kpis --help"]
    assert "{orders,lines,products,customers,reviews,shipments}" in helps["import --help"]
    assert "--interval" in helps["worker --help"]
    for name in COMMANDS:
        assert helps[f"{name} --help"].startswith(f"usage: python -m core {name}")


def _registered(module_name: str) -> dict[str, argparse.ArgumentParser]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(f"core.cli.{module_name}").register(sub)
    return dict(sub.choices)


@pytest.mark.parametrize("module_name", sorted({c.module for c in COMMANDS.values()}))
def test_registry_names_exactly_the_commands_each_module_registers(module_name: str) -> None:
    expected = {name for name, c in COMMANDS.items() if c.module == module_name}
    parsers = _registered(module_name)
    assert set(parsers) == expected
    for parser in parsers.values():
        assert parser.get_default("func") is not None or parser._subparsers is not None


def test_every_command_module_in_the_package_is_in_the_registry() -> None:
    modules = {p.stem for p in (ROOT / "core" / "cli").glob("*.py")} - {"__init__", "common"}
    assert modules == {c.module for c in COMMANDS.values()}


def test_choices_written_in_the_cli_equal_the_domain_constants() -> None:
    from core import csvout, exporting, importers
    from core.cli import data, engine_ops, kpis
    from core.engine import worker
    from core.metrics import workflows

    assert data.KINDS == importers.KINDS
    assert data.FORMATS == importers.FORMATS
    assert data.TABLES == exporting.TABLES
    assert tuple(csvout.DECIMALS) == data.DECIMALS
    assert engine_ops.INTERVAL_SECONDS == worker.INTERVAL_SECONDS
    assert kpis.DEFAULT_LIFT_WINDOW_DAYS == workflows.DEFAULT_LIFT_WINDOW_DAYS


def test_selected_command_gets_its_full_parser_the_others_a_light_entry() -> None:
    parser = build_parser(["kpis", "--json"])
    args = parser.parse_args(["kpis", "--json", "--since", "2024-01-01"])
    assert args.json is True and args.since == "2024-01-01" and callable(args.func)
    with pytest.raises(SystemExit) as exc, contextlib.redirect_stderr(io.StringIO()):
        parser.parse_args(["nosuch"])
    assert exc.value.code == 2


def test_unknown_command_is_a_usage_error() -> None:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc, contextlib.redirect_stderr(err):
        main(["nosuch"])
    assert exc.value.code == 2
    assert "invalid choice: 'nosuch'" in err.getvalue()
