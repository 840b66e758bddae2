"""The store: schema, migrations, dialect set-up and bulk helpers, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from tiegraph.errors import StoreError
from tiegraph.store import Store, open_store
from tiegraph.store.bulk import (
    allocate_ids,
    driver_moment,
    first_per_key,
    insert_ignore,
    insert_plain,
    insert_returning,
    insert_rows,
    upsert_rows,
)
from tiegraph.store.engine import create_store_engine, resolve_url, safe_url
from tiegraph.store.migrate import current_revision, downgrade, head_revision
from tiegraph.store.schema import activity_item, company, metadata, organization

ENTITIES = {
    "organization",
    "member",
    "person",
    "company",
    "employment",
    "education",
    "contact",
    "contact_source",
    "interaction",
    "tie",
    "custom_property",
    "person_list",
    "intro_request",
    "import_job",
    "sync_source",
}


def _org(store: Store, slug: str = "acme") -> int:
    with store.write() as conn:
        return conn.execute(
            organization.insert()
            .values(slug=slug, name=slug, settings={})
            .returning(organization.c.id)
        ).scalar_one()


def test_schema_has_every_entity_and_is_at_head(store: Store) -> None:
    tables = set(inspect(store.engine).get_table_names())
    assert tables >= ENTITIES
    assert set(metadata.tables) <= tables
    assert current_revision(store.engine) == head_revision()


def test_every_table_is_keyed_by_org(store: Store) -> None:
    inspector = inspect(store.engine)
    # Not an organization's data: organizations themselves, and failed sign-ins (counted before
    # anyone is known to belong to an organization; web/security.py).
    for name in metadata.tables:
        if name in ("organization", "sign_in_failure"):
            continue
        columns = [c["name"] for c in inspector.get_columns(name)]
        assert "org_id" in columns, name
        pk = inspector.get_pk_constraint(name)["constrained_columns"]
        # The search's trigram indexes (GIN, PostgreSQL, migration 0028) cannot lead with
        # org_id (that needs btree_gin); Citus asks the distribution column of unique ones only.
        indexes = [
            i["column_names"]
            for i in inspector.get_indexes(name)
            if i["unique"] or i.get("dialect_options", {}).get("postgresql_using") != "gin"
        ]
        uniques = [u["column_names"] for u in inspector.get_unique_constraints(name)]
        secondary = indexes + uniques
        # Every secondary index leads with org_id, so the schema can be distributed by it.
        assert all(cols[0] == "org_id" for cols in secondary), (name, secondary)
        # SQLite's rowid `id` stands alone; everywhere else org_id is in the key (docs/citus.md).
        assert "org_id" in pk or (store.dialect == "sqlite" and pk == ["id"]), (name, pk)


def test_open_is_idempotent_and_upgrades_a_store_behind(db_url: str) -> None:
    store = open_store(db_url)
    downgrade(store.engine, "0001")  # take the store back to the first schema for real
    assert current_revision(store.engine) == "0001"
    store.dispose()
    reopened = open_store(db_url)  # a store at an older revision is upgraded, not refused
    assert current_revision(reopened.engine) == head_revision()
    names = {i["name"] for i in inspect(reopened.engine).get_indexes("interaction")}
    assert "ix_interaction_org_id_person_id_member_id_occurred_at" in names
    reopened.dispose()


def test_store_written_by_a_newer_version_is_refused(db_url: str) -> None:
    store = open_store(db_url)
    with store.write() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffffffff'"))
    store.dispose()
    with pytest.raises(StoreError, match="newer tiegraph"):
        open_store(db_url)


def test_bulk_insert_upsert_and_ignore(store: Store) -> None:
    org_id = _org(store)
    rows = [
        {
            "org_id": org_id,
            "external_id": f"c{i}",
            "name": f"Company {i}",
            "name_key": f"company {i}",
        }
        for i in range(12_000)
    ]
    with store.write() as conn:
        assert insert_rows(conn, company, rows[:6000]) == 6000
        upsert_rows(
            conn,
            company,
            [r | {"name": "Renamed"} for r in rows[:10]] + rows[6000:],
            key=("org_id", "external_id"),
            update=("name",),
        )
        insert_ignore(conn, company, rows[:5], key=("org_id", "external_id"))
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(company)).scalar_one() == 12_000
        renamed = conn.execute(select(func.count()).where(company.c.name == "Renamed")).scalar_one()
    assert renamed == 10


def test_insert_returning_keeps_order(store: Store) -> None:
    org_id = _org(store)
    rows = [
        {"org_id": org_id, "external_id": f"x{i}", "name": "n", "name_key": "n"} for i in range(50)
    ]
    with store.write() as conn:
        ids = insert_returning(conn, company, rows, ("id", "external_id"), size=7)
    assert [external for _, external in ids] == [f"x{i}" for i in range(50)]


def test_plain_rows_get_ids_keep_their_time_and_are_found_by_key(store: Store) -> None:
    org_id = _org(store)
    eastern = timezone(timedelta(hours=-4))
    when = datetime(2026, 10, 5, 10, 0, tzinfo=eastern)  # 14:00 UTC
    keys = [f"<m{i}@x>" for i in range(1500)]  # more than one SQLite chunk
    with store.write(bulk=True) as conn:
        ids = allocate_ids(conn, activity_item, len(keys))
        at = driver_moment(conn)(when)
        rows = [(i, org_id, "email", k, "", at) for i, k in zip(ids, keys, strict=True)]
        columns = ("id", "org_id", "channel", "source_key", "fingerprint", "occurred_at")
        assert insert_plain(conn, activity_item, columns, rows) == len(keys)
        assert len(set(allocate_ids(conn, activity_item, 3)) & set(ids)) == 0
        where = {"org_id": org_id, "channel": "email"}
        found = first_per_key(
            conn, activity_item, "source_key", ("id",), where, [*keys[::2], "<nope@x>"]
        )
    assert found == {k: (i,) for i, k in zip(ids[::2], keys[::2], strict=True)}
    with store.read() as conn:
        stored = conn.execute(
            select(activity_item.c.occurred_at).where(activity_item.c.id == ids[0])
        ).scalar_one()
    # Stored in UTC: SQLite hands it back without its zone, PostgreSQL as an aware time.
    assert stored.replace(tzinfo=stored.tzinfo or UTC) == when


def test_first_per_key_takes_the_first_row_in_order(store: Store) -> None:
    org_id = _org(store)
    rows = [
        {"org_id": org_id, "external_id": f"e{i}", "name": name, "name_key": "k"}
        for i, name in enumerate(["b", "a", "c"])
    ]
    with store.write() as conn:
        insert_rows(conn, company, rows)
        where = {"org_id": org_id}
        first = first_per_key(conn, company, "name_key", ("name",), where, ["k"], order_by="name")
        assert first == {"k": ("a",)}
        assert first_per_key(conn, company, "name_key", ("name",), where, []) == {}


def test_a_bulk_write_enlarges_the_sqlite_page_cache_only_for_itself(sqlite_store: Store) -> None:
    with sqlite_store.write(bulk=True) as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
    with sqlite_store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000


def test_failed_write_leaves_nothing(store: Store) -> None:
    org_id = _org(store)
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute(company.insert().values(org_id=org_id, name="A", name_key="a"))
        raise RuntimeError("midway")
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(company)).scalar_one() == 0


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_url_is_a_file_in_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("TIEGRAPH_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_url() == f"sqlite:///{tmp_path / 'tiegraph.db'}"
    monkeypatch.setenv("TIEGRAPH_DATABASE_URL", "sqlite:///elsewhere.db")
    assert resolve_url() == "sqlite:///elsewhere.db"
    assert resolve_url("sqlite:///given.db") == "sqlite:///given.db"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysqlx://host/db", "unsupported kind of database"),
        ("sqlite:////no/such/folder/x.db", "does not exist"),
        ("postgresql+psycopg://u:secret@127.0.0.1:1/db", "cannot open database"),
    ],
)
def test_unopenable_urls_give_one_line_errors(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as info:
        open_store(url)
    assert "\n" not in str(info.value)
    assert "secret" not in str(info.value)


def test_safe_url_hides_password() -> None:
    assert "secret" not in safe_url("postgresql+psycopg://u:secret@h/db")
    assert create_store_engine("sqlite://").dialect.name == "sqlite"
