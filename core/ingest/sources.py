"""Live sources: add, list, rotate, remove, and find the source a delivery claims to come from.

A webhook secret is stored encrypted (it is needed to verify signatures) and shown afterwards
only as its last four characters; an API token is generated here, returned once and stored only
as its SHA-256. Neither is logged, audited or exported.
"""

from __future__ import annotations

import re
import secrets as pysecrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit, security
from core.auth import Action, Actor, require
from core.errors import AuthError, ConflictError, NotFound, ValidationError
from core.models import SOURCE_KINDS, Source

NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
SHOP_DOMAIN = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")
MIN_SECRET = 16
TOKEN_PREFIX = "ofk_"


@dataclass(frozen=True)
class SourceView:
    """What may be shown of a source: never a secret or token in full."""

    name: str
    kind: str
    shop_domain: str | None
    secret: str | None
    token: str | None
    active: bool
    last_received_at: str | None

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _hint(value: str) -> str:
    return "…" + value[-4:]


def view(source: Source) -> SourceView:
    return SourceView(
        name=source.name,
        kind=source.kind,
        shop_domain=source.shop_domain,
        secret=source.secret_hint,
        token=source.token_hint,
        active=source.active,
        last_received_at=source.last_received_at.isoformat() if source.last_received_at else None,
    )


def check_name(name: str) -> str:
    value = name.strip().lower()
    if not NAME.fullmatch(value):
        raise ValidationError(
            f"The source name {name!r} is not valid.",
            field="name",
            hint="Use 1-64 lower-case letters, digits, '-' or '_' (it appears in the webhook URL).",
        )
    return value


def check_shop_domain(domain: str) -> str:
    value = domain.strip().lower().removeprefix("https://").removesuffix("/")
    if not SHOP_DOMAIN.fullmatch(value):
        raise ValidationError(
            f"The shop domain {domain!r} is not a Shopify domain.",
            field="shop_domain",
            hint="Give the shop's *.myshopify.com domain, e.g. my-shop.myshopify.com.",
        )
    return value


def check_secret(secret: str | None) -> str:
    value = (secret or "").strip()
    if len(value) < MIN_SECRET:
        raise ValidationError(
            "The webhook secret is missing or too short.",
            field="secret",
            hint=f"Paste the signing secret shown in the shop's admin ({MIN_SECRET}+ characters).",
        )
    return value


def all_sources(session: Session) -> list[Source]:
    return list(session.scalars(select(Source).order_by(Source.name)))


def get(session: Session, name: str) -> Source:
    source = session.scalar(select(Source).where(Source.name == name.strip().lower()))
    if source is None:
        raise NotFound(
            f"No source named {name!r}.", hint="`python -m core source list` shows them."
        )
    return source


def add(
    session: Session,
    actor: Actor,
    kind: str,
    name: str,
    *,
    shop_domain: str | None = None,
    secret: str | None = None,
) -> tuple[Source, str | None]:
    """Add a source; for ``api`` also return its bearer token (the only time it is shown)."""
    require(actor, Action.MANAGE_SOURCES)
    if kind not in SOURCE_KINDS:
        raise ValidationError(
            f"Unknown source kind {kind!r}.", field="kind", hint=f"Use {', '.join(SOURCE_KINDS)}."
        )
    source = Source(kind=kind, name=check_name(name), active=True)
    if session.scalar(select(Source.id).where(Source.name == source.name)) is not None:
        raise ConflictError(f"A source named {source.name!r} exists.", field="name")
    token: str | None = None
    if kind == "shopify":
        source.shop_domain = check_shop_domain(shop_domain or "")
        taken = select(Source.id).where(Source.shop_domain == source.shop_domain)
        if session.scalar(taken) is not None:
            raise ConflictError(
                f"The shop {source.shop_domain} is already connected.", field="shop_domain"
            )
    if kind in ("shopify", "woocommerce"):
        _set_secret(source, check_secret(secret))
    else:
        token = _new_token(source)
    session.add(source)
    session.flush()
    audit.record(session, actor.name, "source.add", source.name, {"kind": kind})
    return source, token


def _set_secret(source: Source, secret: str) -> None:
    source.secret_encrypted = security.encrypt_secret(secret)
    source.secret_hint = _hint(secret)


def _new_token(source: Source) -> str:
    token = TOKEN_PREFIX + pysecrets.token_urlsafe(32)
    source.token_hash = security.hash_token(token)
    source.token_hint = _hint(token)
    return token


def rotate(session: Session, actor: Actor, name: str, secret: str | None = None) -> str | None:
    """A new webhook secret (given) for a shop, or a new token (returned once) for an API
    client; the old one stops working at once."""
    require(actor, Action.MANAGE_SOURCES)
    source = get(session, name)
    token: str | None = None
    if source.kind == "api":
        token = _new_token(source)
    else:
        _set_secret(source, check_secret(secret))
    audit.record(session, actor.name, "source.rotate", source.name, {"kind": source.kind})
    return token


def remove(session: Session, actor: Actor, name: str) -> None:
    """Delete a source and its delivery log; what it brought in (orders...) stays."""
    require(actor, Action.MANAGE_SOURCES)
    source = get(session, name)
    session.delete(source)
    audit.record(session, actor.name, "source.remove", source.name, {"kind": source.kind})


def secret_of(source: Source) -> str:
    if not source.secret_encrypted:
        raise AuthError(f"The source {source.name!r} has no webhook secret.")
    return security.decrypt_secret(source.secret_encrypted)


def verify_signature(source: Source, body: bytes, signature: str | None) -> bool:
    """Whether ``signature`` is the base64 HMAC-SHA256 of ``body`` with the source's secret."""
    if not signature:
        return False
    return security.same(security.hmac_base64(secret_of(source), body), signature.strip())


def shopify_source(session: Session, shop_domain: str | None) -> Source | None:
    """The active Shopify source of ``X-Shopify-Shop-Domain`` (lower-cased), if any."""
    if not shop_domain:
        return None
    return session.scalar(
        select(Source).where(
            Source.kind == "shopify",
            Source.shop_domain == shop_domain.strip().lower(),
            Source.active.is_(True),
        )
    )


def named_source(session: Session, kind: str, name: str) -> Source | None:
    return session.scalar(
        select(Source).where(Source.kind == kind, Source.name == name, Source.active.is_(True))
    )


def token_source(session: Session, authorization: str | None) -> Source | None:
    """The active API source whose token is the ``Bearer`` of ``authorization``."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    digest = security.hash_token(token.strip())
    return session.scalar(
        select(Source).where(
            Source.kind == "api", Source.token_hash == digest, Source.active.is_(True)
        )
    )
