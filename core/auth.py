"""Dashboard users, roles, the password policy and the permission check every mutating
``core`` function makes (login, sessions and user management: :mod:`core.accounts`).

Roles are enforced here, not only by hiding pages: each function that changes or exports data
takes the acting user (:class:`Actor`) and calls :func:`require`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core import audit
from core.errors import PermissionDenied, ValidationError
from core.models import User

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()


class Role(StrEnum):
    OWNER = "owner"
    MERCHANT = "merchant"
    MANAGER = "manager"
    ANALYST = "analyst"


class Action(StrEnum):
    MANAGE_USERS = "users.manage"
    EDIT_SETTINGS = "settings.edit"
    MANAGE_SOURCES = "sources.manage"
    IMPORT_DATA = "data.import"
    MANAGE_DEMO = "data.demo"
    EXPORT_DATA = "data.export"
    ERASE_CUSTOMER = "customers.erase"
    EDIT_WORKFLOWS = "workflows.edit"
    PUBLISH_WORKFLOWS = "workflows.publish"
    VIEW_WORKFLOWS = "workflows.view"
    EDIT_TEMPLATES = "templates.edit"
    SEND_TEST = "templates.send_test"
    VIEW_TEMPLATES = "templates.view"
    EDIT_DELIVERY = "delivery.edit"
    RAISE_EVENTS = "events.raise"
    MANAGE_OUTBOX = "outbox.manage"
    VIEW_OUTBOX = "outbox.view"
    VIEW_KPIS = "kpis.view"


_READ_ONLY = {
    Action.VIEW_WORKFLOWS,
    Action.VIEW_TEMPLATES,
    Action.VIEW_OUTBOX,
    Action.VIEW_KPIS,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.MERCHANT: frozenset(Action) - {Action.MANAGE_USERS},
    Role.MANAGER: frozenset(_READ_ONLY),
    Role.ANALYST: frozenset({Action.VIEW_KPIS, Action.EXPORT_DATA}),
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.OWNER: "everything, including users",
    Role.MERCHANT: "workflows, templates, delivery, data import and settings (not users)",
    Role.MANAGER: "KPI pages and read-only views of workflows, templates and the outbox",
    Role.ANALYST: "KPI pages and CSV exports",
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a dashboard user's email and role, or the local operator ``cli``."""

    name: str
    role: Role

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", Role.OWNER)

    @classmethod
    def worker(cls) -> Actor:
        """The worker's own scheduled work (the retention period), named ``worker`` in the audit."""
        return cls("worker", Role.OWNER)

    @classmethod
    def system(cls) -> Actor:
        """The worker and public routes (unsubscribe, review links)."""
        return cls("system", Role.OWNER)

    def can(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]


def require(actor: Actor, action: Action) -> None:
    """Raise PermissionDenied unless ``actor``'s role allows ``action``."""
    if not actor.can(action):
        raise PermissionDenied(
            f"The {actor.role.value} role may not {action.value.replace('.', ' ')}.",
            hint="Ask the store owner for a role that allows it.",
        )


def parse_role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValidationError(
            f"Unknown role {value!r}.",
            field="role",
            hint="Use owner, merchant, manager or analyst.",
        ) from None


def check_password(password: str, email: str = "") -> None:
    """At least :data:`MIN_PASSWORD_LENGTH` characters and not guessable: zxcvbn (common
    passwords, words, names, keyboard patterns, dates, the user's own email) must rate it
    :data:`MIN_PASSWORD_SCORE` or better out of 4."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    from zxcvbn import zxcvbn

    parts = [p for p in re.split(r"[@._+-]", email.lower()) if len(p) > 2]
    inputs = [email.lower(), email.lower().split("@")[0], *parts, "orderflow"]
    verdict = zxcvbn(password[:128], user_inputs=inputs)
    if int(verdict["score"]) < MIN_PASSWORD_SCORE:
        warning = str(verdict.get("feedback", {}).get("warning") or "It is too easy to guess.")
        raise ValidationError(
            f"This password is too weak: {warning.rstrip('.')}.",
            field="password",
            hint="Use a few unrelated words or a password manager's random password.",
        )


def check_email(email: str, field: str = "email") -> str:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError(f"{email!r} is not an email address.", field=field)
    return email


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def add_user(session: Session, actor: Actor, email: str, password: str, role: Role) -> User:
    require(actor, Action.MANAGE_USERS)
    return _create(session, email, password, role, actor_name=actor.name)


def _create(session: Session, email: str, password: str, role: Role, actor_name: str) -> User:
    email = check_email(email)
    check_password(password, email)
    if session.scalar(select(User).where(User.email == email)):
        raise ValidationError(f"A user {email} exists already.", field="email")
    user = User(email=email, password_hash=_hasher.hash(password), role=role.value)
    session.add(user)
    session.flush()
    audit.record(session, actor_name, "user.create", email, {"role": role.value})
    return user
