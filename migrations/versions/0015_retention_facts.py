"""customer days: retained and second-order flags, for the Retention page from the facts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01

``customer_days.retained`` is 1 on a customer's first order day of a month when they also
ordered in the month before; ``second_order`` is 1 on the day of the customer's second order.
``fact_counts`` gains the kinds ``retained`` and ``second`` (bucket = month). The cohort and gap
indexes go: every read of them is a ``fact_counts`` row now, and an import paid for building
them. Filled by ``core.facts`` (the facts version changes with this revision, so ``init`` or
the first fast KPI read rebuilds them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("retained", "second_order")


def upgrade() -> None:
    op.drop_index("ix_customer_days_gap", table_name="customer_days")
    op.drop_index("ix_customer_days_cohort", table_name="customer_days")
    with op.batch_alter_table("customer_days") as batch:
        for name in COLUMNS:
            batch.add_column(
                sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
            )


def downgrade() -> None:
    with op.batch_alter_table("customer_days") as batch:
        for name in COLUMNS:
            batch.drop_column(name)
    op.create_index(
        "ix_customer_days_cohort", "customer_days", ["first_month", "month", "new_month"]
    )
    op.create_index("ix_customer_days_gap", "customer_days", ["gap"])
