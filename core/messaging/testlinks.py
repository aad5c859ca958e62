"""Links of a test email: marked as tests, they change nothing.

A test send (``template send-test``, the Templates page) renders a real customer's order, but its
unsubscribe, preferences, review (and star), referral and delivery-choice links must not act for
that customer: a one-click POST on a test email's ``List-Unsubscribe`` would otherwise withdraw
their consent.
Every such link points to ``{public_base_url}/test-link/{token}``, the token signed for purpose
``test_link`` over the link kind and the email's language only (no customer, no order). The
public page answers, in that language, that this is a link from a test email and nothing was
changed, whatever method opens it.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import security
from core.errors import AuthError
from core.messaging.values import Record
from core.settings import StoreSettings

PURPOSE = "test_link"
KINDS = ("unsubscribe", "preferences", "review", "referral", "delivery")
LANGUAGES = ("en", "de", "fr", "nl", "es", "it", "pl", "sv")


@dataclass(frozen=True)
class MarkedLink:
    kind: str
    lang: str


def _lang(locale: str | None) -> str:
    lang = (locale or "en").replace("-", "_").split("_")[0].lower()
    return lang if lang in LANGUAGES else "en"


def link_for_test_email(settings: StoreSettings, kind: str, locale: str | None) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown test link kind {kind!r}")
    token = security.sign(PURPOSE, {"k": kind, "l": _lang(locale)})
    return f"{settings.public_base_url.rstrip('/')}/test-link/{token}"


def read_token(token: str) -> MarkedLink:
    """The kind and language of a test link; AuthError when it is not one we signed."""
    payload = security.unsign(PURPOSE, token, max_age=security.LINK_MAX_AGE)
    if not isinstance(payload, dict) or payload.get("k") not in KINDS:
        raise AuthError("This link is not valid: it was changed or is incomplete.")
    return MarkedLink(str(payload["k"]), _lang(str(payload.get("l") or "en")))


def _has(record: Record, key: str) -> bool:
    return key in record and bool(record[key])


def referral_for_test_email(settings: StoreSettings, locale: str | None, real: Record) -> Record:
    """The ``referral`` record of a test email: its ``url`` is the test-link page."""
    if not _has(real, "url"):
        return real
    return Record({k: real[k] for k in real}, url=link_for_test_email(settings, "referral", locale))


def links_for_test_email(settings: StoreSettings, locale: str | None, real: Record) -> Record:
    """The ``links`` of a test email: the same entries as ``real`` (none added where the real
    one is empty), each pointing to the test-link page."""
    review = link_for_test_email(settings, "review", locale) if _has(real, "review") else None
    stars = (
        [Record(rating=n, url=f"{review}?rating={n}") for n in range(5, 0, -1)] if review else []
    )
    return Record(
        review=review,
        review_stars=stars,
        referral=link_for_test_email(settings, "referral", locale)
        if _has(real, "referral")
        else None,
        delivery=link_for_test_email(settings, "delivery", locale)
        if _has(real, "delivery")
        else None,
        unsubscribe=link_for_test_email(settings, "unsubscribe", locale),
        preferences=link_for_test_email(settings, "preferences", locale),
    )
