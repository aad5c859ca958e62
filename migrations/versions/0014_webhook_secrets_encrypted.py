"""webhook step secrets stored encrypted, like live sources' secrets

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

``webhook_secrets.secret`` (clear text) becomes ``secret_encrypted`` (Fernet with the key derived
from ``ORDERFLOW_SECRET_KEY``, :func:`core.security.encrypt_secret`); existing rows are
encrypted, and the downgrade decrypts them back.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

from core import security

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_table = sa.table(
    "webhook_secrets",
    sa.column("id", sa.Integer),
    sa.column("secret", sa.String),
    sa.column("secret_encrypted", sa.Text),
)


def _convert(source: str, target: str, convert: Callable[[str], str]) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_table.c.id, _table.c[source])).all()
    for row_id, value in rows:
        bind.execute(sa.update(_table).where(_table.c.id == row_id).values({target: convert(value)}))


def upgrade() -> None:
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret_encrypted", sa.Text(), nullable=True))
    _convert("secret", "secret_encrypted", security.encrypt_secret)
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.alter_column("secret_encrypted", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("secret")


def downgrade() -> None:
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.String(length=128), nullable=True))
    _convert("secret_encrypted", "secret", security.decrypt_secret)
    with op.batch_alter_table("webhook_secrets", schema=None) as batch_op:
        batch_op.alter_column("secret", existing_type=sa.String(length=128), nullable=False)
        batch_op.drop_column("secret_encrypted")
