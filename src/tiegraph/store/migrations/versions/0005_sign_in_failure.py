"""sign_in_failure: failed sign-ins in the store, so that every server worker counts them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sign_in_failure",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failed_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_sign_in_failure_key", "sign_in_failure", ["key", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_sign_in_failure_key", table_name="sign_in_failure")
    op.drop_table("sign_in_failure")
