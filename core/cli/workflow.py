"""`workflow presets|list|create|import|export|validate|backtest|activate|pause`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.auth import Actor
from core.cli.common import print_json, print_table, transaction
from core.engine.presets import PRESETS
from core.errors import ValidationError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("workflow", help="create, check, backtest and run workflows")
    w = p.add_subparsers(dest="workflow_command", required=True, metavar="ACTION")
    c = w.add_parser("presets", help="list the ready workflows")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_presets)
    c = w.add_parser("list", help="list workflows")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_list)
    c = w.add_parser("create", help="create a workflow from a preset")
    c.add_argument("--preset", required=True, choices=sorted(PRESETS))
    c.add_argument("--activate", action="store_true", help="publish and activate it now")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_create)
    c = w.add_parser("import", help="create a workflow from exported JSON")
    c.add_argument("file", type=Path)
    c.add_argument("--activate", action="store_true")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_import)
    c = w.add_parser("export", help="print a workflow's definition as JSON")
    c.add_argument("id", type=int)
    c.set_defaults(func=cmd_export)
    c = w.add_parser("validate", help="check a JSON definition; prints every problem")
    c.add_argument("file", type=Path)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_validate)
    c = w.add_parser("backtest", help="replay the history through a workflow (FILE.json or ID)")
    c.add_argument("target")
    c.add_argument("--days", type=int, default=365)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_backtest)
    for name, text in (
        ("activate", "publish if needed and start enrolling"),
        ("pause", "stop enrolling and running steps"),
    ):
        c = w.add_parser(name, help=text)
        c.add_argument("id", type=int)
        c.set_defaults(func=cmd_activate if name == "activate" else cmd_pause)
    c = w.add_parser(
        "webhook-secret",
        help="show a webhook step's signing secret once, or --rotate it (the old one stops)",
    )
    c.add_argument("id", type=int, help="the workflow id")
    c.add_argument("step", help="the webhook step's id")
    c.add_argument("--rotate", action="store_true", help="make a new secret and show it once")
    c.set_defaults(func=cmd_webhook_secret)


def cmd_webhook_secret(args: argparse.Namespace) -> int:
    from core import audit
    from core.engine import lifecycle, webhooks

    with transaction() as session:
        wf = lifecycle.get(session, args.id)
        if args.rotate:
            secret: str | None = webhooks.rotate_secret(session, wf.id, args.step)
            audit.record(
                session, "cli", "workflow.webhook_secret_rotate", str(wf.id), {"step": args.step}
            )
        else:
            if args.step not in webhooks.webhook_step_ids(wf.draft):
                raise ValidationError(
                    f"Workflow {wf.name!r} has no webhook step {args.step!r}.", field="step"
                )
            webhooks.ensure_secrets(session, wf.id, [args.step])
            secret = webhooks.reveal(session, wf.id, args.step)
    if secret is None:
        print(
            "This secret was shown already and is not shown again. Use --rotate for a new one "
            "(update the receiver with it)."
        )
        return 0
    print(secret)
    print(
        "Verify X-Orderflow-Signature = 'sha256=' + hex HMAC-SHA256(body, this secret). "
        "It is not shown again.",
        file=sys.stderr,
    )
    return 0


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror}.", field="file") from None


def cmd_presets(args: argparse.Namespace) -> int:
    rows = [{"name": p.name, "description": p.description} for p in PRESETS.values()]
    print_json(rows) if args.json else print_table(rows)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from core.engine import lifecycle

    with transaction() as session:
        rows = lifecycle.list_workflows(session)
    print_json(rows) if args.json else print_table(rows)
    return 0


def _created(args: argparse.Namespace, wf_id: int, name: str, status: str) -> int:
    if args.json:
        print_json({"id": wf_id, "name": name, "status": status})
    else:
        print(f"workflow {wf_id} {name!r} created ({status})")
    return 0


def cmd_create(args: argparse.Namespace) -> int:
    from core.engine import lifecycle

    with transaction() as session:
        wf = lifecycle.create_from_preset(session, Actor.cli(), args.preset)
        if args.activate:
            lifecycle.activate(session, Actor.cli(), wf.id)
        result = (wf.id, wf.name, wf.status)
    return _created(args, *result)


def cmd_import(args: argparse.Namespace) -> int:
    from core.engine import lifecycle

    text = _read(args.file)
    with transaction() as session:
        wf = lifecycle.import_json(session, Actor.cli(), text)
        if args.activate:
            lifecycle.activate(session, Actor.cli(), wf.id)
        result = (wf.id, wf.name, wf.status)
    return _created(args, *result)


def cmd_export(args: argparse.Namespace) -> int:
    from core.engine import lifecycle

    with transaction() as session:
        print(lifecycle.export_json(session, Actor.cli(), args.id))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from core.engine import validate

    text = _read(args.file)
    with transaction() as session:
        problems = validate.validate(text, session)
    blocking = validate.errors(problems)
    if args.json:
        print_json(
            [
                {
                    "severity": p.severity,
                    "step": p.step,
                    "path": p.path,
                    "message": p.message,
                    "hint": p.hint,
                }
                for p in problems
            ]
        )
    else:
        for p in problems:
            print(f"{p.severity}: {p}")
        if not problems:
            print("ok: no problems")
    return 1 if blocking else 0


def cmd_backtest(args: argparse.Namespace) -> int:
    from core.engine import backtest, lifecycle, validate

    with transaction() as session:
        if args.target.isdigit():
            wf = lifecycle.get(session, int(args.target))
            # an imported draft may be invalid: a clear list of problems, not a KeyError
            definition, wf_id = validate.check(wf.draft, session), wf.id
        else:
            definition, wf_id = validate.check(_read(Path(args.target)), session), None
        report = backtest.backtest(session, definition, days=args.days, workflow_id=wf_id)
    summary = report.summary()
    if args.json:
        print_json(summary)
        return 0
    print(
        f"{summary['since'][:10]} .. {summary['until'][:10]}: triggered "
        f"{summary['triggered']}, enrolled {summary['enrolled']} (holdout "
        f"{summary['holdout']}), projected messages {summary['projected_messages']}, "
        f"projected issued value {summary['projected_issued_value']} {summary['currency']}"
    )
    for title, key in (
        ("branches", "branches"),
        ("messages", "messages"),
        ("overlap with active workflows", "overlap"),
    ):
        print(f"\n{title}:")
        print_table(summary[key])
    return 0


def cmd_activate(args: argparse.Namespace) -> int:
    from core.engine import lifecycle

    with transaction() as session:
        wf = lifecycle.activate(session, Actor.cli(), args.id)
        print(f"workflow {wf.id} active (version {wf.published_version})")
    return 0


def cmd_pause(args: argparse.Namespace) -> int:
    from core.engine import lifecycle

    with transaction() as session:
        wf = lifecycle.pause(session, Actor.cli(), args.id)
        print(f"workflow {wf.id} paused")
    return 0
