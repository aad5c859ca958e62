"""currency totals of the customer facts; facts without foreign keys

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

``customer_facts`` and ``customer_days`` are derived rows: they are recreated here without the
foreign key to ``customers`` (a cascade would delete facts behind the back of the currency
totals). They are filled again by ``core.facts`` (the facts version stored in the settings
changes with this revision, so ``init`` or the first fast KPI read rebuilds them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "delivered",
    "on_time",
    "reviews",
    "rating_sum",
    "satisfied",
    "nps_answers",
    "promoters",
    "detractors",
)


def _sums() -> list[sa.Column[int] | sa.Column[float]]:
    return [
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("gross", sa.Float(), nullable=False),
        sa.Column("discount", sa.Float(), nullable=False),
        sa.Column("refunds", sa.Float(), nullable=False),
    ]


def _counts() -> list[sa.Column[int]]:
    return [sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS]


def _fk(table: str, with_fk: bool) -> list[sa.ForeignKeyConstraint]:
    if not with_fk:
        return []
    return [
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f(f"fk_{table}_customer_id_customers"),
            ondelete="CASCADE",
        )
    ]


def _drop_facts() -> None:
    op.drop_index("ix_customer_days_gap", table_name="customer_days")
    op.drop_index("ix_customer_days_cohort", table_name="customer_days")
    op.drop_table("customer_days")
    op.drop_table("customer_facts")


def _create_facts(with_fk: bool) -> None:
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
        *_counts(),
        *_fk("customer_facts", with_fk),
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
        *_fk("customer_days", with_fk),
        sa.PrimaryKeyConstraint("customer_id", "day", name=op.f("pk_customer_days")),
    )
    op.create_index(
        "ix_customer_days_cohort", "customer_days", ["first_month", "month", "new_month"]
    )
    op.create_index("ix_customer_days_gap", "customer_days", ["gap"])


def upgrade() -> None:
    _drop_facts()
    _create_facts(with_fk=False)
    op.create_table(
        "currency_totals",
        sa.Column("currency", sa.String(length=3), nullable=False),
        *_sums(),
        *_counts(),
        sa.PrimaryKeyConstraint("currency", name=op.f("pk_currency_totals")),
    )


def downgrade() -> None:
    op.drop_table("currency_totals")
    _drop_facts()
    _create_facts(with_fk=True)
