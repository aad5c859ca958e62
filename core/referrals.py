"""Referral codes seen from outside: the public landing page of ``/ref/{code}`` and the count of
orders each code brought.

- ``referral_landing(session, code) -> ReferralView``: what the page shows. Only the referrer's
  first name leaves the database, never the email; the reward is formatted in the referrer's
  locale (the page is in the referrer's language). NotFound for an unknown code.
- ``count_referral_uses(session) -> int``: records the referral uses of orders that have none
  (:func:`core.referral_program.match_orders`: refused ones with their reason), then sets
  ``ReferralCode.uses`` to the number of its uses that were not refused (conversions); returns
  the total.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.numbers import format_currency
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core import settings as store_settings
from core.errors import NotFound, ValidationError
from core.messaging.values import babel_locale
from core.models import Customer, ReferralCode, ReferralUse

MAX_CODE = 32


@dataclass(frozen=True)
class ReferralView:
    code: str
    first_name: str | None
    reward: str | None
    store: str
    locale: str


def normalize_code(code: str) -> str:
    """A code as typed or linked: surrounding blanks dropped, upper case."""
    text = code.strip().upper()
    if not text or len(text) > MAX_CODE:
        raise ValidationError(
            f"{code[:40]!r} is not a referral code.",
            field="code",
            hint=f"A code has 1 to {MAX_CODE} characters.",
        )
    return text


def referral_landing(session: Session, code: str) -> ReferralView:
    """The public view of one referral code (see the module docstring)."""
    try:
        wanted = normalize_code(code)
    except ValidationError:
        raise NotFound("This referral code does not exist.") from None
    row = session.execute(
        select(ReferralCode, Customer.first_name, Customer.locale)
        .join(Customer, Customer.id == ReferralCode.customer_id)
        .where(func.upper(ReferralCode.code) == wanted)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("This referral code does not exist.", field="code")
    referral, first_name, customer_locale = row
    settings = store_settings.load(session)
    locale = babel_locale(customer_locale or settings.default_locale)
    reward = None
    if referral.reward_value is not None and referral.reward_currency:
        reward = format_currency(referral.reward_value, referral.reward_currency, locale=locale)
    name = (first_name or "").strip() or None
    return ReferralView(referral.code, name, reward, settings.name, locale)


def count_referral_uses(session: Session) -> int:
    """Match new uses, then recount every code's conversions (see the module docstring)."""
    from core.referral_program import match_orders

    match_orders(session)
    rows = session.execute(
        select(ReferralUse.referral_code_id, func.count())
        .where(ReferralUse.status != "refused")
        .group_by(ReferralUse.referral_code_id)
    )
    counts: dict[int, int] = {int(code_id): int(n) for code_id, n in rows}
    changes = []
    for code_id, uses in session.execute(select(ReferralCode.id, ReferralCode.uses)):
        count = counts.get(code_id, 0)
        if count != uses:
            changes.append({"id": code_id, "uses": count})
    if changes:
        session.execute(update(ReferralCode), changes)
        store_settings.bump_data_version(session)
    return sum(counts.values())
