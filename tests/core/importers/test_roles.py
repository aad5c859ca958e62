"""Role x action: who may import (owner, merchant) and who may not (manager, analyst)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core import importers
from core.auth import Actor, Role
from core.errors import PermissionDenied
from tests.core.importers.conftest import table_counts

CSV = b"order_id,customer_id,placed_at,total\nR-1,C-1,2024-01-01,10\n"


def test_import_by_role(session: Session) -> None:
    for role in (Role.MANAGER, Role.ANALYST):
        actor = Actor(f"{role.value}@example.com", role)
        for dry_run in (False, True):
            with pytest.raises(PermissionDenied, match=role.value):
                importers.import_csv(session, actor, CSV, dry_run=dry_run)
    session.rollback()
    assert table_counts(session)["orders"] == 0
    for role, expected in ((Role.OWNER, (1, 0)), (Role.MERCHANT, (0, 1))):
        actor = Actor(f"{role.value}@example.com", role)
        assert (
            importers.import_csv(session, actor, CSV, dry_run=True).orders_created
            == 1 - expected[1]
        )
        summary = importers.import_csv(session, actor, CSV)
        session.commit()
        assert (summary.orders_created, summary.orders_updated) == expected
    assert table_counts(session)["orders"] == 1
