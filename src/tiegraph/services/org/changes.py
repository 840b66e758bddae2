"""An organization's data version: a counter that finished imports and sync runs bump, so that
every web process, on any host, learns that the data changed under it (web/freshness.py) by
reading one small row rather than being told."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, select

from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.bulk import dialect_insert
from tiegraph.store.schema import org_change


def note_change(store: Store, org: Org) -> int:
    """The organization's data changed (an import, ingest or sync run finished): its new version."""
    with store.write() as conn:
        stmt = dialect_insert(conn, org_change).values(
            org_id=org.id, version=1, changed_at=datetime.now(UTC)
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["org_id"],
            set_={"version": org_change.c.version + 1, "changed_at": stmt.excluded.changed_at},
        )
        conn.execute(stmt)
        version = conn.execute(
            select(org_change.c.version).where(org_change.c.org_id == org.id)
        ).scalar_one()
    return int(version)


def data_versions(store: Store) -> dict[int, int]:
    """Every organization's version that ever changed (one row each: cheap to read often)."""
    with store.read() as conn:
        return {int(r.org_id): int(r.version) for r in conn.execute(select(org_change))}


# Built once with a bound parameter: the person page reads it on every view (web/paths_cache.py).
_VERSION = select(org_change.c.version).where(org_change.c.org_id == bindparam("org_id"))


def data_version(store: Store, org: Org) -> int:
    """The organization's version: 0 until its data first changes through a job."""
    with store.read() as conn:
        return version_of(conn, org)


def version_of(conn: Connection, org: Org) -> int:
    """`data_version` on a connection already open."""
    return int(conn.execute(_VERSION, {"org_id": org.id}).scalar_one_or_none() or 0)
