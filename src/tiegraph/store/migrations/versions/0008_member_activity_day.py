"""member_activity_day: members' activity per day, for who-knows as of a past date

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Empty until the next `ties rescore` (daily in `serve`) or ingest builds it from the
    # stored interactions; until then `who-knows --as-of` reads the interactions themselves.
    op.create_table(
        "member_activity_day",
        sa.Column("org_id", Id, sa.ForeignKey("organization.id"), primary_key=True),
        sa.Column("member_id", Id, sa.ForeignKey("member.id"), primary_key=True),
        sa.Column("day", sa.Integer(), primary_key=True),
        sa.Column("recent", sa.Float(), nullable=False),
        sa.Column("usual", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("member_activity_day")
