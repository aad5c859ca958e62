"""The audit log is append-only from the application: no code updates or deletes its rows."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_code_updates_or_deletes_audit_entries() -> None:
    pattern = re.compile(
        r"(update|delete)\(\s*AuditEntry|(UPDATE|DELETE FROM)\s+audit_log|"
        r"session\.delete\([^)]*audit",
        re.IGNORECASE,
    )
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("core", "dashboard", "pages")
        for path in (ROOT / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
