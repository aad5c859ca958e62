"""The run log of a customer or an order: workflows entered, each step, what was sent or
skipped and why, with timestamps, oldest first."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.errors import NotFound
from core.models import Customer, Enrolment, Message, Order, StepRun, Workflow

COLUMNS = ["at", "workflow", "enrolment", "step", "kind", "outcome", "detail"]


def find_customer(session: Session, email: str) -> Customer:
    found = session.scalars(
        select(Customer).where(func.lower(Customer.email) == email.strip().lower()).limit(1)
    ).first()
    if found is None:
        raise NotFound(f"No customer with email {email!r}.")
    return found


def find_order(session: Session, ref: str) -> Order:
    found = session.scalars(
        select(Order).where(or_(Order.external_id == ref, Order.number == ref)).limit(1)
    ).first()
    if found is None:
        raise NotFound(f"No order {ref!r}.", hint="Use the order id or number.")
    return found


def run_log(
    session: Session, *, customer_id: int | None = None, order_id: int | None = None
) -> pd.DataFrame:
    """Every enrolment event, step run and message of a customer or order, by time."""
    stmt = select(Enrolment, Workflow.name).join(Workflow, Workflow.id == Enrolment.workflow_id)
    if customer_id is not None:
        stmt = stmt.where(Enrolment.customer_id == customer_id)
    if order_id is not None:
        stmt = stmt.where(Enrolment.order_id == order_id)
    rows: list[dict[str, object]] = []
    enrolments = {e.id: (e, name) for e, name in session.execute(stmt).all()}
    for e, name in enrolments.values():
        note = f"trigger {e.trigger} at {e.trigger_at:%Y-%m-%d %H:%M} UTC, version {e.version}"
        if e.is_holdout:
            note += ", holdout group (receives nothing)"
        rows.append(
            {
                "at": e.entered_at,
                "workflow": name,
                "enrolment": e.id,
                "step": "",
                "kind": "entered",
                "outcome": e.status,
                "detail": note,
            }
        )
        if e.exit_reason:
            rows.append(
                {
                    "at": e.completed_at or e.entered_at,
                    "workflow": name,
                    "enrolment": e.id,
                    "step": e.current_step_id or "",
                    "kind": "exit",
                    "outcome": e.status,
                    "detail": e.exit_reason,
                }
            )
    if enrolments:
        for run in session.scalars(select(StepRun).where(StepRun.enrolment_id.in_(enrolments))):
            rows.append(
                {
                    "at": run.at,
                    "workflow": enrolments[run.enrolment_id][1],
                    "enrolment": run.enrolment_id,
                    "step": run.step_id,
                    "kind": run.kind,
                    "outcome": run.outcome,
                    "detail": run.detail or "",
                }
            )
        for m in session.scalars(select(Message).where(Message.enrolment_id.in_(enrolments))):
            at = m.sent_at or m.suppressed_at or m.failed_at or m.queued_at
            why = m.suppression_reason or m.last_error or m.to_address or ""
            rows.append(
                {
                    "at": at,
                    "workflow": enrolments[m.enrolment_id or 0][1],
                    "enrolment": m.enrolment_id,
                    "step": m.step_id or "",
                    "kind": f"message {m.template_name or ''}".strip(),
                    "outcome": m.state,
                    "detail": why,
                }
            )
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["at", "enrolment"], kind="stable").reset_index(drop=True)
