"""Store-wide delivery settings: the country orders ship from (its working days and holidays
decide the dispatch day), the URL customer changes are reported to, and how long a slot is held
while a customer confirms, and whether customers may make changes that cost more (Orderflow
cannot charge them: the shop does). Stored as one settings row (``_delivery``)."""

from __future__ import annotations

import re
import secrets
from dataclasses import asdict, dataclass

from sqlalchemy.orm import Session

from core import audit
from core.auth import Action, Actor, require
from core.errors import ValidationError
from core.settings import bump_data_version, get_meta, set_meta

KEY = "_delivery"
REFUSE, SHOP_CHARGES = "refuse", "shop_charges"
DEARER_CHOICES = {
    REFUSE: "Refuse changes that cost more (the customer contacts the shop)",
    SHOP_CHARGES: "Allow them: the shop charges the difference",
}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class DeliveryConfig:
    origin_country: str = "DE"
    report_url: str = ""
    hold_minutes: int = 10
    change_until_hours: int = 12
    """A customer may change a delivery until this many hours before its promised start."""
    report_secret: str = ""
    """Signs the reports (``X-Orderflow-Signature``); made when a report URL is first set."""
    dearer_changes: str = REFUSE
    """``refuse``: a change costing more than the current delivery is refused; ``shop_charges``:
    it is allowed and the customer is told the shop charges the difference."""


def load(session: Session) -> DeliveryConfig:
    raw = get_meta(session, KEY, None)
    if not isinstance(raw, dict):
        return DeliveryConfig()
    known = {k: v for k, v in raw.items() if k in DeliveryConfig.__dataclass_fields__}
    return DeliveryConfig(**known)


def clean(config: DeliveryConfig) -> DeliveryConfig:
    country = config.origin_country.strip().upper()
    if not _COUNTRY.match(country):
        raise ValidationError(
            f"{config.origin_country!r} is not a country code.", field="origin_country",
            hint="Use the two letters of the country you ship from, e.g. DE.",
        )  # fmt: skip
    url = config.report_url.strip()
    if url and not url.lower().startswith(("https://", "http://")):
        raise ValidationError(
            f"{url!r} is not a web address.", field="report_url", hint="Start it with https://."
        )
    if not 1 <= config.hold_minutes <= 60:
        raise ValidationError("must be between 1 and 60 minutes.", field="hold_minutes")
    if not 0 <= config.change_until_hours <= 168:
        raise ValidationError("must be between 0 and 168 hours.", field="change_until_hours")
    if config.dearer_changes not in DEARER_CHOICES:
        raise ValidationError(
            f"{config.dearer_changes!r} is not a choice.", field="dearer_changes",
            hint=f"Use {' or '.join(DEARER_CHOICES)}.",
        )  # fmt: skip
    secret = config.report_secret or (("dlvsec_" + secrets.token_urlsafe(32)) if url else "")
    return DeliveryConfig(
        country, url, config.hold_minutes, config.change_until_hours, secret, config.dearer_changes
    )


def save(session: Session, actor: Actor, config: DeliveryConfig) -> DeliveryConfig:
    require(actor, Action.EDIT_DELIVERY)
    cleaned = clean(config)
    set_meta(session, KEY, asdict(cleaned))
    shown = {k: v for k, v in asdict(cleaned).items() if k != "report_secret"}
    audit.record(session, actor.name, "delivery.config", None, shown)
    bump_data_version(session)
    return cleaned
