"""Frames of the demo workflows' history: enrolments, step runs, messages (with the dispatch
policy applied at send time) and coupons, with the real ids the engine would have used."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from core.demo.flows import COUPON_VALUE, Coupons
from core.demo.frames import NONE, NULL, Frame
from core.demo.journeys import Journeys, quiet_until
from core.demo.people import LOCALES, People
from core.models import Coupon, Enrolment, Message, StepRun

PRIORITY = {"review_request": 50, "second_order_thank_you": 40}
REDEEM_SHARE = 0.3
"""Share of natural next orders within a coupon's validity that use it (planted ones always do)."""


def redeem(
    rng: np.random.Generator,
    coupons: Coupons,
    thanks: Journeys,
    customer: np.ndarray,
    placed: np.ndarray,
    planted: np.ndarray,
    n_customers: int,
) -> np.ndarray:
    """Per order, the thank-you coupon code it used (or None); fills ``redeemed_order``."""
    codes = np.full(len(customer), None, dtype=object)
    if not len(coupons.code):
        return codes
    owner = np.full(n_customers, -1, dtype=np.int64)
    owner[thanks.customer[coupons.enrolment]] = np.arange(len(coupons.code))
    k = owner[customer]
    has = k >= 0
    kk = np.where(has, k, 0)
    inside = has & (placed > coupons.issued_at[kk]) & (placed <= coupons.expires_at[kk])
    first_orders = np.flatnonzero(inside)
    _, first = np.unique(customer[first_orders], return_index=True)
    chosen = first_orders[first]
    take = chosen[planted[chosen] | (rng.random(len(chosen)) < REDEEM_SHARE)]
    coupons.redeemed_order[owner[customer[take]]] = take
    codes[take] = coupons.code[owner[customer[take]]]
    return codes


@dataclass
class Outbox:
    state: np.ndarray
    reason: np.ndarray
    due_at: np.ndarray
    sent_at: np.ndarray
    suppressed_at: np.ndarray


def dispatch(people: People, customer: np.ndarray, at: np.ndarray, engine_reason: np.ndarray,
             marketing: np.ndarray, cutoff: int, rng: np.random.Generator) -> Outbox:  # fmt: skip
    """What the worker's dispatch did with each queued email (all demo mail goes to the
    mailbox): suppressed for holdout/exit, no consent or unsubscribed at that time, deferred
    past the quiet hours, otherwise sent within a minute or two."""
    unsub = people.unsubscribed_at[customer]
    consent = people.consent_at[customer]
    reason = engine_reason.copy()
    free = reason == None  # noqa: E711 - element-wise on an object array
    reason[free & marketing & (unsub != NULL) & (unsub <= at)] = "unsubscribed"
    free = reason == None  # noqa: E711
    reason[free & marketing & ((consent == NULL) | (consent > at))] = "no_consent"
    suppressed = reason != None  # noqa: E711
    quiet = quiet_until(at, people.country[customer])
    deferred = ~suppressed & marketing & (quiet != NULL)
    due = np.where(deferred, quiet, at)
    sent_at = due + rng.integers(5, 120, len(at))
    sending = ~suppressed & (sent_at < cutoff)
    state = np.where(
        suppressed,
        "suppressed",
        np.where(sending, "sent", np.where(deferred, "deferred", "queued")),
    )
    reason = np.where(deferred, "quiet_hours", reason)
    return Outbox(
        state.astype(object), reason, due, np.where(sending, sent_at, NULL),
        np.where(suppressed, at, NULL),
    )  # fmt: skip


def enrolment_frame(flows: list[Journeys], order_base: int) -> Frame:
    cat = {name: np.concatenate([getattr(j, name) for j in flows]) for name in (
        "order", "customer", "trigger", "trigger_at", "entered_at", "holdout", "status",
        "current_step", "next_due", "waiting_event", "completed_at", "exit_reason", "state")}  # fmt: skip
    wf = np.concatenate([np.full(len(j), j.workflow_id) for j in flows])
    keys = np.array(
        [
            f"w{w}:o{o + order_base}"
            for w, o in zip(wf.tolist(), cat["order"].tolist(), strict=True)
        ],
        dtype=object,
    )
    n = len(keys)
    return Frame(
        Enrolment.__table__,  # type: ignore[arg-type]
        {
            "id": np.arange(n, dtype=np.int64), "dedupe_key": keys, "workflow_id": wf,
            "version": np.ones(n, dtype=np.int64), "customer_id": cat["customer"],
            "order_id": cat["order"], "trigger": cat["trigger"], "trigger_at": cat["trigger_at"],
            "is_holdout": cat["holdout"], "status": cat["status"],
            "current_step_id": cat["current_step"], "next_due_at": cat["next_due"],
            "waiting_event": cat["waiting_event"], "state": cat["state"],
            "exit_reason": cat["exit_reason"], "entered_at": cat["entered_at"],
            "completed_at": cat["completed_at"], "is_demo": np.ones(n, dtype=bool),
        },
        offsets={"id": "enrolments", "customer_id": "customers", "order_id": "orders"},
        sort_by="dedupe_key",
    )  # fmt: skip


@dataclass
class MessageRows:
    frame: Frame
    part_start: dict[tuple[int, int], int]
    """(flow number, send part) -> index of its first message."""


def message_frame(flows: list[Journeys], people: People, numbers: np.ndarray, store: str,
                  bases: Mapping[str, int | np.ndarray], cutoff: int,
                  rng: np.random.Generator) -> MessageRows:  # fmt: skip
    from core.messaging.library import BY_NAME
    from core.messaging.library_text import texts

    cols: dict[str, list[np.ndarray]] = {}
    starts: dict[tuple[int, int], int] = {}
    offset, enrol_offset = 0, 0
    for f, j in enumerate(flows):
        s = j.sends
        for p, (idx, step, template, at, why) in enumerate(zip(s.enrolment, s.step, s.template, s.at, s.reason, strict=True)):  # fmt: skip
            starts[(f, p)] = offset
            offset += len(idx)
            cust = j.customer[idx]
            marketing = BY_NAME[template].category == "marketing"
            box = dispatch(
                people, cust, at, why.astype(object), np.full(len(idx), marketing), cutoff, rng
            )
            loc = people.locale[cust]
            subjects = np.array(
                [texts(LOCALES[i], template)[1]["subject"] for i in range(len(LOCALES))],
                dtype=object,
            )[loc]
            number = numbers[j.order[idx]]
            subject = [t.replace("{number}", n).replace("{store}", store) for t, n in zip(subjects.tolist(), number.tolist(), strict=True)]  # fmt: skip
            part = {
                "enrolment_id": idx + enrol_offset, "workflow_id": np.full(len(idx), j.workflow_id),
                "step_id": np.full(len(idx), step, dtype=object), "customer_id": cust,
                "order_id": j.order[idx], "template_name": np.full(len(idx), template, dtype=object),
                "locale": np.array(LOCALES, dtype=object)[loc],
                "category": np.full(len(idx), "marketing" if marketing else "transactional", dtype=object),
                "priority": np.full(len(idx), PRIORITY[j.preset]), "to_address": people.email[cust],
                "subject": np.array(subject, dtype=object), "state": box.state, "suppression_reason": box.reason,
                "transport": np.where(box.state == "sent", "mailbox", NONE), "due_at": box.due_at,
                "queued_at": at, "sending_at": np.where(box.sent_at != NULL, box.sent_at - 2, NULL),
                "sent_at": box.sent_at, "suppressed_at": box.suppressed_at,
                "attempts": (box.state == "sent").astype(np.int64),
            }  # fmt: skip
            for k, v in part.items():
                cols.setdefault(k, []).append(np.asarray(v))
        enrol_offset += len(j)
    columns = {k: np.concatenate(v) for k, v in cols.items()} if cols else {}
    n = offset
    mid = np.arange(n, dtype=np.int64) + int(bases["messages"])
    eid = columns.get("enrolment_id", np.zeros(0, dtype=np.int64)) + int(bases["enrolments"])
    columns["idempotency_key"] = np.array(
        [
            f"e{e}:{s}"
            for e, s in zip(eid.tolist(), columns.get("step_id", np.zeros(0)).tolist(), strict=True)
        ],
        dtype=object,
    )
    sent = columns.get("state", np.zeros(0)) == "sent"
    columns["smtp_message_id"] = np.where(
        sent,
        np.array([f"<demo-{m}@nordlicht.example.com>" for m in mid.tolist()], dtype=object),
        NONE,
    )
    columns.update({
        "id": np.arange(n, dtype=np.int64), "workflow_version": np.ones(n, dtype=np.int64),
        "headers": np.full(n, "{}", dtype=object), "is_test": np.zeros(n, dtype=bool),
        "is_demo": np.ones(n, dtype=bool),
    })  # fmt: skip
    frame = Frame(
        Message.__table__,  # type: ignore[arg-type]
        columns,
        sort_by="idempotency_key",
        offsets={
            "id": "messages",
            "enrolment_id": "enrolments",
            "customer_id": "customers",
            "order_id": "orders",
        },
    )
    return MessageRows(frame, starts)


def step_run_frame(
    flows: list[Journeys], starts: Mapping[tuple[int, int], int], message_base: int
) -> Frame:
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("enrolment_id", "step_id", "kind", "outcome", "detail", "at")
    }
    enrol_offset = 0
    for f, j in enumerate(flows):
        for idx, step, kind, outcome, detail, at, send in j.runs:
            if send >= 0:
                first = starts[(f, send)] + message_base
                position = np.searchsorted(j.sends.enrolment[send], idx)
                detail = np.array(
                    [
                        d.replace("{m}", str(first + p))
                        for d, p in zip(detail.tolist(), position.tolist(), strict=True)
                    ],
                    dtype=object,
                )
            parts["enrolment_id"].append(idx + enrol_offset)
            parts["step_id"].append(np.full(len(idx), step, dtype=object))
            parts["kind"].append(np.full(len(idx), kind, dtype=object))
            parts["outcome"].append(np.asarray(outcome, dtype=object))
            parts["detail"].append(np.asarray(detail, dtype=object))
            parts["at"].append(at)
        enrol_offset += len(j)
    columns = {k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}
    order = np.lexsort((columns["enrolment_id"], columns["at"]))
    return Frame(
        StepRun.__table__,  # type: ignore[arg-type]
        {k: v[order] for k, v in columns.items()},
        offsets={"enrolment_id": "enrolments"},
    )


def coupon_frame(coupons: Coupons, thanks: Journeys, thanks_offset: int, second_total_eur: np.ndarray,
                 placed: np.ndarray) -> Frame:  # fmt: skip
    n = len(coupons.code)
    redeemed = coupons.redeemed_order
    cost = np.round(second_total_eur[thanks.order[coupons.enrolment]] * COUPON_VALUE / 100).astype(
        np.int64
    )
    return Frame(
        Coupon.__table__,  # type: ignore[arg-type]
        {
            "code": coupons.code, "customer_id": thanks.customer[coupons.enrolment],
            "workflow_id": np.full(n, thanks.workflow_id), "enrolment_id": coupons.enrolment + thanks_offset,
            "kind": np.full(n, "percent", dtype=object), "value": np.full(n, COUPON_VALUE),
            "currency": np.full(n, "EUR", dtype=object), "issued_at": coupons.issued_at,
            "expires_at": coupons.expires_at, "redeemed_order_id": redeemed,
            "redeemed_at": np.where(redeemed != NULL, placed[np.where(redeemed != NULL, redeemed, 0)], NULL),
            "cost": cost, "note": np.full(n, "step coupon", dtype=object), "is_demo": np.ones(n, dtype=bool),
            "created_at": coupons.issued_at, "updated_at": coupons.issued_at,
        },
        offsets={"customer_id": "customers", "enrolment_id": "enrolments", "redeemed_order_id": "orders"},
    )  # fmt: skip
