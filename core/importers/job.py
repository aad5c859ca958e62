"""The state of one import's write phase, shared by the upsert functions."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Table

from core.importers.summary import Counts
from core.importers.writer import Writer
from core.models import Base

EVENT_SOURCE = "import"


def table(name: str) -> Table:
    return Base.metadata.tables[name]


@dataclass
class Job:
    writer: Writer
    tz: ZoneInfo
    dry_run: bool
    counts: Counts


def split(frame: pd.DataFrame, found: pd.DataFrame, key: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(new rows, existing rows with their ``id``)."""
    if found.empty:  # a first import: nothing to map
        new = frame.assign(id=pd.Series(pd.NA, index=frame.index, dtype="Int64"))
        return new, new.iloc[:0].copy()
    ids = frame[key].map(pd.Series(found["id"].to_numpy(), index=found[key].to_numpy()))
    frame = frame.assign(id=ids.astype("Int64"))
    return frame[frame["id"].isna()].copy(), frame[frame["id"].notna()].copy()
