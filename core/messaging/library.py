"""The template library: 14 ready messages in en, de, fr, nl, es, it, pl and sv.

Each library template is assembled from shared, responsive blocks (:mod:`library_blocks`) and
the texts of one locale (:mod:`core.messaging.library_text`). Every variable that can be empty
for some orders is guarded (``{% if %}`` or ``|default``), so a pre-flight check of an order a
template applies to (:attr:`LibraryTemplate.applies_to`) reports no empty variable.

API: ``ensure_library(session, actor)`` installs every template in every locale, idempotently
(an existing template or translation is left as the merchant edited it);
``install(session, actor, name)`` installs one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, require
from core.messaging import library_blocks as blocks
from core.messaging.library_text import LOCALES, texts
from core.messaging.render import CompiledTemplate
from core.messaging.stored import find_template
from core.messaging.templates import (
    create_template,
    validate_parts,
    write_translation,
)
from core.models import Order
from core.preferences import LIBRARY_PURPOSES

TRANSACTIONAL = "transactional"
MARKETING = "marketing"


def _any(order: Order) -> bool:
    return True


def _shipped(order: Order) -> bool:
    return any(s.shipped_at for s in order.shipments)


def _delivered(order: Order) -> bool:
    return any(s.delivered_at or s.picked_up_at for s in order.shipments)


def _pickup(order: Order) -> bool:
    return order.pickup_location_id is not None


def _cancelled(order: Order) -> bool:
    return order.cancelled_at is not None


def _refunded(order: Order) -> bool:
    return order.refunded_at is not None and (order.refunded_amount or 0) > 0


def _promised(order: Order) -> bool:
    return order.promised_delivery_at is not None


@dataclass(frozen=True)
class LibraryTemplate:
    name: str
    category: str
    description: str
    sections: tuple[str, ...]
    applies_to: Callable[[Order], bool] = _any
    needs: tuple[str, ...] = ()
    """Keys of ``extra`` the engine passes (``coupon_code``, ``referral_code``)."""


LIBRARY: tuple[LibraryTemplate, ...] = (
    LibraryTemplate(
        "order_confirmation",
        TRANSACTIONAL,
        "Sent when an order is placed.",
        ("intro", "order_box", "delivery", "items", "signoff"),
    ),
    LibraryTemplate(
        "payment_received",
        TRANSACTIONAL,
        "Sent when the payment arrives.",
        ("intro", "order_box", "items", "signoff"),
    ),
    LibraryTemplate(
        "shipped",
        TRANSACTIONAL,
        "Sent when the parcel leaves the warehouse.",
        ("intro", "tracking", "delivery", "items", "signoff"),
        _shipped,
    ),
    LibraryTemplate(
        "out_for_delivery",
        TRANSACTIONAL,
        "Sent when the parcel is with the driver.",
        ("intro", "tracking", "signoff"),
        _shipped,
    ),
    LibraryTemplate(
        "ready_for_pickup",
        TRANSACTIONAL,
        "Sent when a click-and-collect order is ready.",
        ("intro", "pickup", "bring", "items", "signoff"),
        _pickup,
    ),
    LibraryTemplate(
        "delivered",
        TRANSACTIONAL,
        "Sent when the parcel is delivered.",
        ("intro", "help", "items", "signoff"),
        _delivered,
    ),
    LibraryTemplate(
        "delivery_delayed",
        TRANSACTIONAL,
        "An apology when the promised delivery is missed.",
        ("intro_delay", "body", "tracking", "signoff"),
        _promised,
    ),
    LibraryTemplate(
        "order_cancelled",
        TRANSACTIONAL,
        "Sent when an order is cancelled.",
        ("intro", "order_box", "help", "items", "signoff"),
        _cancelled,
    ),
    LibraryTemplate(
        "refund_issued",
        TRANSACTIONAL,
        "Sent when a refund is issued (the total refunded so far).",
        ("intro", "refund_box", "order_box", "help", "signoff"),
        _refunded,
    ),
    LibraryTemplate(
        "review_request",
        MARKETING,
        "Asks for a review after delivery (star links).",
        ("intro", "stars", "cta_review", "recommendations", "signoff"),
        _delivered,
    ),
    LibraryTemplate(
        "review_reminder",
        MARKETING,
        "A gentle reminder when no review came.",
        ("intro", "stars", "cta_review", "signoff"),
        _delivered,
    ),
    LibraryTemplate(
        "thank_you_coupon",
        MARKETING,
        "Thanks for a repeat order, with a unique coupon.",
        ("intro", "coupon", "recommendations", "signoff"),
        needs=("coupon_code",),
    ),
    LibraryTemplate(
        "referral_invitation",
        MARKETING,
        "Invites a happy customer to refer friends.",
        ("intro", "referral", "signoff"),
        needs=("referral_code",),
    ),
    LibraryTemplate(
        "win_back",
        MARKETING,
        "Brings back a customer who has not ordered for a while.",
        ("intro", "coupon", "recommendations", "signoff"),
        needs=("coupon_code",),
    ),
)
BY_NAME = {t.name: t for t in LIBRARY}


def library_parts(name: str, locale: str) -> dict[str, str]:
    """Subject, preheader and HTML of one library template in one locale."""
    spec = BY_NAME[name]
    common, own = texts(locale, name)
    strings = {**common, **own}
    body = "".join(blocks.section(s, strings) for s in spec.sections)
    html = blocks.page(body, strings, marketing=spec.category == MARKETING)
    return {
        "subject": blocks.fill(strings["subject"]),
        "preheader": blocks.fill(strings["preheader"]),
        "html": html,
    }


@cache
def prepared(name: str, locale: str) -> tuple[dict[str, str], str, CompiledTemplate]:
    """A library translation checked and compiled once per process."""
    parts = library_parts(name, locale)
    html, compiled = validate_parts(
        parts["subject"], parts["preheader"], parts["html"], None, locale
    )
    return parts, html, compiled


def install(session: Session, actor: Actor, name: str, locales: tuple[str, ...] = LOCALES) -> int:
    """Install one library template; returns how many translations were added."""
    require(actor, Action.EDIT_TEMPLATES)
    spec = BY_NAME[name]
    template = find_template(session, name)
    if template is None:
        template = create_template(session, actor, name, spec.category, spec.description)
        template.from_library = True
        template.purpose = LIBRARY_PURPOSES.get(name) if spec.category == MARKETING else None
    present = {t.locale for t in template.translations}
    added = 0
    for locale in locales:
        if locale in present:
            continue
        parts, html, compiled = prepared(name, locale)
        write_translation(session, actor, template, locale, parts, html, compiled)
        added += 1
    return added


def ensure_library(session: Session, actor: Actor) -> int:
    """Install all 14 library templates in all 8 locales (idempotent); returns translations added."""
    require(actor, Action.EDIT_TEMPLATES)
    added = sum(install(session, actor, spec.name) for spec in LIBRARY)
    if added:
        audit.record(session, actor.name, "template.library", None, {"translations_added": added})
    return added
