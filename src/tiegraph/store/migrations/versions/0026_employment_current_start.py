"""Current jobs by employer and start date: My day's people new at a target account

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 06:20:00

My day lists the people whose current job at a target account started in the last 90 days
(services/insights/my_day.py `_new_people`). With only the (org_id, company_id) index it read
every employment row, current or not, of every target account per view: a big account's whole
history. This partial index holds current jobs only, ordered by start date, so the view reads
the few recent starts of each target.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

CURRENT = "end_date IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_employment_current_start",
        "employment",
        ["org_id", "company_id", "start_date"],
        sqlite_where=sa.text(CURRENT),
        postgresql_where=sa.text(CURRENT),
    )


def downgrade() -> None:
    op.drop_index("ix_employment_current_start", table_name="employment")
