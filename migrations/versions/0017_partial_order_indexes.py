"""orders: the is_demo and platform_id indexes hold only the rows looked up

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01

Demo orders are found with ``is_demo`` true and live events by ``platform_id = ...``; the other
rows (every imported order) were index entries no query read, and an import of a million orders
rebuilt both indexes from a scan of the table. Partial indexes serve the same queries (SQLite and
PostgreSQL both use them for these conditions) and cost an import nothing.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTIAL = {
    "is_demo": ("is_demo = 1", "is_demo"),
    "platform_id": ("platform_id IS NOT NULL", "platform_id IS NOT NULL"),
}


def upgrade() -> None:
    for column, (sqlite_where, postgresql_where) in PARTIAL.items():
        op.drop_index(f"ix_orders_{column}", table_name="orders")
        op.create_index(
            f"ix_orders_{column}",
            "orders",
            [column],
            sqlite_where=sa.text(sqlite_where),
            postgresql_where=sa.text(postgresql_where),
        )


def downgrade() -> None:
    for column in PARTIAL:
        op.drop_index(f"ix_orders_{column}", table_name="orders")
        op.create_index(f"ix_orders_{column}", "orders", [column])
