"""directory_revision also watches phones and profile URLs, which contact matching now reads

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 18:00:00
"""

from __future__ import annotations

from alembic import op

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
    _drop("person", dialect)
    for table, columns in WATCHED.items():
        for statement in _triggers(dialect, table, columns):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in WATCHED:
        _drop(table, dialect)
    for statement in _triggers(dialect, "person", PERSON_BEFORE):
        op.execute(statement)


def _drop(table: str, dialect: str) -> None:
    for when in ("update", "delete"):
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_directory_revision_{when} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_directory_revision_{when}")


_BUMP = (
    "INSERT INTO directory_revision (org_id, revision) VALUES ({row}.org_id, 1) "
    "ON CONFLICT (org_id) DO UPDATE SET revision = directory_revision.revision + 1"
)


def _triggers(dialect: str, table: str, columns: tuple[str, ...]) -> list[str]:
    """As in 0004: an UPDATE of a watched column or any DELETE bumps the revision."""
    watched = ", ".join(columns)
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER {table}_directory_revision_{when} AFTER {event} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tiegraph_directory_changed()"
            for when, event in (("update", f"UPDATE OF {watched}"), ("delete", "DELETE"))
        ]
    return [
        f"CREATE TRIGGER {table}_directory_revision_update AFTER UPDATE OF {watched} ON {table} "
        f"BEGIN {_BUMP.format(row='NEW')}; END",
        f"CREATE TRIGGER {table}_directory_revision_delete AFTER DELETE ON {table} "
        f"BEGIN {_BUMP.format(row='OLD')}; END",
    ]
