"""intro_request: the requester's note, the one-line why, the introducer's reason to decline;
requests already sent forget their text (it is in the mailboxes), as sent ones do from now on

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("intro_request") as batch:
        batch.add_column(sa.Column("note", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("why", sa.String(length=500), server_default="", nullable=False))
        batch.add_column(
            sa.Column("decline_reason", sa.String(length=500), server_default="", nullable=False)
        )
    op.execute("UPDATE intro_request SET subject = '', body = '' WHERE status <> 'draft'")


def downgrade() -> None:
    with op.batch_alter_table("intro_request") as batch:
        batch.drop_column("decline_reason")
        batch.drop_column("why")
        batch.drop_column("note")
