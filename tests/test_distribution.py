"""Ready for Citus: org_id in every key of every tenant table, in the schema module and in the
migrated PostgreSQL store; the migration that put it there keeps every row both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.exc import IntegrityError

from intro_world import build_world
from tiegraph.errors import StoreError
from tiegraph.services.org.orgs import create_org
from tiegraph.store import Store, open_store
from tiegraph.store.distribution import (
    LOCAL,
    REFERENCE,
    citus_statements,
    keys_from_inspector,
    keys_from_metadata,
    table_kind,
    violations,
)
from tiegraph.store.migrate import current_revision, downgrade, head_revision
from tiegraph.store.schema import contact, metadata, person, tie

DOCS = Path(__file__).resolve().parents[1] / "docs" / "citus.md"


def test_schema_module_keeps_org_id_in_every_key() -> None:
    assert violations(keys_from_metadata(metadata)) == []


def test_a_declared_table_breaking_the_rule_is_named() -> None:
    declared = MetaData()
    Table("organization", declared, Column("id", Integer, primary_key=True))
    Table(
        "note",
        declared,
        Column("id", Integer, primary_key=True),
        Column("org_id", Integer, ForeignKey("organization.id"), nullable=False),
        Column("code", String(10), unique=True),
        Column("parent_id", Integer, ForeignKey("note.id")),
    )
    assert sorted(violations(keys_from_metadata(declared))) == [
        "table note: foreign key (unnamed) ('parent_id',) lacks org_id",
        "table note: primary key ('id',) lacks org_id",
        "table note: unique (unnamed) ('code',) lacks org_id",
    ]


@pytest.mark.postgres
def test_migrated_postgres_keeps_org_id_in_every_key(pg_store: Store) -> None:
    """Every table the migrations made, including ones added after this test was written."""
    tables = keys_from_inspector(inspect(pg_store.engine))
    assert {t.name for t in tables} >= set(metadata.tables)
    assert violations(tables) == []


@pytest.mark.postgres
def test_a_table_breaking_the_rule_is_named_with_its_key(pg_store: Store) -> None:
    with pg_store.write() as conn:
        conn.execute(text("CREATE TABLE loose_note (id bigserial PRIMARY KEY, body text)"))
        conn.execute(
            text(
                "CREATE TABLE person_note (id bigserial PRIMARY KEY, "
                "org_id bigint NOT NULL REFERENCES organization (id), "
                "code text CONSTRAINT uq_person_note_code UNIQUE, "
                "person_id bigint, note_id bigint "
                "CONSTRAINT fk_person_note_note_id REFERENCES loose_note (id), "
                "CONSTRAINT fk_person_note_person FOREIGN KEY (org_id, person_id) "
                "REFERENCES person (id, org_id))"
            )
        )
        conn.execute(text("CREATE UNIQUE INDEX ix_person_note_person ON person_note (person_id)"))
        conn.execute(
            text(
                "CREATE TABLE fine_note (org_id bigint NOT NULL, person_id bigint NOT NULL, "
                "PRIMARY KEY (org_id, person_id), FOREIGN KEY (org_id, person_id) "
                "REFERENCES person (org_id, id))"
            )
        )
    found = violations(keys_from_inspector(inspect(pg_store.engine)))
    assert sorted(found) == [
        "table loose_note: no org_id column (or name it in store/distribution.py)",
        "table person_note: foreign key fk_person_note_note_id ('note_id',) lacks org_id",
        "table person_note: foreign key fk_person_note_person maps org_id to person's "
        "non-org_id column",
        "table person_note: primary key ('id',) lacks org_id",
        "table person_note: unique ix_person_note_person ('person_id',) lacks org_id",
        "table person_note: unique uq_person_note_code ('code',) lacks org_id",
    ]


@pytest.mark.postgres
def test_schema_module_and_migrated_postgres_agree(pg_store: Store) -> None:
    """Alembic's autogenerate finds nothing to do (tables kept apart by design aside)."""

    def declared(obj: object, name: str | None, kind: str, reflected: bool, _: object) -> bool:
        return not (kind == "table" and reflected and name not in metadata.tables)

    with pg_store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": declared}
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_every_table_kept_apart_is_documented_and_every_tenant_table_distributed() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for name in (*REFERENCE, *LOCAL):
        assert f"`{name}`" in docs, name
    for statement in citus_statements(keys_from_metadata(metadata)):
        assert statement in docs, f"{statement} (docs/citus.md says how to print the list)"


def test_parents_are_distributed_before_the_tables_pointing_at_them() -> None:
    statements = citus_statements(keys_from_metadata(metadata))
    order = [s.split("'")[1] for s in statements]
    assert order[0] == "organization" and len(order) == len(set(order)) == len(metadata.tables) - 1
    for table in metadata.sorted_tables:
        for fk in table.foreign_key_constraints:
            parent = fk.referred_table.name
            if table_kind(table.name) == "tenant" and parent != table.name:
                assert order.index(parent) < order.index(table.name), (table.name, parent)


def _counts(conn: Connection, names: set[str]) -> dict[str, int]:
    """Rows per table, of the tables named (those at 0018: later migrations add others)."""
    return {
        name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in metadata.tables.items()
        if name in names
    }


def _joins(conn: Connection) -> list[tuple[object, ...]]:
    """Who knows whom, by name: a tie's member and person, and the person's emails."""
    rows = conn.execute(
        text(
            "SELECT m.email, p.full_name, e.email FROM tie t "
            "JOIN member m ON m.org_id = t.org_id AND m.id = t.member_id "
            "JOIN person p ON p.org_id = t.org_id AND p.id = t.person_id "
            "LEFT JOIN person_email e ON e.org_id = p.org_id AND e.person_id = p.id "
            "ORDER BY 1, 2, 3"
        )
    )
    return [tuple(r) for r in rows]


def test_migration_0021_keeps_every_row_both_ways(store: Store, tmp_path: Path) -> None:
    build_world(store, tmp_path)
    downgrade(store.engine, "0018")
    assert current_revision(store.engine) == "0018"
    with store.read() as conn:
        at_0018 = set(inspect(conn).get_table_names())
        before, joined = _counts(conn, at_0018), _joins(conn)
    assert before["interaction"] > 0 and before["contact"] > 0 and joined
    store.dispose()
    upgraded = open_store(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        assert current_revision(upgraded.engine) == head_revision()
        with upgraded.read() as conn:
            assert (_counts(conn, at_0018), _joins(conn)) == (before, joined)
        downgrade(upgraded.engine, "0018")
        with upgraded.read() as conn:
            assert (_counts(conn, at_0018), _joins(conn)) == (before, joined)
    finally:
        upgraded.dispose()


def test_a_row_cannot_point_into_another_organization(store: Store, tmp_path: Path) -> None:
    world = build_world(store, tmp_path)
    other = create_org(store, "other", "Other Org")
    with store.read() as conn:
        theirs = conn.execute(
            select(person.c.id).where(person.c.org_id == world.org.id).limit(1)
        ).scalar_one()
    with pytest.raises(IntegrityError), store.write() as conn:
        conn.execute(tie.insert().values(org_id=other.id, member_id=world.ana.id, person_id=theirs))
    with pytest.raises(IntegrityError), store.write() as conn:
        conn.execute(
            contact.insert().values(
                org_id=other.id, member_id=world.ana.id, person_id=None, full_name="Lee"
            )
        )


def test_a_row_pointing_into_another_organization_stops_the_upgrade_and_loses_nothing(
    store: Store, tmp_path: Path
) -> None:
    world = build_world(store, tmp_path)
    other = create_org(store, "other", "Other Org")
    downgrade(store.engine, "0018")
    with store.write() as conn:  # what only a bug or a hand edit could leave before 0021
        stray = conn.execute(
            contact.insert()
            .values(org_id=other.id, member_id=world.ana.id, full_name="Stray")
            .returning(contact.c.id)
        ).scalar_one()
        at_0018 = set(inspect(conn).get_table_names())
        before = _counts(conn, at_0018)
    url = store.engine.url.render_as_string(hide_password=False)
    store.dispose()
    with pytest.raises(StoreError, match=r"schema upgrade stopped, nothing changed.*contact"):
        open_store(url)
    engine = store.engine
    assert current_revision(engine) == "0018"
    with engine.connect() as conn:
        assert _counts(conn, at_0018) == before
    with engine.begin() as conn:
        conn.execute(contact.update().where(contact.c.id == stray).values(org_id=world.org.id))
    fixed = open_store(url)  # the rerun, once the row is put right, upgrades
    try:
        assert current_revision(fixed.engine) == head_revision()
        with fixed.read() as conn:
            assert _counts(conn, at_0018) == before
    finally:
        fixed.dispose()
