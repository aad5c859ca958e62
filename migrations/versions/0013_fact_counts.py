"""fact counts: customers, repeat customers, cohort cells and gaps, kept with the facts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01

Filled by ``core.facts`` (the facts version stored in the settings changes with this revision,
so ``init`` or the first fast KPI read rebuilds the facts).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fact_counts",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "bucket", name=op.f("pk_fact_counts")),
    )


def downgrade() -> None:
    op.drop_table("fact_counts")
