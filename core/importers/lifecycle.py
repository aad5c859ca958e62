"""The status of orders an import updated, recomputed from what is stored.

An update writes the file's values over the stored ones; the stored moments the file does not
carry (a cancellation raised by event, a later parcel) still count. This recomputes the status
of those orders with the rule of :func:`core.orderstate.apply_event` (the vectorised
:func:`core.orderstate.statuses`, the stored status as floor), from facts the database reduces
to flags, so no timestamp or amount is read back into Python."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, exists, not_, or_, select

from core.importers.job import table
from core.importers.writer import Writer
from core.orderstate import statuses

IN_CHUNK = 5_000


def _flags_query(ids: list[int]) -> Any:
    orders, parcels = table("orders"), table("shipments")
    own = parcels.c.order_id == orders.c.id
    done = or_(parcels.c.delivered_at.is_not(None), parcels.c.picked_up_at.is_not(None))
    sent = or_(
        done,
        parcels.c.shipped_at.is_not(None),
        parcels.c.out_for_delivery_at.is_not(None),
        parcels.c.ready_for_pickup_at.is_not(None),
    )
    return select(
        orders.c.id,
        orders.c.status,
        orders.c.cancelled_at.is_not(None),
        and_(orders.c.refunded_at.is_not(None), orders.c.refunded_amount >= orders.c.total),
        and_(exists().where(own), not_(exists().where(own, not_(done)))),
        exists().where(own, sent),
        orders.c.paid_at.is_not(None),
    ).where(orders.c.id.in_(ids))


def refresh_statuses(writer: Writer, order_ids: pd.Series) -> None:
    """Recompute the status of known orders from their stored moments and shipments, as
    :func:`core.orderstate.refresh_status` does for one."""
    wanted = pd.unique(order_ids.dropna().astype("int64"))
    rows: list[Any] = []
    for start in range(0, len(wanted), IN_CHUNK):
        chunk = [int(i) for i in wanted[start : start + IN_CHUNK]]
        rows += [tuple(r) for r in writer.conn.execute(_flags_query(chunk))]
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    ids = np.fromiter(columns[0], dtype=np.int64, count=len(rows))
    stored = np.array(columns[1], dtype=object)
    flag = [np.fromiter(map(bool, columns[i]), dtype=bool, count=len(rows)) for i in range(2, 7)]
    status = statuses(
        cancelled=flag[0],
        fully_refunded=flag[1],
        delivered=flag[2],
        shipped=flag[3],
        paid=flag[4],
        floor=stored,
    )
    changed = status != stored
    if changed.any():
        frame = pd.DataFrame({"id": ids[changed], "status": status[changed]})
        writer.update(table("orders"), frame)
