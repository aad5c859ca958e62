"""rfm cells: customers by last order day and order count, for RFM segments from the facts

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01

``rfm_cells`` is kept with the facts by ``core.facts`` (see ``core.models.facts.RfmCell``).
Filled here from the stored ``customer_facts`` with the statement ``core.facts`` uses for a
rebuild (empty when the facts are not built yet), so the facts version stays.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL = """
INSERT INTO rfm_cells (last_day, orders, currency, customers, gross)
WITH p AS (
  SELECT customer_id, MAX(last_day) AS last_day, SUM(orders) AS orders
  FROM customer_facts GROUP BY customer_id)
SELECT last_day, orders, '', COUNT(*), 0 FROM p GROUP BY last_day, orders
UNION ALL
SELECT p.last_day, p.orders, f.currency, COUNT(*), SUM(f.gross)
FROM p JOIN customer_facts f ON f.customer_id = p.customer_id
GROUP BY p.last_day, p.orders, f.currency"""


def upgrade() -> None:
    op.create_table(
        "rfm_cells",
        sa.Column("last_day", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("last_day", "orders", "currency", name=op.f("pk_rfm_cells")),
    )
    op.execute(FILL)


def downgrade() -> None:
    op.drop_table("rfm_cells")
