"""Work apart from the web: uploads in the store, intro delivery as a job, a data version,
token refresh claimed rather than locked

- upload, upload_chunk: an uploaded file's bytes in chunks, so a worker on any host reads them.
- intro_delivery: one row per intro request sent by SMTP (its unique key), whose state a rerun
  of the sending job checks so that it never sends twice.
- org_change: a counter per organization that finished imports bump; web processes warm again
  and drop cached answers when it moves.
- connected_account.refreshing_until: a refresher's claim, held while the provider answers
  instead of the row's lock.

Every new table has org_id in its primary key and no foreign keys (distribution-ready).

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-06 02:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _created() -> sa.Column[object]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


def upgrade() -> None:
    op.create_table(
        "upload",
        sa.Column("org_id", Id, primary_key=True),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("complete", sa.Boolean(), nullable=False, server_default="0"),
        _created(),
    )
    op.create_index("ix_upload_created_at", "upload", ["org_id", "created_at"])
    op.create_table(
        "upload_chunk",
        sa.Column("org_id", Id, primary_key=True),
        sa.Column("upload_id", sa.String(32), primary_key=True),
        sa.Column("chunk_no", sa.Integer(), primary_key=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "intro_delivery",
        sa.Column("org_id", Id, primary_key=True),
        sa.Column("request_id", Id, primary_key=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=False, server_default=""),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "org_change",
        sa.Column("org_id", Id, primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "connected_account",
        sa.Column("refreshing_until", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    # Plain ALTER TABLE DROP COLUMN (SQLite 3.35+), as 0017 does.
    op.drop_column("connected_account", "refreshing_until")
    op.drop_table("org_change")
    op.drop_table("intro_delivery")
    op.drop_table("upload_chunk")
    op.drop_index("ix_upload_created_at", table_name="upload")
    op.drop_table("upload")
