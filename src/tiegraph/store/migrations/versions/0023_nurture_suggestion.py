"""nurture_suggestion: each member's nurture suggestions, stored for the nurture list and My day

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-06 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Empty until `serve` refreshes it at start (services/activity/daily_rescore.py); until
    # then the nurture list is computed from the interactions, as before.
    op.create_table(
        "nurture_suggestion",
        sa.Column("org_id", Id, primary_key=True),
        sa.Column("member_id", Id, primary_key=True),
        sa.Column("person_id", Id, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False, server_default=""),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rhythm_days", sa.Float(), nullable=False, server_default="0"),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("nurture_suggestion")
