"""custom_property.created_by: who made a gallery column (they or an admin may delete it)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Columns made before keep no maker: only an admin may delete those.
    op.add_column(
        "custom_property",
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table("custom_property") as batch_op:
        batch_op.drop_column("created_by")
