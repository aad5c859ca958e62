"""Backtest: replay the order history through a workflow, vectorised (SQL + pandas).

Who would have entered (trigger and entry conditions, once per order unless re-entry is
allowed), by week; how many reach each step and take each path of a branch or split; the
messages that would have gone out after the holdout, consent and the frequency cap; the overlap
with the other active workflows; and the projected issued value of the coupons (issued under the
budget cap by the live engine's rule, :mod:`core.engine.coupon_cap`, in the order customers reach
the step; several coupon steps share the workflow's issued value). Assumptions: waits add their
duration (a time-of-day wait adds none); a wait for an event takes the event path when the
order has that event at any time; the "still true?" filter and exit conditions are not replayed
(they depend on the future of each enrolment); consent is the customer's current one (all
marketing, and the template's purpose: a customer who turned it off in the email settings counts
as ``no_consent``).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from core import preferences
from core import settings as store_settings
from core.engine import context, coupon_cap, sqlcond
from core.engine.admit import eval_context
from core.engine.conditions import evaluate_frame, fields_used
from core.engine.holdout import _mix_array, holdout_mask
from core.engine.registry import TRIGGERS
from core.engine.schema import Step, WorkflowDefinition
from core.engine.sqlutil import frame_of
from core.models import Enrolment, MessageTemplate, TemplateTranslation, Workflow

SQLITE_MMAP = 1 << 30


@dataclass
class BacktestReport:
    since: dt.datetime
    until: dt.datetime
    triggered: int
    enrolled: int
    holdout: int
    by_week: pd.DataFrame
    steps: pd.DataFrame
    branches: pd.DataFrame
    messages: pd.DataFrame
    overlap: pd.DataFrame
    projected_issued_value: Decimal
    """Value of the coupons the steps would have issued under their budget caps (the same rule
    as the live engine, :mod:`core.engine.coupon_cap`); not what redeemed coupons cost."""
    currency: str
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "triggered": self.triggered,
            "enrolled": self.enrolled,
            "holdout": self.holdout,
            "projected_messages": int(self.messages["projected"].sum())
            if len(self.messages)
            else 0,
            "projected_issued_value": str(self.projected_issued_value),
            "currency": self.currency,
            "by_week": [
                {"week": str(w), "enrolments": int(n)}
                for w, n in zip(self.by_week["week"], self.by_week["enrolments"], strict=True)
            ],
            "steps": self.steps.to_dict("records"),
            "branches": self.branches.to_dict("records"),
            "messages": self.messages.to_dict("records"),
            "overlap": self.overlap.to_dict("records"),
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }


def _frame(session: Session, sql: str, params: dict[str, Any]) -> pd.DataFrame:
    result = session.connection().execute(text(sql), params)
    return frame_of(result)


def _bind(session: Session, moment: dt.datetime) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return moment.astimezone(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    return moment


def _event_rows(
    session: Session, types: list[str], since: dt.datetime, until: dt.datetime
) -> pd.DataFrame:
    sql = (
        "SELECT id AS event_id, order_id, customer_id, type AS event_type, occurred_at "
        "FROM order_events WHERE occurred_at >= :a AND occurred_at < :b AND type IN ("
        + ", ".join(f"'{t}'" for t in types)
        + ")"
    )
    rows = _frame(session, sql, {"a": _bind(session, since), "b": _bind(session, until)})
    rows["occurred_at"] = pd.to_datetime(rows["occurred_at"], utc=True, format="ISO8601")
    return rows


def _time_rows(
    session: Session, trigger: Any, since: dt.datetime, until: dt.datetime
) -> pd.DataFrame:
    if trigger.type == "no_order_for_days":
        gap = pd.Timedelta(days=int(trigger.params.get("days", 90)))
        orders = _frame(session, "SELECT id AS order_id, customer_id, placed_at FROM orders", {})
        orders["placed_at"] = pd.to_datetime(orders["placed_at"], utc=True, format="ISO8601")
        orders = orders.sort_values(["customer_id", "placed_at"])
        following = orders.groupby("customer_id")["placed_at"].shift(-1)
        fire = orders["placed_at"] + gap
        ok = (
            (following.isna() | (following > fire))
            & (fire >= pd.Timestamp(since))
            & (fire < pd.Timestamp(until))
        )
        rows = orders[ok].assign(occurred_at=fire[ok], event_type=None)
    else:
        grace = pd.Timedelta(hours=float(trigger.params.get("grace_hours", 0) or 0))
        orders = _frame(
            session,
            "SELECT o.id AS order_id, o.customer_id, o.promised_delivery_at,"
            " o.cancelled_at, MIN(e.occurred_at) AS delivered_at FROM orders o "
            "LEFT JOIN order_events e ON e.order_id = o.id AND e.type IN "
            "('delivered', 'picked_up') WHERE o.promised_delivery_at IS NOT NULL "
            "GROUP BY o.id, o.customer_id, o.promised_delivery_at, o.cancelled_at",
            {},
        )
        promised = pd.to_datetime(orders["promised_delivery_at"], utc=True, format="ISO8601")
        delivered = pd.to_datetime(orders["delivered_at"], utc=True, format="ISO8601")
        fire = promised + grace
        ok = (
            orders["cancelled_at"].isna()
            & (delivered.isna() | (delivered > fire))
            & (fire >= pd.Timestamp(since))
            & (fire < pd.Timestamp(until))
        )
        rows = orders[ok].assign(occurred_at=fire[ok], event_type=None)
    return rows[["order_id", "customer_id", "event_type", "occurred_at"]].assign(event_id=-1)


def triggered_rows(
    session: Session, d: WorkflowDefinition, since: dt.datetime, until: dt.datetime
) -> pd.DataFrame:
    """Every trigger occurrence in the period, with ``order.sequence`` when a trigger needs it."""
    parts = []
    for trig in d.triggers:
        spec = TRIGGERS[trig.type]
        if spec.kind == "time":
            parts.append(_time_rows(session, trig, since, until).assign(_trigger=trig.type))
        else:
            rows = _event_rows(session, [spec.event or ""], since, until)
            parts.append(rows.assign(_trigger=trig.type))
    if not parts:
        return pd.DataFrame(columns=[*context.EVENT_COLUMNS, "_trigger"])
    rows = pd.concat(parts, ignore_index=True)
    rows["as_of"] = rows["occurred_at"]
    rows["trigger_at"] = rows["occurred_at"]
    return rows


def _wanted(d: WorkflowDefinition) -> set[str]:
    wanted = fields_used(d.entry)
    for s in d.steps:
        wanted |= fields_used(s.condition)
    wanted.add("order.total")
    if any(t.type in ("first_order", "nth_order") for t in d.triggers):
        wanted.add("order.sequence")
    return wanted


def _sql_entered(
    session: Session,
    d: WorkflowDefinition,
    since: dt.datetime,
    until: dt.datetime,
    st: store_settings.StoreSettings,
) -> tuple[pd.DataFrame, int] | None:
    """Entry evaluated inside the database (event triggers, column fields): only the rows
    that enter are read. None when the workflow needs the pandas path."""
    specs = [TRIGGERS[t.type] for t in d.triggers]
    if not specs or any(spec.kind != "event" for spec in specs):
        return None
    b = sqlcond.SqlBuilder(eval_context(until, st), session.get_bind().dialect.name)
    where = sqlcond.compile_sql(d.entry, b)
    if where is None:
        return None
    wanted = _wanted(d)
    in_sql = sorted(f for f in wanted if sqlcond.supported(f))
    extra = "".join(f', {b.expr(f)} AS "{f}"' for f in in_sql)
    types = ", ".join(b.bind(spec.event) for spec in specs)
    period = (
        f"WHERE e.type IN ({types}) AND e.occurred_at >= {b.bind(pd.Timestamp(since))} "
        f"AND e.occurred_at < {b.bind(pd.Timestamp(until))}"
    )
    conn = session.connection()
    triggered = int(
        conn.execute(text(f"SELECT COUNT(*) FROM order_events e {period}"), b.params).scalar() or 0
    )
    if b.dialect == "sqlite":  # scan orders in order, look events up by their order_id
        conn.exec_driver_sql(f"PRAGMA mmap_size={SQLITE_MMAP}")
        source = "orders o CROSS JOIN order_events e ON e.order_id = o.id"
        # the unary + keeps SQLite off the (type, occurred_at) index for the inner lookup:
        # a range scan of a year of events for every order instead of an order_id lookup
        period = period.replace("e.type IN", "+e.type IN").replace(
            "e.occurred_at", "+e.occurred_at"
        )
    else:
        source = "order_events e JOIN orders o ON o.id = e.order_id"
    if "c." in where or "c." in extra:
        source += " JOIN customers c ON c.id = o.customer_id"
    rows = frame_of(
        conn.execute(
            text(
                "SELECT e.id AS event_id, e.order_id, e.customer_id, e.type AS event_type, "
                f"e.occurred_at{extra} FROM {source} {period} AND {where}"
            ),
            b.params,
        )
    )
    rows["occurred_at"] = pd.to_datetime(rows["occurred_at"], utc=True, format="ISO8601")
    for name in in_sql:
        rows[name] = _typed(rows[name], name)
    by_event = {spec.event: t.type for spec, t in zip(specs, d.triggers, strict=True)}
    rows["_trigger"] = rows["event_type"].map(by_event)
    rows["as_of"] = rows["trigger_at"] = rows["occurred_at"]
    rows = rows.sort_values("occurred_at", kind="stable")
    if not d.allow_reentry:
        rows = rows.drop_duplicates("order_id", keep="first")
    rest = wanted - set(in_sql)
    if rest and len(rows):
        rows = context.enrich(session, rows, st, rest, whole_table=len(rows) > 200_000)
    return rows.reset_index(drop=True), triggered


def _typed(column: pd.Series, name: str) -> pd.Series:
    from core.engine.registry import FIELDS

    kind = FIELDS[name].kind
    if kind == "date":
        return pd.to_datetime(column, utc=True, format="ISO8601")
    if kind in ("money", "number", "days"):
        return pd.to_numeric(column, errors="coerce").astype("float64")
    if kind == "bool":
        return column.map(lambda v: None if v is None else bool(v))
    if kind == "choice":
        return context.choice_column(column)
    return column.astype(object).where(column.notna(), None)


def entered(
    session: Session,
    d: WorkflowDefinition,
    since: dt.datetime,
    until: dt.datetime,
    st: store_settings.StoreSettings,
    use_sql: bool = True,
) -> tuple[pd.DataFrame, int]:
    """The rows that would have enrolled, with every field the workflow reads, and the number
    of trigger occurrences. The entry conditions run in SQL when they can (``use_sql``)."""
    if use_sql:
        found = _sql_entered(session, d, since, until, st)
        if found is not None:
            return found
    rows = triggered_rows(session, d, since, until)
    wanted = _wanted(d)
    frame = context.enrich(session, rows, st, wanted, whole_table=len(rows) > 20_000)
    seq = pd.Series(True, index=frame.index)
    for trig in d.triggers:
        if trig.type in ("first_order", "nth_order"):
            n = 1 if trig.type == "first_order" else int(trig.params.get("n", 2))
            seq &= ~(frame["_trigger"] == trig.type) | (frame["order.sequence"] == n)
    frame = frame[seq & evaluate_frame(d.entry, frame, eval_context(until, st))]
    frame = frame.sort_values("occurred_at", kind="stable")
    if not d.allow_reentry:
        frame = frame.drop_duplicates("order_id", keep="first")
    return frame.reset_index(drop=True), len(rows)


def _split_pick(rows: pd.DataFrame, step: Step) -> np.ndarray:
    weights = np.array([max(0, p.weight) for p in step.paths], dtype=np.int64)
    salt = np.uint64(abs(hash(step.id)) % (2**32))
    keys = _mix_array(
        rows["order_id"].fillna(0).astype("int64").to_numpy().astype(np.uint64) ^ salt
    )
    ticket = (keys % np.uint64(max(1, int(weights.sum())))).astype(np.int64)
    return np.searchsorted(np.cumsum(weights), ticket, side="right")


def walk(
    session: Session,
    d: WorkflowDefinition,
    frame: pd.DataFrame,
    st: store_settings.StoreSettings,
    until: dt.datetime,
    issued_value: list[Decimal] | None = None,
) -> tuple[dict[str, pd.DataFrame], list[dict[str, Any]]]:
    """Rows reaching each step (with their send time), and branch/split/coupon path counts;
    ``issued_value[0]`` ends as the value of the coupons issued."""
    reached: dict[str, pd.DataFrame] = {}
    paths: list[dict[str, Any]] = []
    coupons = issued_value if issued_value is not None else [Decimal(0)]
    queue: list[tuple[str | None, pd.DataFrame]] = [
        (d.first_step_id(), frame.assign(_at=frame["occurred_at"], _coupon=False))
    ]
    ctx = eval_context(until, st)
    while queue:
        step_id, rows = queue.pop(0)
        step = d.step(step_id)
        if step is None or rows.empty:
            continue
        reached[step.id] = pd.concat([reached[step.id], rows]) if step.id in reached else rows
        if step.type == "wait":
            p = step.params
            delay = pd.Timedelta(
                days=float(p.get("days") or 0),
                hours=float(p.get("hours") or 0),
                minutes=float(p.get("minutes") or 0),
            )
            queue.append((step.next, rows.assign(_at=rows["_at"] + delay)))
        elif step.type == "branch":
            yes = evaluate_frame(step.condition, rows, ctx)
            paths += [
                {"step_id": step.id, "path": "yes", "count": int(yes.sum())},
                {"step_id": step.id, "path": "no", "count": int((~yes).sum())},
            ]
            queue += [(step.next, rows[yes]), (step.alt_next, rows[~yes])]
        elif step.type == "split":
            pick = _split_pick(rows, step)
            for i, path in enumerate(step.paths):
                chosen = rows[pick == i]
                paths.append({"step_id": step.id, "path": path.name, "count": len(chosen)})
                queue.append((path.next, chosen))
        elif step.type == "issue_coupon":
            issued = _issue_coupons(step, rows, coupons)
            paths += [
                {"step_id": step.id, "path": "issued", "count": int(issued.sum())},
                {"step_id": step.id, "path": "not issued", "count": int((~issued).sum())},
            ]
            rows = rows.assign(_coupon=rows["_coupon"] | issued)
            if step.alt_next:
                queue += [(step.next, rows[issued]), (step.alt_next, rows[~issued])]
            else:
                queue.append((step.next, rows))
        elif step.type == "wait_event":
            happened = _orders_with_event(session, str(step.params.get("event")))
            hit = rows["order_id"].isin(happened)
            paths += [
                {"step_id": step.id, "path": "event", "count": int(hit.sum())},
                {"step_id": step.id, "path": "timeout", "count": int((~hit).sum())},
            ]
            timeout = pd.Timedelta(days=float(step.params.get("timeout_days") or 0))
            queue += [
                (step.next, rows[hit]),
                (step.alt_next, rows[~hit].assign(_at=rows.loc[~hit, "_at"] + timeout)),
            ]
        else:
            queue.append((step.next, rows))
    return reached, paths


def _orders_with_event(session: Session, event: str) -> set[int]:
    rows = session.connection().execute(
        text("SELECT DISTINCT order_id FROM order_events WHERE type = :t"), {"t": event}
    )
    return {int(r[0]) for r in rows}


def _messages(
    session: Session,
    d: WorkflowDefinition,
    reached: dict[str, pd.DataFrame],
    st: store_settings.StoreSettings,
) -> pd.DataFrame:
    parts = [rows["customer_id"].to_numpy(dtype=np.int64) for rows in reached.values()]
    reached_ids = np.unique(np.concatenate(parts)) if parts else np.array([], dtype=np.int64)
    consent = _consent(session, reached_ids).set_index("customer_id")
    categories = dict(session.execute(select(MessageTemplate.name, MessageTemplate.category)).all())
    purposes = dict(session.execute(select(MessageTemplate.name, MessageTemplate.purpose)).all())
    rows, marketing_parts = [], []
    for step in d.steps:
        if step.type != "send_email" or step.id not in reached:
            continue
        sent = reached[step.id]
        treated = sent[~sent["_holdout"]]
        name = str(step.params.get("template"))
        category = categories.get(name, "transactional")
        info = consent.reindex(treated["customer_id"])
        has_email = info["email"].notna().to_numpy()
        ok = has_email.copy()
        no_coupon = 0
        if _shows_coupon(session, name):  # suppressed as coupon_unavailable, like the engine
            without = ~treated["_coupon"].to_numpy(dtype=bool)
            no_coupon = int((has_email & without).sum())
            ok &= ~without
        no_consent = 0
        if category == "marketing":
            purpose = preferences.purpose_of(category, purposes.get(name))
            allowed = (
                info["marketing_consent"].fillna(False).astype(bool)
                & info["unsubscribed_at"].isna()
                & ~info["opted_out"].map(partial(_opted_out, purpose)).astype(bool)
            ).to_numpy()
            no_consent = int((ok & ~allowed).sum())
            ok &= allowed
            marketing_parts.append(treated[ok].assign(_step=step.id))
        rows.append(
            {
                "step_id": step.id,
                "template": name,
                "category": category,
                "reached": len(sent),
                "holdout": int(sent["_holdout"].sum()),
                "no_email": int((~has_email).sum()),
                "coupon_unavailable": no_coupon,
                "no_consent": no_consent,
                "frequency_cap": 0,
                "projected": int(ok.sum()),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "step_id",
            "template",
            "category",
            "reached",
            "holdout",
            "no_email",
            "coupon_unavailable",
            "no_consent",
            "frequency_cap",
            "projected",
        ],
    )
    if marketing_parts and st.frequency_cap_count:
        capped = _capped(pd.concat(marketing_parts), st)
        for step_id, n in capped.items():
            table.loc[table["step_id"] == step_id, "frequency_cap"] = n
            table.loc[table["step_id"] == step_id, "projected"] -= n
    return table


def _opted_out(purpose: str | None, value: object) -> bool:
    return purpose in _listed(value)


def _listed(value: object) -> list[str]:
    """``customers.opted_out`` as read: a list (PostgreSQL), JSON text (SQLite) or NULL."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value.startswith("["):
        return [str(v) for v in json.loads(value)]
    return []


def _shows_coupon(session: Session, template: str) -> bool:
    """Does the template use ``coupon`` (so the engine suppresses it without one)?"""
    from core.engine.steps import uses_coupon
    from core.messaging.render import compiled_translation

    translation = session.scalars(
        select(TemplateTranslation)
        .join(MessageTemplate, MessageTemplate.id == TemplateTranslation.template_id)
        .where(MessageTemplate.name == template)
        .limit(1)
    ).first()
    return translation is not None and uses_coupon(compiled_translation(translation).variables)


def _consent(session: Session, ids: np.ndarray) -> pd.DataFrame:
    """Consent (all marketing, and the purposes turned off), unsubscription and email of these
    customers, the ids passed as ONE value (a JSON array on SQLite, an array on PostgreSQL)
    instead of tens of thousands of binds."""
    columns = "id AS customer_id, marketing_consent, unsubscribed_at, email, opted_out"
    if session.get_bind().dialect.name == "sqlite":
        sql = f"SELECT {columns} FROM customers WHERE id IN (SELECT value FROM json_each(:ids))"
        value: Any = json.dumps(ids.tolist())
    else:
        sql = f"SELECT {columns} FROM customers WHERE id = ANY(:ids)"
        value = ids.tolist()
    return frame_of(session.connection().execute(text(sql), {"ids": value}))


def _capped(sends: pd.DataFrame, st: store_settings.StoreSettings) -> pd.Series:
    """Marketing sends over the cap per customer and cap window (this workflow alone); a cap
    of 0 is off. Sends of several email steps may share index labels: rank them by position."""
    if st.frequency_cap_count <= 0 or sends.empty:
        return pd.Series(dtype="int64")
    sends = sends.reset_index(drop=True)
    epoch = pd.Timestamp(0, tz=sends["_at"].dt.tz)  # any datetime unit (us in pandas 3)
    window = (sends["_at"] - epoch) // pd.Timedelta(days=st.frequency_cap_days)
    ordered = sends.assign(_w=window.to_numpy()).sort_values("_at", kind="stable")
    rank = ordered.groupby(["customer_id", "_w"]).cumcount()
    return ordered[rank >= st.frequency_cap_count].groupby("_step").size()


def _overlap(
    session: Session, frame: pd.DataFrame, workflow_id: int | None, since: dt.datetime
) -> pd.DataFrame:
    customers = set(int(c) for c in frame["customer_id"].unique())
    stmt = (
        select(Enrolment.workflow_id, Workflow.name, Enrolment.customer_id)
        .join(Workflow, Workflow.id == Enrolment.workflow_id)
        .where(Workflow.status == "active", Enrolment.entered_at >= since)
    )
    if workflow_id is not None:
        stmt = stmt.where(Enrolment.workflow_id != workflow_id)
    rows = pd.DataFrame(session.execute(stmt).all(), columns=["workflow_id", "name", "customer_id"])
    rows = rows[rows["customer_id"].isin(customers)]
    if rows.empty:
        return pd.DataFrame(columns=["workflow_id", "name", "shared_customers"])
    out = rows.groupby(["workflow_id", "name"])["customer_id"].nunique()
    return out.rename("shared_customers").reset_index()


def _issue_coupons(step: Step, rows: pd.DataFrame, issued: list[Decimal]) -> pd.Series:
    """Which rows get a coupon at this step, decided in the order they reach it with the live
    engine's rule (:func:`core.engine.coupon_cap.issue_in_order`); ``issued[0]`` carries the
    workflow's issued value across its coupon steps. Holdout rows get none (and are counted
    neither as issued nor as not issued)."""
    p = step.params
    kind, value = str(p.get("kind", "percent")), Decimal(str(p.get("value", 10)))
    treated = rows[~rows["_holdout"]].sort_values("_at", kind="stable")
    totals = treated["order.total"] if "order.total" in treated else [None] * len(treated)
    values = [coupon_cap.coupon_value(kind, value, t) for t in totals]
    decisions, issued[0] = coupon_cap.issue_in_order(values, coupon_cap.budget_cap(p), issued[0])
    issued_by_index = pd.Series(decisions, index=treated.index, dtype=bool)
    return issued_by_index.reindex(rows.index, fill_value=False)


def _path_counts(paths: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(paths, columns=["step_id", "path", "count"])
    summed = frame.groupby(["step_id", "path"], sort=False)["count"].sum()
    return summed.reset_index()


def backtest(
    session: Session,
    definition: WorkflowDefinition,
    *,
    days: int = 365,
    now: dt.datetime | None = None,
    workflow_id: int | None = None,
) -> BacktestReport:
    """Replay the last ``days`` days of history through ``definition``."""
    started = time.perf_counter()
    until = now or dt.datetime.now(dt.UTC)
    since = until - dt.timedelta(days=days)
    st = store_settings.load(session)
    frame, triggered = entered(session, definition, since, until, st)
    frame["_holdout"] = holdout_mask(
        workflow_id or 0, np.asarray(frame["customer_id"], dtype=np.int64), definition.holdout_pct
    )
    issued = [Decimal(0)]
    reached, paths = walk(session, definition, frame, st, until, issued)
    t_enrol = time.perf_counter() - started
    local = frame["occurred_at"].dt.tz_convert(st.tz)
    week = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
    by_week = (
        week.value_counts().sort_index().rename_axis("week").rename("enrolments").reset_index()
    )
    steps = pd.DataFrame(
        [
            {"step_id": s.id, "type": s.type, "reached": len(reached.get(s.id, []))}
            for s in definition.steps
        ],
        columns=["step_id", "type", "reached"],
    )
    report = BacktestReport(
        since,
        until,
        triggered,
        len(frame),
        int(frame["_holdout"].sum()),
        by_week,
        steps,
        _path_counts(paths),
        _messages(session, definition, reached, st),
        _overlap(session, frame, workflow_id, since),
        issued[0].quantize(Decimal("0.01")),
        st.currency,
    )
    report.timings = {
        "enrolments_and_branches": t_enrol,
        "full_report": time.perf_counter() - started,
    }
    return report
