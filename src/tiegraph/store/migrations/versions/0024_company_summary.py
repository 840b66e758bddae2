"""The accounts' read model: company_knower and company_coverage

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 02:55:00

Both tables start empty and are filled by the next rescore (`serve` runs one at start when they
are missing: services/activity/daily_rescore.py), then kept by every write of their inputs.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "company_knower",
        sa.Column("org_id", ID, primary_key=True),
        sa.Column("company_id", ID, primary_key=True),
        sa.Column("member_id", ID, primary_key=True),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.Column("person_id", ID, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "company_id", "member_id", name="pk_company_knower"),
    )
    op.create_table(
        "company_coverage",
        sa.Column("org_id", ID, primary_key=True),
        sa.Column("company_id", ID, primary_key=True),
        sa.Column("strong", sa.Integer(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "company_id", name="pk_company_coverage"),
    )
    op.create_index(
        "ix_company_coverage_rank",
        "company_coverage",
        ["org_id", "strong", "known", "company_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_company_coverage_rank", table_name="company_coverage")
    op.drop_table("company_coverage")
    op.drop_table("company_knower")
