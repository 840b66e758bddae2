"""The triggers that keep `directory_revision` (migrations 0004, 0007, 0009).

Contact matching saves an index of the directory and trusts it while the revision it was built at
holds. An UPDATE of a column matching reads, or any DELETE, of a row it reads bumps the
organization's revision; inserts need no trigger (they show in the tables' largest ids, and a
trigger on each inserted row would slow every bulk load). On PostgreSQL the triggers call
`tiegraph_directory_changed()`, made by migration 0004.
"""

from __future__ import annotations

__all__ = ["create_triggers", "drop_triggers"]

_BUMP = (
    "INSERT INTO directory_revision (org_id, revision) VALUES ({row}.org_id, 1) "
    "ON CONFLICT (org_id) DO UPDATE SET revision = directory_revision.revision + 1"
)


def create_triggers(dialect: str, table: str, columns: tuple[str, ...]) -> list[str]:
    """The statements making `table`'s two triggers: an UPDATE OF `columns`, and any DELETE."""
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


def drop_triggers(dialect: str, table: str) -> list[str]:
    """The statements dropping `table`'s two triggers, if they are there."""
    on = f" ON {table}" if dialect == "postgresql" else ""
    return [
        f"DROP TRIGGER IF EXISTS {table}_directory_revision_{when}{on}"
        for when in ("update", "delete")
    ]
