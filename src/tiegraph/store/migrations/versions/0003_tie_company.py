"""tie.company_id: the person's current employer, kept on the tie for an account's top ties

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "tie",
        sa.Column(
            "company_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
    )
    op.execute(
        "UPDATE tie SET company_id = (SELECT person.company_id FROM person "
        "WHERE person.id = tie.person_id)"
    )
    # Ties of equal score in a fixed order, so that the walk pages by key, not by offset.
    op.create_index(
        "ix_tie_org_id_company_id_score_person_id_member_id",
        "tie",
        ["org_id", "company_id", "score", "person_id", "member_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_tie_org_id_company_id_score_person_id_member_id", table_name="tie")
    with op.batch_alter_table("tie") as batch_op:
        batch_op.drop_column("company_id")
