"""member_identity: a member's issuer + subject at the organization's single sign-on provider

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "member_identity",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("org_id", Id, nullable=False),
        sa.Column("member_id", Id, nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_member_identity_member_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organization.id"], name=op.f("fk_member_identity_org_id_organization")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_identity")),
        sa.UniqueConstraint(
            "org_id", "issuer", "subject", name=op.f("uq_member_identity_org_id_issuer_subject")
        ),
        sa.UniqueConstraint(
            "org_id", "member_id", "issuer", name=op.f("uq_member_identity_org_id_member_id_issuer")
        ),
    )


def downgrade() -> None:
    op.drop_table("member_identity")
