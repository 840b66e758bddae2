"""Stored inputs of the shown score: tie.volume, member.pace and member.pace_factor

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-05 23:45:00

Existing rows get NULL: views score such a tie from its state until the next rescore (run at
`serve` start when a tie lacks its volume) fills them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tie", sa.Column("volume", sa.Float(), nullable=True))
    op.add_column("member", sa.Column("pace", sa.Float(), nullable=True))
    op.add_column("member", sa.Column("pace_factor", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("member") as batch:
        batch.drop_column("pace_factor")
        batch.drop_column("pace")
    with op.batch_alter_table("tie") as batch:
        batch.drop_column("volume")
