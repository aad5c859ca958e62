"""Webhook steps: the outbox of their calls, and each step's own signing secret.

A webhook step does not call anything: in the enrolment's transaction it queues a
``webhook_calls`` row (idempotent per enrolment and step). :func:`dispatch_due` claims due rows
(committed ``sending``), then for each one, with NO transaction open, POSTs it through
:mod:`core.outbound` (allow-list, pinned address, no redirects, total deadline) and records the
outcome in a second short transaction, with a run-log line that names the kind of failure only.

Each webhook step of a workflow signs with its own secret (``webhook_secrets``, keyed by
workflow and step id), generated when the workflow is saved with that step, shown once, and
rotatable; it is stored encrypted (:func:`core.security.encrypt_secret`, like a live source's
secret), it never sits in the workflow definition, and the store's master key signs nothing
that leaves the server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from core import outbound, security
from core import settings as store_settings
from core.engine.schema import WorkflowDefinition
from core.engine.sqlutil import insert_ignore, lock_skip_locked
from core.errors import AuthError, NotFound, OutboundError
from core.models import StepRun, WebhookCall, WebhookSecret, Workflow

log = logging.getLogger(__name__)
DEADLINE_SECONDS = 10.0
MAX_ATTEMPTS = 3
LEASE = dt.timedelta(minutes=2)
BATCH = 20
DELIVERY_REPORT_STEP = "delivery_report"
"""Calls without a workflow queued by :mod:`core.delivery.report`; signed with its secret."""
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def signature(secret: str, body: bytes) -> str:
    """The ``X-Orderflow-Signature`` header value: ``sha256=<hex HMAC of the body>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_step_ids(definition: dict[str, Any]) -> list[str]:
    steps = definition.get("steps") if isinstance(definition, dict) else None
    return [
        str(s.get("id"))
        for s in (steps if isinstance(steps, list) else [])
        if isinstance(s, dict) and s.get("type") == "webhook" and s.get("id")
    ]


def take_secrets(definition: WorkflowDefinition) -> tuple[WorkflowDefinition, dict[str, str]]:
    """The definition without any ``secret`` in its webhook steps (older exports carried
    one), and those secrets by step id, to be kept in ``webhook_secrets`` instead."""
    found = {
        s.id: str(s.params["secret"])
        for s in definition.steps
        if s.type == "webhook" and str(s.params.get("secret") or "")
    }
    if not any(s.type == "webhook" and "secret" in s.params for s in definition.steps):
        return definition, found
    steps = [
        s.model_copy(update={"params": {k: v for k, v in s.params.items() if k != "secret"}})
        if s.type == "webhook"
        else s
        for s in definition.steps
    ]
    return definition.model_copy(update={"steps": steps}), found


def keep_secrets(
    session: Session, workflow_id: int, given: dict[str, str], now: dt.datetime | None = None
) -> None:
    """Store secrets that came inside a definition (already known to their owner)."""
    now = now or dt.datetime.now(dt.UTC)
    for step_id, secret in given.items():
        session.execute(
            delete(WebhookSecret).where(
                WebhookSecret.workflow_id == workflow_id, WebhookSecret.step_id == step_id
            )
        )
        session.add(
            WebhookSecret(
                workflow_id=workflow_id,
                step_id=step_id,
                secret_encrypted=security.encrypt_secret(secret[:128]),
                created_at=now,
                revealed_at=now,
            )
        )
    session.flush()


def reveal(session: Session, workflow_id: int, step_id: str) -> str | None:
    """The step's secret if it was never shown (then it is marked shown), else None."""
    row = session.scalars(
        select(WebhookSecret).where(
            WebhookSecret.workflow_id == workflow_id, WebhookSecret.step_id == step_id
        )
    ).first()
    if row is None or row.revealed_at is not None:
        return None
    row.revealed_at = dt.datetime.now(dt.UTC)
    session.flush()
    return security.decrypt_secret(row.secret_encrypted)


def _stored_secret(session: Session, workflow_id: int, step_id: str) -> str | None:
    """The step's secret, or None when it has none or it cannot be read with the current
    ``ORDERFLOW_SECRET_KEY`` (the unreadable row is dropped: a new secret is made and shown
    once in the Builder, as for a step that never had one)."""
    row = session.scalars(
        select(WebhookSecret).where(
            WebhookSecret.workflow_id == workflow_id, WebhookSecret.step_id == step_id
        )
    ).first()
    if row is None:
        return None
    try:
        return security.decrypt_secret(row.secret_encrypted)
    except AuthError:
        log.warning("webhook step %s of workflow %s: secret unreadable, a new one is made",
                    step_id, workflow_id)  # fmt: skip
        session.delete(row)
        session.flush()
        return None


def ensure_secrets(
    session: Session, workflow_id: int, step_ids: list[str], now: dt.datetime | None = None
) -> dict[str, str]:
    """Create a secret for each webhook step that has none; the NEW ones (not yet shown)."""
    now = now or dt.datetime.now(dt.UTC)
    have = set(
        session.scalars(
            select(WebhookSecret.step_id).where(WebhookSecret.workflow_id == workflow_id)
        )
    )
    created = {sid: new_secret() for sid in dict.fromkeys(step_ids) if sid not in have}
    insert_ignore(
        session,
        WebhookSecret,
        [
            {
                "workflow_id": workflow_id,
                "step_id": sid,
                "secret_encrypted": security.encrypt_secret(s),
                "created_at": now,
            }
            for sid, s in created.items()
        ],
        ["workflow_id", "step_id"],
    )
    return created


def rotate_secret(session: Session, workflow_id: int, step_id: str) -> str:
    """A new secret for one webhook step (the old one stops signing at once); shown once."""
    wf = session.get(Workflow, workflow_id)
    if wf is None:
        raise NotFound(f"No workflow {workflow_id}.")
    if step_id not in webhook_step_ids(wf.draft) and not session.scalar(
        select(WebhookSecret.id).where(
            WebhookSecret.workflow_id == workflow_id, WebhookSecret.step_id == step_id
        )
    ):
        raise NotFound(
            f"Workflow {wf.name!r} has no webhook step {step_id!r}.",
            hint=f"Its webhook steps: {', '.join(webhook_step_ids(wf.draft)) or 'none'}.",
        )
    now = dt.datetime.now(dt.UTC)
    secret = new_secret()
    session.execute(
        delete(WebhookSecret).where(
            WebhookSecret.workflow_id == workflow_id, WebhookSecret.step_id == step_id
        )
    )
    session.add(
        WebhookSecret(
            workflow_id=workflow_id,
            step_id=step_id,
            secret_encrypted=security.encrypt_secret(secret),
            created_at=now,
            rotated_at=now,
            revealed_at=now,
        )
    )
    session.flush()
    return secret


def queue_call(
    session: Session,
    *,
    key: str,
    workflow_id: int,
    enrolment_id: int,
    step_id: str,
    customer_id: int,
    url: str,
    body: bytes,
    now: dt.datetime,
    is_demo: bool,
) -> None:
    """Queue one call in the caller's transaction (a second one with ``key`` is ignored)."""
    ensure_secrets(session, workflow_id, [step_id], now)
    row = {
        "idempotency_key": key,
        "workflow_id": workflow_id,
        "enrolment_id": enrolment_id,
        "step_id": step_id,
        "customer_id": customer_id,
        "url": url,
        "body": body.decode(),
        "state": "queued",
        "attempts": 0,
        "is_demo": is_demo,
        "due_at": now,
        "queued_at": now,
    }
    insert_ignore(session, WebhookCall, [row], ["idempotency_key"])


@dataclass
class WebhookStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Job:
    id: int
    key: str
    url: str
    body: bytes
    secret: str
    attempts: int


def claim(
    engine: Engine, worker: str, now: dt.datetime, limit: int = BATCH, lease: dt.timedelta = LEASE
) -> tuple[list[_Job], str]:
    """Mark due calls ``sending`` and commit; the jobs and the owner's allow-list."""
    with Session(engine) as session, session.begin():
        due = or_(
            and_(WebhookCall.state == "queued", WebhookCall.due_at <= now),
            and_(WebhookCall.state == "sending", WebhookCall.sending_at < now - lease),
        )
        inner = lock_skip_locked(
            select(WebhookCall.id).where(due).order_by(WebhookCall.due_at).limit(limit), session
        )
        ids = list(
            session.scalars(
                update(WebhookCall)
                .where(WebhookCall.id.in_(inner.scalar_subquery()))
                .values(state="sending", sending_at=now, claimed_by=worker)
                .returning(WebhookCall.id),
                execution_options={"synchronize_session": False},
            )
        )
        if not ids:
            return [], ""
        jobs: list[_Job] = []
        for call in session.scalars(select(WebhookCall).where(WebhookCall.id.in_(ids))):
            secret = None
            if call.workflow_id is not None:
                secret = _stored_secret(session, call.workflow_id, call.step_id)
            if call.workflow_id is None and call.step_id == DELIVERY_REPORT_STEP:
                from core.delivery import config as delivery_config

                secret = delivery_config.load(session).report_secret
            elif secret is None and call.workflow_id is not None:
                secret = ensure_secrets(session, call.workflow_id, [call.step_id], now)[
                    call.step_id
                ]
            body = call.body.encode()
            jobs.append(
                _Job(call.id, call.idempotency_key, call.url, body, secret or "", call.attempts)
            )
        allowed = store_settings.load(session).outbound_allowed_hosts
        return sorted(jobs, key=lambda j: j.id), allowed


def _outcome(job: _Job, now: dt.datetime, allowed: str) -> tuple[str, dict[str, object], str]:
    """The new state, the columns to set and the run-log text, after one attempt."""
    attempts = job.attempts + 1
    error: OutboundError | None = None
    status: int | None = None
    try:
        answer = outbound.post_json(
            job.url,
            data=job.body,
            headers={
                "X-Orderflow-Signature": signature(job.secret, job.body),
                "X-Orderflow-Idempotency-Key": job.key,
            },
            allowed_hosts=outbound.parse_allowed_hosts(allowed),
            deadline=DEADLINE_SECONDS,
            max_bytes=64 * 1024,
        )
        status = answer.status
    except OutboundError as exc:
        error = exc
    if error is None and status is not None and 200 <= status < 300:
        return "sent", {"sent_at": now, "status_code": status}, f"webhook answered {status}"
    if error is None:
        error = OutboundError(
            f"HTTP {status}"
            + (" (redirects are not followed)" if 300 <= (status or 0) < 400 else ""),
            status=status,
        )
    reason = error.message
    retry = not error.refused and (error.status is None or error.status in RETRY_STATUSES)
    if retry and attempts < MAX_ATTEMPTS:
        due = now + dt.timedelta(minutes=2**attempts)
        return (
            "queued",
            {"due_at": due, "status_code": status, "last_error": reason},
            f"webhook attempt {attempts} failed: {reason} Next attempt at {due:%Y-%m-%d %H:%M} UTC.",
        )
    return (
        "failed",
        {"failed_at": now, "status_code": status, "last_error": reason},
        f"webhook failed after {attempts} attempt{'s' if attempts > 1 else ''}: {reason}",
    )


def send_one(engine: Engine, job: _Job, worker: str, now: dt.datetime, allowed: str) -> str:
    """Send one claimed call (no transaction open during the call), record it; its state."""
    state, values, note = _outcome(job, now, allowed)
    with Session(engine) as session, session.begin():
        done = session.execute(
            update(WebhookCall)
            .where(
                WebhookCall.id == job.id,
                WebhookCall.state == "sending",
                WebhookCall.claimed_by == worker,
            )
            .values(state=state, attempts=job.attempts + 1, **values),
            execution_options={"synchronize_session": False},
        )
        call = session.get(WebhookCall, job.id)
        if getattr(done, "rowcount", 1) and call is not None and call.enrolment_id is not None:
            outcome = {"sent": "done", "queued": "waiting"}.get(state, "failed")
            session.add(
                StepRun(
                    enrolment_id=call.enrolment_id,
                    step_id=call.step_id,
                    kind="webhook",
                    outcome=outcome,
                    detail=note[:2000],
                    at=now,
                )
            )
    return state


def dispatch_due(
    engine: Engine, now: dt.datetime, worker: str, limit: int = BATCH, lease: dt.timedelta = LEASE
) -> WebhookStats:
    """Send every due webhook call once (claimed in batches); what happened."""
    stats = WebhookStats()
    while True:
        jobs, allowed = claim(engine, worker, now, limit, lease)
        if not jobs:
            return stats
        stats.claimed += len(jobs)
        for job in jobs:
            state = send_one(engine, job, worker, now, allowed)
            if state == "sent":
                stats.sent += 1
            elif state == "queued":
                stats.retried += 1
            else:
                stats.failed += 1
        if len(jobs) < limit:
            return stats
