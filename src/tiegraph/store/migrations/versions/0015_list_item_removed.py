"""list_item.removed_at, removed_by: a row taken off a list is kept, marked removed (never deleted)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 23:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("list_item", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("list_item", sa.Column("removed_by", Id, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("list_item") as batch_op:
        batch_op.drop_column("removed_by")
        batch_op.drop_column("removed_at")
