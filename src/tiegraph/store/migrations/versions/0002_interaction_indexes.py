"""interaction indexes: one (person, member, time) index, and addresses only while unresolved

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UNRESOLVED = sa.text("person_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("interaction") as batch_op:
        batch_op.drop_index("ix_interaction_org_id_member_id_person_id_occurred_at")
        batch_op.drop_index("ix_interaction_org_id_person_id_occurred_at")
        batch_op.drop_index("ix_interaction_org_id_address")
        batch_op.create_index(
            "ix_interaction_org_id_person_id_member_id_occurred_at",
            ["org_id", "person_id", "member_id", "occurred_at"],
        )
        batch_op.create_index(
            "ix_interaction_org_id_address",
            ["org_id", "address"],
            sqlite_where=UNRESOLVED,
            postgresql_where=UNRESOLVED,
        )


def downgrade() -> None:
    with op.batch_alter_table("interaction") as batch_op:
        batch_op.drop_index("ix_interaction_org_id_address")
        batch_op.drop_index("ix_interaction_org_id_person_id_member_id_occurred_at")
        batch_op.create_index("ix_interaction_org_id_address", ["org_id", "address"])
        batch_op.create_index(
            "ix_interaction_org_id_person_id_occurred_at", ["org_id", "person_id", "occurred_at"]
        )
        batch_op.create_index(
            "ix_interaction_org_id_member_id_person_id_occurred_at",
            ["org_id", "member_id", "person_id", "occurred_at"],
        )
