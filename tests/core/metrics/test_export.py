"""Exporting KPI tables is a role-checked action."""

from __future__ import annotations

import pandas as pd
import pytest

from core.auth import Actor, Role
from core.csvout import CsvFormat
from core.errors import PermissionDenied
from core.metrics.summary import export_csv

FRAME = pd.DataFrame({"cohort": ["2024-01"], "share": [0.5]})


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.OWNER, True), (Role.MERCHANT, True), (Role.ANALYST, True), (Role.MANAGER, False)],
)
def test_export_csv_by_role(role: Role, allowed: bool) -> None:
    actor = Actor(f"{role.value}@example.com", role)
    if not allowed:
        with pytest.raises(PermissionDenied):
            export_csv(actor, FRAME)
        return
    data = export_csv(actor, FRAME, CsvFormat.european())
    assert data.startswith(b"\xef\xbb\xbf") and b"2024-01;0,5" in data
