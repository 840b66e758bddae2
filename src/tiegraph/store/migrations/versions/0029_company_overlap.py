"""The implicit company connections' read model: company_overlap

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 06:20:00

Filled here for every organization from the directory's histories by the one query the writers
use (store/overlaps.py); from then on the writers of its inputs keep it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tiegraph.store.overlaps import rebuild_overlaps

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "company_overlap",
        sa.Column("org_id", ID, primary_key=True),
        sa.Column("company_id", ID, primary_key=True),
        sa.Column("kind", sa.String(9), primary_key=True),
        sa.Column("member_row", ID, primary_key=True),
        sa.Column("person_row", ID, primary_key=True),
        sa.Column("member_person_id", ID, nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("place_id", ID, nullable=True),
        sa.Column("place", sa.String(300), nullable=False, server_default=""),
        sa.Column("m_start", sa.Date(), nullable=True),
        sa.Column("m_end", sa.Date(), nullable=True),
        sa.Column("p_start", sa.Date(), nullable=True),
        sa.Column("p_end", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint(
            "org_id", "company_id", "kind", "member_row", "person_row", name="pk_company_overlap"
        ),
    )
    op.create_index("ix_company_overlap_member", "company_overlap", ["org_id", "member_person_id"])
    op.create_index("ix_company_overlap_person", "company_overlap", ["org_id", "person_id"])
    conn = op.get_bind()
    for (org_id,) in conn.execute(sa.text("SELECT id FROM organization ORDER BY id")):
        rebuild_overlaps(conn, org_id)


def downgrade() -> None:
    op.drop_index("ix_company_overlap_person", table_name="company_overlap")
    op.drop_index("ix_company_overlap_member", table_name="company_overlap")
    op.drop_table("company_overlap")
