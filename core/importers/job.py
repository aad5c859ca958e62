"""The state of one import's write phase, shared by the upsert functions."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
    ids = map_keys(frame[key], pd.Series(found["id"].to_numpy(), index=found[key].to_numpy()))
    frame = frame.assign(id=ids.astype("Int64"))
    return frame[frame["id"].isna()].copy(), frame[frame["id"].notna()].copy()


def map_keys(keys: pd.Series, ids: pd.Series) -> pd.Series:
    """``keys.map(ids)`` for text keys (``ids`` indexed by unique keys), NA where unknown: one
    hash lookup per key in pyarrow (pandas' map costs about a microsecond per key)."""
    if not len(keys) or not len(ids):
        return pd.Series(pd.NA, index=keys.index, dtype="Int64")
    try:
        value_set = pa.array(ids.index.to_numpy(dtype=object), type=pa.string())
        wanted = pa.array(keys, type=pa.string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # keys that are not text
        return keys.map(ids).astype("Int64")
    positions = pc.index_in(wanted, value_set=value_set)
    found = positions.is_valid().to_numpy(zero_copy_only=False)
    taken = np.zeros(len(keys), dtype=np.int64)
    taken[found] = ids.to_numpy(dtype=np.int64)[positions.drop_null().to_numpy()]
    return pd.Series(pd.arrays.IntegerArray(taken, ~found), index=keys.index)
