"""The preference centre: what a customer chose about the emails they get, and the rule the
engine applies to each marketing message.

Purposes (``PURPOSES``): ``review_requests``, ``offers`` (referral and coupon offers) and
``newsletters`` (newsletters and win-back). A marketing template names its purpose
(``MessageTemplate.purpose``; a marketing template without one counts as ``newsletters``);
order emails (category ``transactional``) have none and always go. A customer turns purposes
off (``Customer.opted_out``), picks an email frequency (``FREQUENCIES``: at most one marketing
email per week or month), a language and a preferred pickup store, or unsubscribes from all
marketing (``marketing_consent`` off, ``unsubscribed_at`` set; order emails continue).

Every change is recorded with its time and source: a ``PreferenceChange`` row per changed field,
and a ``ConsentEvent`` per purpose granted or withdrawn (purpose ``marketing`` for all of it).

API:

- ``preferences_url(settings, customer_id)`` and ``read_token(token) -> customer_id``: the
  signed link (purpose ``preferences``) in every email, ``{public_base_url}/p/{token}``; the
  public page's reads and writes are in :mod:`core.preference_centre`.
- ``current(customer) -> Preferences``; ``save(session, customer, wanted, source, now)``
  validates ``wanted`` (ValidationError naming the field) and records the changes.
- ``suppression(customer, purpose, last_marketing_at, now) -> reason | None``: what the engine
  checks before a marketing message (after unsubscribe and consent): ``opted_out_<purpose>``
  or ``email_frequency``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, security
from core.auth import Action, Actor, require
from core.errors import AuthError, ValidationError
from core.models import ConsentEvent, Customer, PickupLocation, PreferenceChange
from core.settings import SUPPORTED_LOCALES, StoreSettings

TOKEN_PURPOSE = "preferences"
PURPOSES: dict[str, str] = {
    "review_requests": "Review requests",
    "offers": "Referral and coupon offers",
    "newsletters": "Newsletters and win-back",
}
DEFAULT_PURPOSE = "newsletters"
FREQUENCIES: dict[str, int | None] = {"normal": None, "weekly": 7, "monthly": 30}
LIBRARY_PURPOSES: dict[str, str] = {
    "review_request": "review_requests",
    "review_reminder": "review_requests",
    "thank_you_coupon": "offers",
    "referral_invitation": "offers",
    "win_back": "newsletters",
}
SOURCES = ("preference_centre", "one_click", "link", "cli", "import")


@dataclass(frozen=True)
class Preferences:
    """What the page shows and submits."""

    purposes: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PURPOSES, True))
    all_marketing_off: bool = False
    frequency: str = "normal"
    locale: str = "en"
    pickup_id: int | None = None


def purpose_of(category: str, purpose: str | None) -> str | None:
    """The consent purpose of a template: None for order emails."""
    if category != "marketing":
        return None
    return purpose if purpose in PURPOSES else DEFAULT_PURPOSE


def check_purpose(purpose: str | None) -> str | None:
    if purpose in (None, ""):
        return None
    if purpose not in PURPOSES:
        raise ValidationError(
            f"Unknown purpose {purpose!r}.",
            field="purpose",
            hint=f"Use one of {', '.join(PURPOSES)}.",
        )
    return purpose


def make_token(customer_id: int) -> str:
    return security.sign(TOKEN_PURPOSE, {"c": int(customer_id)})


def preferences_url(settings: StoreSettings, customer_id: int) -> str:
    return f"{settings.public_base_url.rstrip('/')}/p/{make_token(customer_id)}"


def read_token(token: str) -> int:
    """The customer id a preference link names; AuthError when it is not one we signed."""
    payload = security.unsign(TOKEN_PURPOSE, token, max_age=security.LINK_MAX_AGE)
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        raise AuthError("This link is not valid: it was changed or is incomplete.")
    return int(payload["c"])


def _language(locale: str | None) -> str:
    lang = (locale or "en").replace("-", "_").split("_")[0].lower()
    return lang if lang in SUPPORTED_LOCALES else "en"


def current(customer: Customer) -> Preferences:
    off = set(customer.opted_out or [])
    return Preferences(
        purposes={p: p not in off for p in PURPOSES},
        all_marketing_off=customer.unsubscribed_at is not None or not customer.marketing_consent,
        frequency=customer.email_frequency or "normal",
        locale=_language(customer.locale),
        pickup_id=customer.preferred_pickup_id,
    )


def _check(session: Session, wanted: Preferences) -> None:
    if set(wanted.purposes) - set(PURPOSES):
        raise ValidationError("Unknown purpose.", field="purposes")
    if wanted.frequency not in FREQUENCIES:
        raise ValidationError(
            f"Unknown frequency {wanted.frequency!r}.",
            field="frequency",
            hint=f"Use one of {', '.join(FREQUENCIES)}.",
        )
    if wanted.locale not in SUPPORTED_LOCALES:
        raise ValidationError(f"Unknown language {wanted.locale!r}.", field="language")
    if wanted.pickup_id is not None:
        store = session.get(PickupLocation, wanted.pickup_id)
        if store is None:
            raise ValidationError("This pickup store does not exist.", field="pickup_store")


def _change(
    session: Session,
    customer: Customer,
    name: str,
    old: object,
    new: object,
    src: str,
    at: dt.datetime,
) -> None:
    session.add(
        PreferenceChange(
            customer_id=customer.id,
            field=name[:32],
            old_value=None if old is None else str(old)[:64],
            new_value=None if new is None else str(new)[:64],
            source=src,
            at=at,
        )
    )


def _consent(
    session: Session, customer: Customer, purpose: str, granted: bool, src: str, at: dt.datetime
) -> None:
    session.add(
        ConsentEvent(customer_id=customer.id, purpose=purpose, granted=granted, source=src, at=at)
    )


def save(
    session: Session,
    customer: Customer,
    wanted: Preferences,
    source: str = "preference_centre",
    now: dt.datetime | None = None,
) -> list[str]:
    """Validate and store ``wanted``; returns the names of the fields that changed."""
    _check(session, wanted)
    at = now or dt.datetime.now(dt.UTC)
    src = source if source in SOURCES else "preference_centre"
    before = current(customer)
    changed: list[str] = []
    off = set(customer.opted_out or [])
    for purpose in PURPOSES:
        on = wanted.purposes.get(purpose, True)
        if on != before.purposes[purpose]:
            off = off - {purpose} if on else off | {purpose}
            _change(session, customer, purpose, before.purposes[purpose], on, src, at)
            _consent(session, customer, purpose, on, src, at)
            changed.append(purpose)
    customer.opted_out = sorted(off)
    if wanted.all_marketing_off != before.all_marketing_off:
        customer.marketing_consent = not wanted.all_marketing_off
        customer.unsubscribed_at = at if wanted.all_marketing_off else None
        customer.consent_source, customer.consent_at = src[:32], at
        _change(
            session,
            customer,
            "all_marketing",
            not before.all_marketing_off,
            not wanted.all_marketing_off,
            src,
            at,
        )
        _consent(session, customer, "marketing", not wanted.all_marketing_off, src, at)
        changed.append("all_marketing")
    for name, old, new in (
        ("frequency", before.frequency, wanted.frequency),
        ("language", before.locale, wanted.locale),
        ("pickup_store", before.pickup_id, wanted.pickup_id),
    ):
        if old != new:
            _change(session, customer, name, old, new, src, at)
            changed.append(name)
    customer.email_frequency = wanted.frequency
    if before.locale != wanted.locale:
        customer.locale = wanted.locale
    customer.preferred_pickup_id = wanted.pickup_id
    if changed:
        audit.record(
            session,
            "system",
            "customer.preferences",
            str(customer.id),
            {"changed": changed, "source": src},
        )
    session.flush()
    return changed


def suppression(
    customer: Customer, purpose: str | None, last_marketing_at: dt.datetime | None, now: dt.datetime
) -> str | None:
    """The reason a marketing message of ``purpose`` may not go to ``customer`` (see above)."""
    if purpose is None:
        return None
    if purpose in (customer.opted_out or []):
        return f"opted_out_{purpose}"
    days = FREQUENCIES.get(customer.email_frequency or "normal")
    if days and last_marketing_at is not None and now - last_marketing_at < dt.timedelta(days=days):
        return "email_frequency"
    return None


def history(session: Session, customer_id: int) -> list[PreferenceChange]:
    """A customer's preference changes, oldest first."""
    stmt = select(PreferenceChange).where(PreferenceChange.customer_id == customer_id)
    return list(session.scalars(stmt.order_by(PreferenceChange.at, PreferenceChange.id)))


def set_template_purpose(session: Session, actor: Actor, name: str, purpose: str | None) -> None:
    """The consent purpose a marketing template needs (None: ``newsletters``)."""
    from core.messaging.stored import get_template

    require(actor, Action.EDIT_TEMPLATES)
    template = get_template(session, name)
    template.purpose = check_purpose(purpose) if template.category == "marketing" else None
    audit.record(session, actor.name, "template.purpose", name, {"purpose": template.purpose})
    session.flush()
