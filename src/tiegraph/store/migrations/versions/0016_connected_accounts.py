"""connected_account: a member's Google / Microsoft / OpenID Connect account, tokens sealed;
sync_source.account_id: a source that logs in with that account's token;
web_session.method: password or sso (password sign-in switched off ends the password ones)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "connected_account",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("org_id", Id, nullable=False),
        sa.Column("member_id", Id, nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=255), server_default="", nullable=False),
        sa.Column("email", sa.String(length=320), server_default="", nullable=False),
        sa.Column("scope", sa.Text(), server_default="", nullable=False),
        sa.Column("access_sealed", sa.Text(), nullable=True),
        sa.Column("refresh_sealed", sa.Text(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=12), server_default="connected", nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_connected_account_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_connected_account_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connected_account")),
        sa.UniqueConstraint(
            "org_id",
            "member_id",
            "provider",
            name=op.f("uq_connected_account_org_id_member_id_provider"),
        ),
    )
    with op.batch_alter_table("web_session") as batch:
        batch.add_column(
            sa.Column("method", sa.String(length=8), server_default="password", nullable=False)
        )
    with op.batch_alter_table("sync_source") as batch:
        batch.add_column(sa.Column("account_id", Id, nullable=True))
        batch.create_foreign_key(
            op.f("fk_sync_source_account_id_connected_account"),
            "connected_account",
            ["account_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("sync_source") as batch:
        batch.drop_constraint(
            op.f("fk_sync_source_account_id_connected_account"), type_="foreignkey"
        )
        batch.drop_column("account_id")
    op.drop_table("connected_account")
    with op.batch_alter_table("web_session") as batch:
        batch.drop_column("method")
