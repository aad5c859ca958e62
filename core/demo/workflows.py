"""The demo's workflows: ``review_request`` and ``second_order_thank_you`` created from the
engine's presets with a 10% holdout, activated 12 months before the end of the window, and
their history written as the engine would have written it.

They are active only in a store without the merchant's own customers; loaded next to real
data they are created paused, so no real customer is ever enrolled in a demo workflow.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.auth import Actor
from core.demo import frames, workflow_tables
from core.demo.generator import Shop
from core.demo.planted import ACTIVE_MONTHS, HOLDOUT_PCT, Plan
from core.errors import OrderflowError
from core.models import Coupon, Customer, Message

PRESETS = ("review_request", "second_order_thank_you")
TEMPLATES = ("review_request", "review_reminder", "thank_you_coupon")
RENDERED = 20


def activation(until: dt.date, tz_name: str) -> dt.datetime:
    """Local midnight ``ACTIVE_MONTHS`` months before the day after ``until``."""
    from core.timeutil import zone

    day = until + dt.timedelta(days=1)
    months = day.year * 12 + day.month - 1 - ACTIVE_MONTHS
    start = dt.date(months // 12, months % 12 + 1, min(day.day, 28))
    return dt.datetime.combine(start, dt.time.min, tzinfo=zone(tz_name)).astimezone(dt.UTC)


def create(session: Session, actor: Actor, activated_at: dt.datetime) -> tuple[list[int], bool]:
    """Install the library templates they send (unless present), create and activate the two
    workflows; returns their ids and whether they run (False next to the merchant's own
    customers)."""
    from core.engine import lifecycle, presets
    from core.messaging.library import install

    for template in TEMPLATES:
        install(session, actor, template)
    live = not session.scalar(select(func.count()).select_from(Customer).where(~Customer.is_demo))
    ids = []
    for name in PRESETS:
        base = presets.preset(name)
        definition = base.model_copy(
            update={"holdout_pct": HOLDOUT_PCT, "name": f"{base.name} (demo)"}
        )
        wf = lifecycle.create(session, actor, definition, preset=name, is_demo=True)
        lifecycle.activate(session, actor, wf.id, now=activated_at)
        if not live:
            wf.status = "paused"
        ids.append(wf.id)
    session.flush()
    return ids, live


def plan(ids: list[int], activated_at: dt.datetime, customer_base: int) -> Plan:
    from core.engine.holdout import holdout_mask

    return Plan(
        review_id=ids[0],
        thanks_id=ids[1],
        activated_at=int(activated_at.timestamp()),
        customer_base=customer_base,
        holdout=functools.partial(holdout_mask, pct=HOLDOUT_PCT),
    )


def write(
    conn: Connection, shop: Shop, bases: Mapping[str, int | np.ndarray], store_name: str
) -> dict[str, int]:
    """Enrolments, messages, step runs and coupons of the demo workflows."""
    flows, coupons = shop.journeys, shop.coupons
    if coupons is None:
        return {}
    rng = np.random.default_rng(len(shop.placed))
    numbers = np.array([f"MN-{100001 + i}" for i in range(len(shop.placed))], dtype=object)
    rows = workflow_tables.message_frame(
        flows, shop.people, numbers, store_name, bases, shop.cal.cutoff, rng
    )
    eur = _totals_in_eur(shop)
    counts = {}
    for frame in (
        workflow_tables.enrolment_frame(flows, int(bases["orders"])),
        rows.frame,
        workflow_tables.step_run_frame(flows, rows.part_start, int(bases["messages"])),
        workflow_tables.coupon_frame(coupons, flows[1], len(flows[0]), eur, shop.placed),
    ):
        counts[frame.table.name] = frames.write(conn, frame, bases)
    return counts


def render_newest(session: Session, limit: int = RENDERED) -> int:
    """Render in full (HTML and text) the newest sent demo messages, so the Mailbox opens on
    real mail, and those still to be sent (deferred by quiet hours at the cut-off), which the
    worker will deliver; older ones keep their subject only (~25 ms a message)."""
    from core.messaging.render import render_for

    demo_mail = (Message.is_demo, Message.template_name.is_not(None))
    newest = session.scalars(
        select(Message)
        .where(*demo_mail, Message.state == "sent")
        .order_by(Message.sent_at.desc(), Message.id.desc())
        .limit(limit)
    ).all()
    pending = session.scalars(
        select(Message).where(*demo_mail, Message.state.in_(("queued", "deferred")))
    ).all()
    done = 0
    for m in [*newest, *pending]:
        code = session.scalar(select(Coupon.code).where(Coupon.enrolment_id == m.enrolment_id))
        try:
            rendered = render_for(
                session, str(m.template_name), customer_id=int(m.customer_id or 0),
                order_id=m.order_id, extra={"coupon_code": code, "message_id": m.id},
            )  # fmt: skip
        except OrderflowError:
            continue
        m.subject, m.html, m.text = rendered.subject, rendered.html, rendered.text
        done += 1
    session.flush()
    return done


def _totals_in_eur(shop: Shop) -> np.ndarray:
    from core.demo import catalog, orders

    rates = np.array([float(catalog.RATES_TO_EUR[c]) for c in orders.CURRENCIES])
    return np.asarray(shop.money.total * rates[shop.currency])


def skip_engine_cursor(session: Session) -> None:
    """Move the engine's event cursor past the demo's events when it had read everything
    before them: they are history, and their enrolments are written already."""
    from core.engine.enrol import CURSOR_KEY

    lo, hi = session.execute(
        text("SELECT MIN(id), MAX(id) FROM order_events WHERE source = 'demo'")
    ).one()
    if lo is None:
        return
    cursor = int(store_settings.get_meta(session, CURSOR_KEY, 0))
    if cursor >= int(lo) - 1:
        store_settings.set_meta(session, CURSOR_KEY, int(hi))


def metadata(shop: Shop, ids: list[int], activated_at: dt.datetime, live: bool) -> dict[str, Any]:
    figures = dict(shop.planted)
    figures["workflow_id"] = ids[1]
    return {
        "workflows": {name: wid for name, wid in zip(PRESETS, ids, strict=True)},
        "workflows_active": live,
        "activated_at": activated_at.isoformat(),
        "holdout_pct": HOLDOUT_PCT,
        "planted_effect": figures,
    }
