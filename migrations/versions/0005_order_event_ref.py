"""order events keyed by (order, type, ref)

Repeatable events (a second shipment, another partial refund, a later slot change) carry their
own reference in ``ref``; events that happen once per order keep ``ref = ''``.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ref", sa.String(length=64), server_default="", nullable=False)
        )
        batch_op.drop_constraint("uq_order_events_order_id_type", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_order_events_order_id_type_ref"), ["order_id", "type", "ref"]
        )


def downgrade() -> None:
    # Going back to one event per (order, type) keeps the earliest recorded of each.
    op.execute(
        "DELETE FROM order_events WHERE id NOT IN "
        "(SELECT MIN(id) FROM order_events GROUP BY order_id, type)"
    )
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_order_events_order_id_type_ref", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_order_events_order_id_type"), ["order_id", "type"]
        )
        batch_op.drop_column("ref")
