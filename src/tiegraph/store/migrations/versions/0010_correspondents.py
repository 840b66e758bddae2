"""company.inferred: companies made from a correspondent's mail domain (origin "correspondence")

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # person.origin is a free String(16): "correspondence" needs no change to it.
    op.add_column(
        "company", sa.Column("inferred", sa.Boolean(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("company") as batch_op:
        batch_op.drop_column("inferred")
