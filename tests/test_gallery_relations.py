"""The gallery's relationship columns (strongest colleague, score, last contact, how many
colleagues know them) on both backends: read from stored scores, the same score who-knows
shows, sortable and filterable, and never built from a tie the viewer may not see.

Ana shares her activity, Bo does not (his tie to Lee and his correspondent Quinn are his
alone), Cy is new (insights_org.py).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from insights_org import InsightsOrg, build
from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts.gallery import gallery_rows, get_columns, save_columns
from tiegraph.services.directory.profiles import get_account, search_accounts
from tiegraph.services.insights.account_coverage import Coverage
from tiegraph.services.insights.person_ties import PersonTies
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import Member
from tiegraph.store import Store


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)


def _by_name(store: Store, world: InsightsOrg, viewer: Member) -> dict[str, PersonTies]:
    page = gallery_rows(store, world.org, viewer, scope="directory", limit=200)
    return {r.name: r.ties for r in page.items}


def test_columns_show_the_strongest_visible_colleague_with_who_knows_score(
    store: Store, world: InsightsOrg
) -> None:
    rows = _by_name(store, world, world.cy)
    pat = rows["Pat Doe"]
    knower = who_knows(store, world.org, ["pat@acme.example"], viewer=world.cy)[0].knowers[0]
    assert (pat.colleague_email, pat.score, pat.label) == (
        knower.member_email,
        knower.score,
        knower.label,
    )
    assert pat.knowers == 1 and pat.last_contact is not None
    kim = rows["Kim Poe"]
    assert kim.colleague_email == "cy@us.example" and kim.knowers == 1


def test_an_unshared_tie_gives_no_colleague_count_or_last_contact_to_others(
    store: Store, world: InsightsOrg
) -> None:
    for viewer in (world.ana, world.cy):
        rows = _by_name(store, world, viewer)
        lee = rows["Lee Roe"]
        assert (lee.colleague_email, lee.score, lee.last_contact, lee.knowers) == (
            None,
            None,
            None,
            0,
        )
        assert not any("Quinn" in name for name in rows)
        known = gallery_rows(store, world.org, viewer, scope="directory", strength="known")
        assert "Lee Roe" not in [r.name for r in known.items]
        assert known.total == len(known.items) == sum(1 for t in rows.values() if t.knowers)
    lee = _by_name(store, world, world.bo)["Lee Roe"]
    assert lee.colleague_email == "bo@us.example" and lee.knowers == 1


def test_sorted_and_filtered_by_the_relationship_columns(store: Store, world: InsightsOrg) -> None:
    for sort in ("score", "colleague", "knowers", "last_contact"):
        page = gallery_rows(
            store, world.org, world.cy, scope="directory", sort=sort, descending=True
        )
        scores = [r.ties.score for r in page.items if r.ties.score is not None]
        assert scores and page.items[0].ties.knowers > 0
        if sort == "score":
            assert scores == sorted(scores, reverse=True)
            assert all(r.ties.score is None for r in page.items[len(scores) :])  # unknown last
    strong = gallery_rows(store, world.org, world.cy, scope="directory", strength="good")
    assert strong.items and all((r.ties.score or 0) >= 35 for r in strong.items)
    with pytest.raises(InvalidInputError):
        gallery_rows(store, world.org, world.cy, strength="warm")


def _acme(store: Store, world: InsightsOrg, viewer: Member, **kw: object) -> Coverage:
    page = search_accounts(store, world.org, viewer=viewer, query="Acme", **kw)  # type: ignore[arg-type]
    return next(a.coverage for a in page.items if a.name == "Acme Corp")


def test_account_coverage_counts_only_visible_ties_and_names_the_best_connector(
    store: Store, world: InsightsOrg
) -> None:
    cy = _acme(store, world, world.cy)
    # Pat (Ana, shared) and Kim (Cy's own); never Lee (Bo's unshared tie) nor Quinn.
    assert cy.known == 2
    assert (cy.member_email, cy.score) == (
        "ana@us.example",
        max(k.score for k in who_knows(store, world.org, ["pat@acme.example"])[0].knowers),
    )
    assert cy.strong == (1 if (cy.score or 0) >= 70 else 0)
    ana = _acme(store, world, world.ana)
    assert ana == cy  # Cy shares his activity (the default): Ana sees his tie to Kim
    bo = _acme(store, world, world.bo)
    assert bo.known == 4  # and his own ties: to Lee and to his correspondent Quinn
    single = get_account(store, world.org, _acme_id(store, world), world.ana)
    assert single.coverage == ana
    by_coverage = search_accounts(store, world.org, viewer=world.ana, sort="coverage", covered=True)
    assert [a.name for a in by_coverage.items] == ["Acme Corp"] and by_coverage.total == 1


def _acme_id(store: Store, world: InsightsOrg) -> int:
    return search_accounts(store, world.org, query="Acme").items[0].id


def test_a_saved_view_keeps_a_relationship_sort_and_hides_its_columns(
    store: Store, world: InsightsOrg
) -> None:
    columns = get_columns(store, world.org, world.cy)
    assert {"colleague", "score", "last_contact", "knowers"} <= set(columns.shown)
    saved = save_columns(
        store,
        world.org,
        world.cy,
        replace(columns, sort="knowers", descending=True, hidden=("last_contact",)),
    )
    again = get_columns(store, world.org, world.cy)
    assert again == saved and (again.sort, again.descending) == ("knowers", True)
    assert "last_contact" not in again.shown
    page = gallery_rows(store, world.org, world.cy, sort=again.sort, descending=again.descending)
    assert page.items[0].ties.knowers == max(r.ties.knowers for r in page.items)


@pytest.mark.parametrize(
    ("sort", "search"),
    [("name", ""), ("score", ""), ("knowers", ""), ("company", ""), ("email", ""), ("name", "e")],
)
def test_pages_walk_the_whole_grid_in_the_one_order(
    store: Store, world: InsightsOrg, sort: str, search: str
) -> None:
    """The grid's two parts (the viewer's contacts, the directory) are paged apart and merged
    (services/contacts/gallery_query.py; a search reads and counts each part in one pass):
    page after page gives every row once, in the order of the whole grid, and every page the
    same total."""
    for viewer in (world.ana, world.bo):  # Bo does not share: his own ties are merged in
        whole = gallery_rows(
            store, world.org, viewer, search=search, sort=sort, descending=True, limit=200
        )
        assert whole.total == len(whole.items) and {r.kind for r in whole.items} == {
            "contact",
            "person",
        }
        walked, offset = [], 0
        while True:
            page = gallery_rows(
                store,
                world.org,
                viewer,
                search=search,
                sort=sort,
                descending=True,
                limit=2,
                offset=offset,
            )
            assert page.total == whole.total
            walked += page.items
            if page.next_offset is None:
                break
            offset = page.next_offset
        assert [(r.kind, r.id) for r in walked] == [(r.kind, r.id) for r in whole.items]
        assert [r.ties for r in walked] == [r.ties for r in whole.items]
