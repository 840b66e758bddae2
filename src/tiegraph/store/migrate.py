"""Schema versions: create or upgrade the store with Alembic, from code, on any open."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from tiegraph.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic settings for the shipped migrations, on `connection` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the head revision; returns (before, after)."""
    before = current_revision(engine)
    head = head_revision()
    if before == head:
        return before, head
    known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if before is not None and before not in known:
        raise StoreError(
            f"the database is at schema revision {before}, which this tiegraph does not know: "
            "it was written by a newer tiegraph; upgrade tiegraph"
        )
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    return before, head
