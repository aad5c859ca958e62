"""The outcome of an import, as the CLI and the Data page report it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from core.errors import ImportRejected, RowError


@dataclass
class Counts:
    """What was (or, in a dry run, would be) written, and references that did not resolve."""

    orders_created: int = 0
    orders_updated: int = 0
    customers_created: int = 0
    customers_updated: int = 0
    lines_written: int = 0
    reviews_written: int = 0
    products_written: int = 0
    shipments_written: int = 0
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportSummary(Counts):
    """The counts of the write, the rows read and rejected (every rejected row in ``errors``)."""

    rows_read: int = 0
    rows_rejected: int = 0
    dry_run: bool = False
    kind: str = "orders"
    format: str = "native"

    def counts(self) -> dict[str, int]:
        """The numeric fields (the audit log's detail)."""
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if isinstance(getattr(self, f.name), int)
            and not isinstance(getattr(self, f.name), bool)
        }

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["errors"] = [dataclasses.asdict(e) for e in self.errors]
        return data


class RejectedFile(ImportRejected):
    """An :class:`ImportRejected` that also carries the summary (rows read and rejected)."""

    def __init__(self, summary: ImportSummary):
        rejected = summary.rows_rejected
        super().__init__(
            f"{rejected} of {summary.rows_read} rows were rejected; nothing was imported.",
            summary.errors,
        )
        self.summary = summary


def rejected(summary: ImportSummary, errors: list[RowError]) -> RejectedFile:
    errors = sorted(errors, key=lambda e: (e.row, e.column))
    summary.errors = errors
    summary.rows_rejected = len({e.row for e in errors})
    return RejectedFile(summary)
