"""directory_revision also watches job titles, which contact matching now reads

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 20:00:00
"""

from __future__ import annotations

from alembic import op

from tiegraph.store.directory_triggers import create_triggers, drop_triggers

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PERSON_BEFORE = (
    "org_id", "first_name", "last_name", "full_name", "company_id", "archived_at", "profile_url"
)  # fmt: skip
EMPLOYMENT_BEFORE = ("org_id", "person_id", "company_id")
BEFORE = {"person": PERSON_BEFORE, "employment": EMPLOYMENT_BEFORE}
WATCHED = {table: (*columns, "title") for table, columns in BEFORE.items()}


def upgrade() -> None:
    _replace(WATCHED)


def downgrade() -> None:
    _replace(BEFORE)


def _replace(watched: dict[str, tuple[str, ...]]) -> None:
    dialect = op.get_bind().dialect.name
    for table, columns in watched.items():
        for statement in (
            *drop_triggers(dialect, table),
            *create_triggers(dialect, table, columns),
        ):
            op.execute(statement)
