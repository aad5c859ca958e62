"""`kpis [--since DATE] [--until DATE] [--json]` and `kpis --workflow ID [--json]`."""

from __future__ import annotations

import argparse
import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from core.cli.common import engine, print_json
from core.errors import ValidationError
from core.timeutil import parse_date

if TYPE_CHECKING:
    from core.metrics.types import Period

# core.metrics.workflows.DEFAULT_LIFT_WINDOW_DAYS (checked by tests/cli/test_lazy_cli.py)
DEFAULT_LIFT_WINDOW_DAYS = 60


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "kpis",
        help="print the KPIs (all data, or --since/--until), or one workflow's impact",
        description=(
            "KPIs over non-cancelled, non-test orders, one order per order id, in the store "
            "currency and time zone (definitions: docs/metrics.md). Without --since/--until: all "
            "data. With --workflow: that workflow's funnel, A/B branches and holdout lift."
        ),
    )
    p.add_argument("--since", help="first local date (YYYY-MM-DD), inclusive")
    p.add_argument("--until", help="last local date (YYYY-MM-DD), inclusive")
    p.add_argument("--workflow", type=int, metavar="ID", help="report on one workflow instead")
    p.add_argument(
        "--lift-window",
        type=int,
        default=DEFAULT_LIFT_WINDOW_DAYS,
        metavar="DAYS",
        help="days after entry over which holdout lift is measured (default 60)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_kpis)


def _date(value: str | None, name: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as exc:
        raise ValidationError(str(exc), field=name) from None


def _period(args: argparse.Namespace) -> Period | None:
    from core.metrics.types import Period

    since, until = _date(args.since, "--since"), _date(args.until, "--until")
    if since is None and until is None:
        return None
    return Period(since or dt.date(1970, 1, 1), until or dt.date(9999, 12, 31))


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


def _workflow(args: argparse.Namespace) -> dict[str, Any]:
    from core.metrics import workflows

    report = workflows.report(engine(), args.workflow, _period(args), args.lift_window)
    data: dict[str, Any] = _clean(
        {
            "workflow_id": report.workflow_id,
            "name": report.name,
            "funnel": report.funnel,
            "steps": report.steps.astype(object)
            .where(report.steps.notna(), None)
            .to_dict("records"),
            "branches": report.branches.astype(object)
            .where(report.branches.notna(), None)
            .to_dict("records"),
            "lift": report.lift.as_dict() if report.lift else None,
        }
    )
    return data


def _summary(args: argparse.Namespace) -> dict[str, Any]:
    if args.since is None and args.until is None:
        from core.fastkpis import kpi_summary_all_time

        return kpi_summary_all_time(engine())
    from core.metrics.summary import kpi_summary

    return kpi_summary(engine(), _period(args))


def cmd_kpis(args: argparse.Namespace) -> int:
    data = _workflow(args) if args.workflow is not None else _summary(args)
    if args.json:
        print_json(data)
        return 0
    for key, value in data.items():
        if isinstance(value, dict) and key in {"cohort_retention", "funnel", "lift"}:
            print(f"{key}:")
            for sub, item in value.items():
                print(f"  {sub:24} {item}")
        else:
            print(f"{key:28} {value}")
    return 0
