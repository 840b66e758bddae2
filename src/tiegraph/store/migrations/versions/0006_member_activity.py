"""member.activity, organization.activity_pace: members' recent and usual pace, for who-knows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL until the next ingest or `ties rescore` (daily in `serve`) fills it; until then
    # who-knows reads every member as busy as usual, which is how it ranked before.
    op.add_column("member", sa.Column("activity", sa.JSON(), nullable=True))
    op.add_column("organization", sa.Column("activity_pace", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("organization") as batch_op:
        batch_op.drop_column("activity_pace")
    with op.batch_alter_table("member") as batch_op:
        batch_op.drop_column("activity")
