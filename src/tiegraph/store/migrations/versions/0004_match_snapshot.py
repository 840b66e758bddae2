"""match_snapshot and directory_revision: contact matching's index, saved per directory revision

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tiegraph.store.directory_triggers import create_triggers, drop_triggers

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# The rows contact matching reads, and the columns of theirs it reads: an UPDATE of one of
# these or any DELETE bumps the organization's revision. Inserts need no trigger: they show in
# the tables' largest ids, and a trigger on each inserted row would slow every bulk load.
WATCHED = {
    "person": ("org_id", "first_name", "last_name", "full_name", "company_id", "archived_at"),
    "person_email": ("org_id", "person_id", "email"),
    "employment": ("org_id", "person_id", "company_id"),
    "company": ("org_id", "name", "archived_at"),
    "company_domain": ("org_id", "company_id", "domain"),
}

_PG_FUNCTION = """
CREATE FUNCTION tiegraph_directory_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO directory_revision (org_id, revision) VALUES (OLD.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET revision = directory_revision.revision + 1;
    ELSE
        INSERT INTO directory_revision (org_id, revision) VALUES (NEW.org_id, 1)
        ON CONFLICT (org_id) DO UPDATE SET revision = directory_revision.revision + 1;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    op.create_table(
        "directory_revision",
        sa.Column("org_id", Id, sa.ForeignKey("organization.id"), primary_key=True),
        sa.Column("revision", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.create_table(
        "match_snapshot",
        sa.Column("org_id", Id, sa.ForeignKey("organization.id"), primary_key=True),
        sa.Column("part", sa.Integer(), primary_key=True),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(300), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
    for table, columns in WATCHED.items():
        for statement in create_triggers(op.get_bind().dialect.name, table, columns):
            op.execute(statement)


def downgrade() -> None:
    for table in WATCHED:
        for statement in drop_triggers(op.get_bind().dialect.name, table):
            op.execute(statement)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS tiegraph_directory_changed()")
    op.drop_table("match_snapshot")
    op.drop_table("directory_revision")
