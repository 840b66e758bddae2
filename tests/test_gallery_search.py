"""The gallery's search (services/contacts/gallery_query.py) finds the rows some name, company,
title or email of which holds the typed text, case folded by the database's `lower`, LIKE's
wildcards taken literally, whatever its length — on SQLite, and on PostgreSQL through its
trigram indexes (migration 0028) exactly as without them; and sorted by score, a page that rows
with a score fill walks the stored scores' index and is the same slice of the whole order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text, update

from insights_org import InsightsOrg, build
from tiegraph.services.contacts.gallery_query import Query, counted_page
from tiegraph.services.org.members import Member
from tiegraph.store import Store
from tiegraph.store.schema import contact_email, person, person_email

SEARCHES = ("acm", "ACME", "corp", "e", "an", "ana", "@acme", "example", "a_b", "%", 'x"y', "Núñ")
SEARCHES += ("  Pat Doe  ", "vp sales", "secret", "\\", "zz-none")


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    world = build(store, tmp_path)
    with store.write() as conn:  # accents and LIKE's wildcards in the rows too
        conn.execute(update(person).where(person.c.id % 3 == 0).values(title='Núñez a_b x"y'))
    return world


def _found(store: Store, world: InsightsOrg, viewer: Member, search: str, trigram: bool) -> Any:
    query = Query(world.org, viewer, {}, search, sort="name", trigram=trigram)
    with store.read() as conn:
        total, rows = counted_page(conn, query, 200, 0)
    return total, [(r.kind, r.id) for r in rows]


def _modelled(store: Store, world: InsightsOrg, viewer: Member, search: str) -> set[Any]:
    """The rows the search should find, worked out here from the unsearched grid (ASCII text
    folded as both databases fold it)."""
    needle = search.strip().lower()
    with store.read() as conn:
        _, rows = counted_page(conn, Query(world.org, viewer, {}, emails=True), 500, 0)
        emails: dict[tuple[str, int], list[str]] = {}
        for kind, table, key in (
            ("contact", contact_email, contact_email.c.contact_id),
            ("person", person_email, person_email.c.person_id),
        ):
            for owner, email in conn.execute(select(key, table.c.email)):
                emails.setdefault((kind, owner), []).append(email)
    return {
        (r.kind, r.id)
        for r in rows
        if any(needle in (v or "").lower() for v in (r.name, r.company, r.title))
        or any(needle in e for e in emails.get((r.kind, r.id), []))
    }


@pytest.mark.parametrize("search", [s for s in SEARCHES if s.isascii()])
def test_a_search_finds_every_row_holding_the_text_and_no_other(
    store: Store, world: InsightsOrg, search: str
) -> None:
    for viewer in (world.ana, world.bo):
        total, rows = _found(store, world, viewer, search, trigram=False)
        assert set(rows) == _modelled(store, world, viewer, search), (viewer.email, search)
        assert total == len(rows)


def test_what_the_searches_find_pinned(store: Store, world: InsightsOrg) -> None:
    def names(search: str, viewer: Member = world.ana) -> list[str]:
        query = Query(world.org, viewer, {}, search, sort="name")
        with store.read() as conn:
            return [r.name for r in counted_page(conn, query, 200, 0)[1]]

    assert names("ACME") == names("acme") == names("cme")
    assert {"Pat Doe", "Lee Roe", "Kim Poe", "Zed Secret"} <= set(names("acme"))
    assert "Quinn Hidden" not in names("acme")  # Bo's private contact: never Ana's to see
    assert names("%") == []  # wildcards are literal: no row holds "%"
    assert len(names("a_b")) > 0 and names("a_b") == names("A_B")
    assert names("e") and set(names("ee")) <= set(names("e"))  # short texts search too
    assert "Zed Secret" not in names("secret", world.bo)
    assert names("Núñ") == names("a_b")  # the same rows hold both


def test_postgres_through_its_trigram_indexes_finds_exactly_what_it_finds_without(
    store: Store, world: InsightsOrg
) -> None:
    if store.dialect != "postgresql":
        pytest.skip("the trigram indexes are PostgreSQL's")
    for viewer in (world.ana, world.bo):
        for search in SEARCHES:
            plain = _found(store, world, viewer, search, trigram=False)
            assert _found(store, world, viewer, search, trigram=True) == plain, search


def test_postgres_search_can_be_served_by_the_trigram_indexes(
    store: Store, world: InsightsOrg
) -> None:
    """Among enough rows that reading them all would cost (a few thousand of each kind, made
    in SQL), every table the search reads is read through its trigram index."""
    if store.dialect != "postgresql":
        pytest.skip("the trigram indexes are PostgreSQL's")
    org, ana = world.org.id, world.ana.id
    with store.write() as conn:
        for statement in (
            "INSERT INTO company (org_id, name, name_key) SELECT :org, 'Firm ' || g, 'firm' || g "
            "FROM generate_series(1, 4000) g",
            "INSERT INTO person (org_id, full_name, title, company_id) SELECT :org, "
            "'Filler ' || g, 'Clerk ' || g, (SELECT max(id) FROM company) "
            "FROM generate_series(1, 4000) g",
            "INSERT INTO person_email (org_id, person_id, email) SELECT :org, id, "
            "'filler' || id || '@firm.example' FROM person WHERE full_name LIKE 'Filler %'",
            "INSERT INTO contact (org_id, member_id, full_name, company, title) SELECT :org, "
            ":ana, 'Card ' || g, 'Firm ' || g, 'Clerk' FROM generate_series(1, 4000) g",
            "INSERT INTO contact_email (org_id, member_id, contact_id, email) SELECT :org, "
            ":ana, id, 'card' || id || '@firm.example' FROM contact WHERE full_name LIKE 'Card %'",
        ):
            conn.execute(text(statement), {"org": org, "ana": ana})
    # As autovacuum would: GIN's pending entries merged and the tables' statistics taken.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE company, person, person_email, contact, contact_email"))
    query = Query(world.org, world.ana, {}, "acme", sort="name", trigram=True)
    with store.read() as conn:
        plan = _search_plan(conn, query)
    for index in (
        "ix_person_name_trgm",
        "ix_person_title_trgm",
        "ix_person_email_trgm",
        "ix_company_name_trgm",
        "ix_contact_name_trgm",
        "ix_contact_company_trgm",
        "ix_contact_title_trgm",
        "ix_contact_email_trgm",
    ):
        assert index in plan, plan


def _search_plan(conn: Any, query: Query) -> str:
    """The plan of the search's statement, explained as it is about to run."""
    plans: list[str] = []

    def explain(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "LIKE" in statement and not plans:
            explaining = cursor.connection.cursor()
            explaining.execute("EXPLAIN " + statement, params)
            plans.append("\n".join(row[0] for row in explaining.fetchall()))

    event.listen(conn, "before_cursor_execute", explain)
    try:
        counted_page(conn, query, 50, 0)
    finally:
        event.remove(conn, "before_cursor_execute", explain)
    return plans[0]


@pytest.mark.parametrize("sort", ["score", "colleague"])
@pytest.mark.parametrize("descending", [True, False])
def test_sorted_by_score_the_first_pages_walk_the_scores_and_agree_with_the_whole(
    store: Store, world: InsightsOrg, sort: str, descending: bool
) -> None:
    """`_scored_first`: a page that rows with a score fill is read down the stored scores'
    index; it is the same slice of the whole grid's order, with the same total."""
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
