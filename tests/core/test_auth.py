from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core import accounts, auth
from core.auth import PERMISSIONS, Action, Actor, Role
from core.errors import AuthError, OrderflowError, PermissionDenied, ValidationError
from core.models import AuditEntry, User

# The table of role x action the product promises (README, issue 2).
EXPECTED = {
    Role.OWNER: set(Action),
    Role.MERCHANT: set(Action) - {Action.MANAGE_USERS},
    Role.MANAGER: {
        Action.VIEW_KPIS,
        Action.VIEW_WORKFLOWS,
        Action.VIEW_TEMPLATES,
        Action.VIEW_OUTBOX,
    },
    Role.ANALYST: {Action.VIEW_KPIS, Action.EXPORT_DATA},
}


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_role_by_action(role: Role, action: Action) -> None:
    actor = Actor("someone@example.com", role)
    if action in EXPECTED[role]:
        auth.require(actor, action)
    else:
        with pytest.raises(PermissionDenied, match=role.value):
            auth.require(actor, action)
    assert set(PERMISSIONS[role]) == EXPECTED[role]


def test_first_owner_then_login(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(accounts.ENV_SETUP_CODE, "TEST-CODE-1234")
    accounts.issue_setup_code(engine)
    accounts.create_owner(session, "Owner@Example.com", "correct horse battery", "TEST-CODE-1234")
    session.commit()
    stored = session.scalar(select(User))
    assert stored is not None and stored.email == "owner@example.com"
    assert "correct horse" not in stored.password_hash and stored.password_hash.startswith(
        "$argon2"
    )
    actor = accounts.login(engine, "owner@example.com", "correct horse battery").actor
    assert actor == Actor("owner@example.com", Role.OWNER)
    with pytest.raises(AuthError, match="Wrong email or password"):
        accounts.login(engine, "owner@example.com", "wrong password!")
    with pytest.raises(OrderflowError):
        accounts.create_owner(
            session, "second@example.com", "another long password", "TEST-CODE-1234"
        )
    assert session.scalar(select(AuditEntry.action)) == "user.create"


def test_only_owner_adds_users(session: Session) -> None:
    owner = Actor("o@example.com", Role.OWNER)
    auth.add_user(session, owner, "m@example.com", "merchant password", Role.MERCHANT)
    with pytest.raises(PermissionDenied):
        auth.add_user(
            session, Actor("m@example.com", Role.MERCHANT), "x@example.com", "x" * 12, Role.OWNER
        )
    with pytest.raises(ValidationError, match="exists already"):
        auth.add_user(session, owner, "m@example.com", "merchant password", Role.MERCHANT)
    with pytest.raises(ValidationError, match="at least 10"):
        auth.add_user(session, owner, "n@example.com", "short", Role.ANALYST)
    with pytest.raises(ValidationError, match="not an email"):
        auth.add_user(session, owner, "not-an-email", "long enough pw", Role.ANALYST)
