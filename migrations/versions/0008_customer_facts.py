"""customer facts and customer days

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

The rows are filled by ``core.facts.ensure`` (``python -m core init`` and the first fast KPI
read), not here, so that this migration does not depend on application code.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_facts",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Float(), nullable=False),
        sa.Column("discount", sa.Float(), nullable=False),
        sa.Column("refunds", sa.Float(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("rating_sum", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("nps_answers", sa.Integer(), nullable=False),
        sa.Column("promoters", sa.Integer(), nullable=False),
        sa.Column("detractors", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_facts_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "currency", name=op.f("pk_customer_facts")),
    )
    op.create_table(
        "customer_days",
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("new_month", sa.Integer(), nullable=False),
        sa.Column("gap", sa.Integer(), nullable=True),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_days_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", "day", name=op.f("pk_customer_days")),
    )
    op.create_index(
        "ix_customer_days_cohort", "customer_days", ["first_month", "month", "new_month"]
    )
    op.create_index("ix_customer_days_gap", "customer_days", ["gap"])


def downgrade() -> None:
    op.drop_index("ix_customer_days_gap", table_name="customer_days")
    op.drop_index("ix_customer_days_cohort", table_name="customer_days")
    op.drop_table("customer_days")
    op.drop_table("customer_facts")
