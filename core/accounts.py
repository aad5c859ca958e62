"""Accounts: first start, login with throttling, server-side sessions, and the owner's user
management (deactivate, change role, reset password), each audited.

First start: the server prints a one-time setup code in its log (or ``ORDERFLOW_SETUP_CODE``
sets it); the first-start form creates an owner only with that code and only while no user
exists, decided by the database: the form inserts the ``_first_owner`` settings row, and a
second form racing it fails on that row's primary key. ``python -m core users add --role
owner`` is the other way in.

Login: every attempt is recorded (``login_attempts``). After :data:`ACCOUNT_LIMIT` failures for
one email, or :data:`ADDRESS_LIMIT` from one address, within :data:`WINDOW`, logins for it are
refused for the rest of the window with a message saying when to try again. An unknown email
costs the same password-hash work as a known one, so timing does not tell which emails exist.

Sessions: the cookie carries a random token; ``user_sessions`` keeps its SHA-256, the user,
and when it started and was last used. Every script run calls :func:`session_actor`, which
reloads the session and the user: logout and a password reset or deactivation (which delete the
user's sessions) end it at once, a role change applies to the next click, and sessions end
after :data:`IDLE_TIMEOUT` without use or :data:`ABSOLUTE_TIMEOUT` after login.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import math
import os
import secrets
import sys
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from core import audit
from core.auth import (
    Action,
    Actor,
    Role,
    _hasher,
    check_email,
    check_password,
    parse_role,
    require,
)
from core.errors import AuthError, NotFound, PermissionDenied, ValidationError
from core.models import LoginAttempt, Setting, User, UserSession

log = logging.getLogger(__name__)

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW = dt.timedelta(minutes=15)
IDLE_TIMEOUT = dt.timedelta(hours=1)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)
TOUCH_EVERY = dt.timedelta(minutes=1)
SETUP_CODE_KEY = "_setup_code"
FIRST_OWNER_KEY = "_first_owner"
ENV_SETUP_CODE = "ORDERFLOW_SETUP_CODE"
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


# -- first start ------------------------------------------------------------------------------


def _normal_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


_issued: dict[str, str] = {}  # database URL -> the code this process printed


def issue_setup_code(engine: Engine) -> str | None:
    """On a database without users: a new one-time setup code (stored hashed), also printed
    in the server log; None once a user exists. A process prints one code per database (a
    second start-up step in the same process keeps it, so the log has one valid code)."""
    url = engine.url.render_as_string(hide_password=True)
    with Session(engine) as session, session.begin():
        if session.scalar(select(func.count()).select_from(User)):
            return None
        given = os.environ.get(ENV_SETUP_CODE, "").strip()
        stored = session.get(Setting, SETUP_CODE_KEY)
        previous = _issued.get(url)
        same = (
            previous
            and stored is not None
            and stored.value == {"sha256": _digest(_normal_code(previous))}
        )
        if not given and previous and same:
            return previous
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        code = given or "-".join(
            "".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3)
        )
        value = {"sha256": _digest(_normal_code(code))}
        if stored is None:
            session.add(Setting(key=SETUP_CODE_KEY, value=value, updated_at=_now(None)))
        else:
            stored.value, stored.updated_at = value, _now(None)
    _issued[url] = code
    message = (
        f"Orderflow first start: the setup code is {code}. Enter it on the first-start form "
        "to create the owner account (or run `python -m core users add EMAIL --role owner`)."
    )
    log.warning(message)
    print(message, file=sys.stderr, flush=True)
    return code


def create_owner(session: Session, email: str, password: str, setup_code: str) -> User:
    """The first-start form: the owner, only with the setup code and while no user exists."""
    stored = session.get(Setting, SETUP_CODE_KEY)
    expected = stored.value.get("sha256", "") if stored and isinstance(stored.value, dict) else ""
    given = _digest(_normal_code(setup_code or ""))
    if not expected or not hmac.compare_digest(expected, given):
        raise AuthError(
            "The setup code is not right.",
            hint="It is printed in the server's log when the app starts without users.",
        )
    email = check_email(email)
    check_password(password, email)
    try:
        with session.begin_nested():
            session.add(Setting(key=FIRST_OWNER_KEY, value=email, updated_at=_now(None)))
            session.flush()
    except IntegrityError:
        raise PermissionDenied("An owner account exists already; log in instead.") from None
    if session.scalar(select(func.count()).select_from(User)):
        raise PermissionDenied("An owner account exists already; log in instead.")
    user = User(email=email, password_hash=_hasher.hash(password), role=Role.OWNER.value)
    session.add(user)
    session.delete(stored)
    session.flush()
    audit.record(session, "first-start", "user.create", email, {"role": Role.OWNER.value})
    return user


# -- login and throttling -------------------------------------------------------------------


def _failures(
    session: Session, column: InstrumentedAttribute[str], value: str, since: dt.datetime
) -> list[dt.datetime]:
    """Failed attempts since ``since`` and since the last success for that email/address."""
    last_ok = session.scalar(
        select(func.max(LoginAttempt.at)).where(column == value, LoginAttempt.ok.is_(True))
    )
    start = max(since, last_ok) if last_ok else since
    return list(
        session.scalars(
            select(LoginAttempt.at)
            .where(column == value, LoginAttempt.ok.is_(False), LoginAttempt.at > start)
            .order_by(LoginAttempt.at)
        )
    )


def throttled_until(
    session: Session, email: str, address: str, now: dt.datetime | None = None
) -> dt.datetime | None:
    """When logins for this email or from this address may be tried again, if throttled."""
    now = _now(now)
    since = now - WINDOW
    until: dt.datetime | None = None
    for column, value, limit in (
        (LoginAttempt.email, email, ACCOUNT_LIMIT),
        (LoginAttempt.address, address, ADDRESS_LIMIT),
    ):
        failed = _failures(session, column, value, since)
        if len(failed) >= limit:
            ends = failed[-limit] + WINDOW
            until = ends if until is None or ends > until else until
    return until if until is not None and until > now else None


@dataclass(frozen=True)
class Login:
    actor: Actor
    token: str  # the session token for the cookie (only its hash is stored)


def login(
    engine: Engine,
    email: str,
    password: str,
    address: str = "unknown",
    now: dt.datetime | None = None,
) -> Login:
    """Check the password and start a session; AuthError (one message for any wrong email or
    password, another when throttled). The attempt is recorded in its own transaction."""
    now = _now(now)
    email = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    with Session(engine) as session, session.begin():
        until = throttled_until(session, email, address, now)
        user = session.scalar(select(User).where(User.email == email))
        ok = False
        if until is None:
            try:
                _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
                ok = user is not None and user.active
            except (VerificationError, InvalidHashError):
                ok = False
        else:  # the same work, so the answer time says nothing either
            with contextlib.suppress(VerificationError, InvalidHashError):
                _hasher.verify(_DUMMY_HASH, password or "")
        session.add(LoginAttempt(at=now, email=email, address=address, ok=ok))
        if until is None and not ok:
            audit.record(session, email or "(empty)", "login.failed", None, {"address": address})
        if ok and user is not None:
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            user.last_login_at = now
            token = start_session(session, user, address, now)
            audit.record(session, user.email, "login", None, {"address": address})
            return Login(Actor(user.email, Role(user.role)), token)
    if until is not None:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        raise AuthError(
            f"Too many failed logins: try again in {minutes} minute{'s' if minutes > 1 else ''}.",
            hint="The owner can reset a forgotten password.",
        )
    raise AuthError("Wrong email or password.")


# -- sessions -----------------------------------------------------------------------------


def start_session(
    session: Session, user: User, address: str, now: dt.datetime | None = None
) -> str:
    """A new session for ``user``; the token for the cookie."""
    now = _now(now)
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            address=address[:64],
        )
    )
    session.flush()
    return token


def session_actor(session: Session, token: str | None, now: dt.datetime | None = None) -> Actor:
    """The Actor of a live session, reloaded from the database; AuthError saying why not."""
    now = _now(now)
    if not token:
        raise AuthError("Please log in.")
    found = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == _digest(token))
    ).first()
    if found is None:
        raise AuthError("Your session has ended. Please log in again.")
    row, user = found
    if not user.active:
        session.delete(row)
        raise AuthError("Your account was deactivated.")
    if now - row.created_at > ABSOLUTE_TIMEOUT or now - row.last_seen_at > IDLE_TIMEOUT:
        session.delete(row)
        raise AuthError("Your session has expired. Please log in again.")
    if now - row.last_seen_at > TOUCH_EVERY:
        row.last_seen_at = now
    return Actor(user.email, Role(user.role))


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(UserSession).where(UserSession.token_hash == _digest(token)))


def _revoke_all(session: Session, user_id: int) -> None:
    session.execute(delete(UserSession).where(UserSession.user_id == user_id))


# -- the owner's user management -----------------------------------------------------------


def _user(session: Session, email: str) -> User:
    found = session.scalar(select(User).where(User.email == email.strip().lower()))
    if found is None:
        raise NotFound(f"No user {email!r}.", hint="See `python -m core users list`.")
    return found


def _keep_an_owner(session: Session, user: User) -> None:
    if user.role != Role.OWNER.value or not user.active:
        return
    owners = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.OWNER.value, User.active.is_(True), User.id != user.id)
    )
    if not owners:
        raise ValidationError(
            f"{user.email} is the last active owner.",
            field="email",
            hint="Make another user owner first.",
        )


def set_active(session: Session, actor: Actor, email: str, active: bool) -> User:
    """Deactivate (sessions end at once) or reactivate a user."""
    require(actor, Action.MANAGE_USERS)
    user = _user(session, email)
    if not active:
        _keep_an_owner(session, user)
        _revoke_all(session, user.id)
    user.active = active
    session.flush()
    audit.record(session, actor.name, "user.activate" if active else "user.deactivate", user.email)
    return user


def change_role(session: Session, actor: Actor, email: str, role: str | Role) -> User:
    """Give a user another role (it applies to their next click)."""
    require(actor, Action.MANAGE_USERS)
    new = role if isinstance(role, Role) else parse_role(role)
    user = _user(session, email)
    if new != Role.OWNER:
        _keep_an_owner(session, user)
    old = user.role
    user.role = new.value
    session.flush()
    audit.record(session, actor.name, "user.role", user.email, {"from": old, "to": new.value})
    return user


def reset_password(session: Session, actor: Actor, email: str, password: str) -> User:
    """Set a new password (policy checked); the user's sessions end at once."""
    require(actor, Action.MANAGE_USERS)
    user = _user(session, email)
    check_password(password, user.email)
    user.password_hash = _hasher.hash(password)
    _revoke_all(session, user.id)
    # a reset lifts the account's throttling (failures count from the last success)
    session.add(LoginAttempt(at=_now(None), email=user.email, address="(reset)", ok=True))
    session.flush()
    audit.record(session, actor.name, "user.password_reset", user.email)
    return user
