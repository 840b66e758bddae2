"""The gallery's search index on SQLite (store/search_index.py): after every kind of write it
equals a full rebuild (writes only note keys; each write transaction refreshes them set-based
before it commits), a write rolled back or made outside a store transaction leaves no wrong
answer, and a search through the index finds exactly what the search's own condition finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from insights_org import DIRECTORY, InsightsOrg, build
from test_gallery_search import SEARCHES
from tiegraph.services.contacts.archive import set_contact_archived
from tiegraph.services.contacts.gallery_query import Query, counted_page
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import Member
from tiegraph.store import Store
from tiegraph.store.schema import company, contact, contact_email, person, person_email
from tiegraph.store.search_index import INDEXES, PENDING, text_of


@pytest.fixture
def world(sqlite_store: Store, tmp_path: Path) -> InsightsOrg:
    return build(sqlite_store, tmp_path)


def _held(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            index: conn.execute(
                text(f"SELECT rowid, org_id, text FROM {index} ORDER BY rowid")
            ).all()
            for index in INDEXES
        }


def _rebuilt(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            index: conn.execute(text(text_of(index) + " ORDER BY t.id")).all() for index in INDEXES
        }


def _pending(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {PENDING}")).scalar_one())


def _found(store: Store, world: InsightsOrg, viewer: Member, search: str, indexed: bool) -> Any:
    query = Query(world.org, viewer, {}, search, sort="name", indexed=indexed)
    with store.read() as conn:
        total, rows = counted_page(conn, query, 200, 0)
    return total, [(r.kind, r.id) for r in rows]


def test_the_index_equals_a_rebuild_after_every_kind_of_write(
    sqlite_store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    store = sqlite_store
    assert _held(store) == _rebuilt(store) and all(_held(store).values())
    assert _pending(store) == 0  # the imports and ingest that built the world refreshed it
    with store.write() as conn:
        conn.execute(update(company).values(name=company.c.name + " Núñez"))
        conn.execute(update(person).where(person.c.id % 2 == 0).values(title="VP a_b"))
        conn.execute(update(person).where(person.c.id % 3 == 0).values(company_id=None))
        conn.execute(
            update(contact).values(company='x"y Corp', full_name=contact.c.full_name + "!")
        )
        first = conn.execute(person_email.select().limit(1)).first()
        assert first is not None
        conn.execute(person_email.delete().where(person_email.c.id == first.id))
        conn.execute(
            person_email.insert().values(
                org_id=first.org_id, person_id=first.person_id, email="new@acme.example"
            )
        )
        conn.execute(update(person_email).values(person_id=first.person_id))  # moved: a merge
        conn.execute(update(contact_email).values(email="moved." + contact_email.c.email))
        conn.execute(contact_email.delete().where(contact_email.c.id % 2 == 0))
    assert _held(store) == _rebuilt(store) and _pending(store) == 0
    with store.write() as conn:  # a row made, then deleted
        made = conn.execute(
            contact.insert().values(
                org_id=world.org.id, member_id=world.ana.id, full_name="Brief Row", company="Tmp"
            )
        ).inserted_primary_key[0]
        conn.execute(
            contact_email.insert().values(
                org_id=world.org.id, member_id=world.ana.id, contact_id=made, email="b@tmp.example"
            )
        )
    assert _held(store) == _rebuilt(store) and _pending(store) == 0
    with store.write() as conn:
        conn.execute(contact_email.delete().where(contact_email.c.contact_id == made))
        conn.execute(contact.delete().where(contact.c.id == made))
    assert _held(store) == _rebuilt(store) and _pending(store) == 0

    # The real writers: a contact import, a directory import renaming a company and a person
    # and moving an email, an archive.
    card = tmp_path / "more.vcf"
    card.write_text(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rae Vance\r\nN:Vance;Rae;;;\r\n"
        "EMAIL:rae@initech.example\r\nORG:Initech\r\nEND:VCARD\r\n",
        encoding="utf-8",
    )
    import_contacts(store, world.org, world.ana, [card])
    changed = [dict(x) for x in DIRECTORY]
    changed[0]["name"] = "Acme Holdings"
    changed[2]["first_name"], changed[2]["emails"] = "Patricia", ["pat@globex.example"]
    directory = tmp_path / "changed.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in changed) + "\n", encoding="utf-8")
    import_directory(store, world.org, [directory])
    with store.read() as conn:
        first = conn.execute(select(func.min(contact.c.id))).scalar_one()
    set_contact_archived(store, world.org, world.ana, first, archived=True)
    assert _held(store) == _rebuilt(store) and _pending(store) == 0
    assert _found(store, world, world.ana, "holdings", indexed=True)[0] > 0
    assert _found(store, world, world.ana, "initech", indexed=True)[0] == 1


def test_a_rolled_back_write_leaves_the_index_as_it_was(
    sqlite_store: Store, world: InsightsOrg
) -> None:
    before = _held(sqlite_store)
    with pytest.raises(RuntimeError), sqlite_store.write() as conn:
        conn.execute(update(person).values(title="Gone Wrong"))
        raise RuntimeError("a crash before the commit")
    assert _held(sqlite_store) == before == _rebuilt(sqlite_store)
    assert _pending(sqlite_store) == 0


def test_a_write_outside_a_store_transaction_is_found_and_refreshed_by_the_next(
    sqlite_store: Store, world: InsightsOrg
) -> None:
    with sqlite_store.engine.connect() as conn, conn.begin():
        conn.execute(
            update(person).where(person.c.full_name == "Kim Poe").values(title="Zymurgist")
        )
    assert _pending(sqlite_store) > 0
    found = _found(sqlite_store, world, world.ana, "zymurg", indexed=True)
    assert found == _found(sqlite_store, world, world.ana, "zymurg", indexed=False)
    assert found[0] == 1
    with sqlite_store.write():
        pass
    assert _held(sqlite_store) == _rebuilt(sqlite_store) and _pending(sqlite_store) == 0


def test_a_search_through_the_index_finds_what_the_condition_alone_finds(
    sqlite_store: Store, world: InsightsOrg
) -> None:
    with sqlite_store.write() as conn:  # accents and LIKE's wildcards in the rows too
        conn.execute(update(person).where(person.c.id % 3 == 0).values(title='Núñez a_b x"y'))
    for viewer in (world.ana, world.bo):
        for search in SEARCHES:
            plain = _found(sqlite_store, world, viewer, search, indexed=False)
            assert _found(sqlite_store, world, viewer, search, indexed=True) == plain, search
    assert _found(sqlite_store, world, world.ana, "ACME", indexed=True)[0] > 0
