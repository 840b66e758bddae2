"""directory_revision also watches phones and profile URLs, which contact matching now reads

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

from alembic import op

from tiegraph.store.directory_triggers import create_triggers, drop_triggers

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PERSON_BEFORE = ("org_id", "first_name", "last_name", "full_name", "company_id", "archived_at")
WATCHED = {
    "person": (*PERSON_BEFORE, "profile_url"),
    "person_phone": ("org_id", "person_id", "phone"),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_triggers(dialect, "person"):
        op.execute(statement)
    for table, columns in WATCHED.items():
        for statement in create_triggers(dialect, table, columns):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        for statement in drop_triggers(dialect, table):
            op.execute(statement)
    for statement in create_triggers(dialect, "person", PERSON_BEFORE):
        op.execute(statement)
