"""The gallery's search index (store/search_index.py, SQLite): after every kind of write that
changes what it holds it equals a full recompute, and a search through it finds exactly the
rows the search's own condition finds without it (same rows, order and total), for each kind
of text a seller types: parts of names, titles, companies and emails, any case, accents,
LIKE's wildcards and quotes taken literally."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from insights_org import InsightsOrg, build
from tiegraph.services.contacts.gallery_query import Query, counted_page
from tiegraph.services.org.members import Member
from tiegraph.store import Store
from tiegraph.store.schema import company, contact, contact_email, person, person_email
from tiegraph.store.search_index import INDEXES, text_of

SEARCHES = ("acm", "ACME", "corp", "e", "an", "ana", "@acme", "example", "a_b", "%", 'x"y', "Núñ")


@pytest.fixture
def world(sqlite_store: Store, tmp_path: Path) -> InsightsOrg:
    return build(sqlite_store, tmp_path)


@pytest.fixture
def either_world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)  # SQLite and PostgreSQL


def _held(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            index: conn.execute(
                text(f"SELECT rowid, org_id, text FROM {index} ORDER BY rowid")
            ).all()
            for index in INDEXES
        }


def _recomputed(store: Store) -> dict[str, list[Any]]:
    with store.read() as conn:
        return {
            index: conn.execute(text(text_of(index) + " ORDER BY t.id")).all() for index in INDEXES
        }


def _found(store: Store, world: InsightsOrg, viewer: Member, search: str, indexed: bool) -> Any:
    query = Query(world.org, viewer, {}, search, sort="name", emails=False, indexed=indexed)
    with store.read() as conn:
        total, rows = counted_page(conn, query, 200, 0)
    return total, [(r.kind, r.id) for r in rows]


def test_the_index_equals_a_recompute_after_every_kind_of_write(
    sqlite_store: Store, world: InsightsOrg
) -> None:
    assert _held(sqlite_store) == _recomputed(sqlite_store)
    assert all(_held(sqlite_store).values())
    with sqlite_store.write() as conn:
        conn.execute(update(company).values(name=company.c.name + " Núñez"))
        conn.execute(update(person).where(person.c.id % 2 == 0).values(title="VP a_b"))
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
        conn.execute(update(contact_email).values(email="moved." + contact_email.c.email))
        conn.execute(contact_email.delete().where(contact_email.c.id % 2 == 0))
    assert _held(sqlite_store) == _recomputed(sqlite_store)


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
    assert _found(sqlite_store, world, world.ana, "%", indexed=True)[0] == 0


@pytest.mark.parametrize("sort", ["score", "colleague"])
@pytest.mark.parametrize("descending", [True, False])
def test_sorted_by_score_the_first_pages_walk_the_scores_and_agree_with_the_whole(
    store: Store, either_world: InsightsOrg, sort: str, descending: bool
) -> None:
    """services/contacts/gallery_query.py `_scored_first`: a page that rows with a score fill
    is read down the stored scores' index; it is the same slice of the whole grid's order."""
    world = either_world
    for viewer in (world.ana, world.bo):
        whole = Query(world.org, viewer, {}, sort=sort, descending=descending)
        with store.read() as conn:
            total, rows = counted_page(conn, whole, 200, 0)
            for size, offset in ((1, 0), (2, 0), (2, 1), (3, 2), (50, 0)):
                part_total, part = counted_page(conn, whole, size, offset)
                assert part_total == total
                assert [(r.kind, r.id) for r in part] == [
                    (r.kind, r.id) for r in rows[offset : offset + size]
                ]
