"""Stored inputs of the shown score: tie.volume, member.pace and member.pace_factor, in indexes

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 23:45:00

Existing rows get NULL: views score such a tie from its state until the next rescore (run at
`serve` start when a tie lacks its volume) fills them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


SHOWN = ["member_id", "volume", "explicit", "last_at"]


def upgrade() -> None:
    op.add_column("tie", sa.Column("volume", sa.Float(), nullable=True))
    op.add_column("member", sa.Column("pace", sa.Float(), nullable=True))
    op.add_column("member", sa.Column("pace_factor", sa.Float(), nullable=True))
    # The gallery's and accounts' columns read these indexes only, never the wide tie rows.
    op.drop_index("ix_tie_org_id_person_id_score", table_name="tie")
    op.create_index("ix_tie_person_shown", "tie", ["org_id", "person_id", "score", *SHOWN])
    op.drop_index("ix_tie_org_id_company_id_score_person_id_member_id", table_name="tie")
    op.create_index(
        "ix_tie_company_shown", "tie", ["org_id", "company_id", "score", "person_id", *SHOWN]
    )


def downgrade() -> None:
    op.drop_index("ix_tie_company_shown", table_name="tie")
    op.create_index(
        "ix_tie_org_id_company_id_score_person_id_member_id",
        "tie",
        ["org_id", "company_id", "score", "person_id", "member_id"],
    )
    op.drop_index("ix_tie_person_shown", table_name="tie")
    op.create_index("ix_tie_org_id_person_id_score", "tie", ["org_id", "person_id", "score"])
    with op.batch_alter_table("member") as batch:
        batch.drop_column("pace_factor")
        batch.drop_column("pace")
    with op.batch_alter_table("tie") as batch:
        batch.drop_column("volume")
