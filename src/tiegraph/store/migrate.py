"""Schema versions: create or upgrade the store with Alembic, from code, on any open."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from tiegraph.errors import StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
STOPPED = "the schema upgrade stopped, nothing changed"


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
    _migrate(engine, lambda config: command.upgrade(config, "head"))
    return before, head


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to `revision` (an older tiegraph's), keeping every row."""
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    """Run `step` in one transaction. On SQLite, foreign keys are off meanwhile and checked
    all at once before the commit: SQLite changes a table's constraints only by rebuilding the
    table (DROP TABLE would otherwise check, and fail, every row pointing at it)."""
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # a no-op inside a transaction: set before the first statement begins one
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                step(alembic_config(conn))
                if sqlite:
                    _check_foreign_keys(conn)
        except IntegrityError as exc:  # PostgreSQL checking a key the migration adds
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(f"{STOPPED}: {reason}") from None
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _check_foreign_keys(conn: Connection) -> None:
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        table, rowid, parent, _ = broken[0]
        raise StoreError(
            f"{STOPPED}: {len(broken)} row(s) point at a row that is missing or belongs to "
            f"another organization, e.g. {table} row {rowid} -> {parent}"
        )
