"""The accounts' read model (company_knower, company_coverage) on both backends: after every
write of its inputs — ingest, contacts import, directory import moving a person, rescore,
sharing turned off, a person archived, a member leaving — it equals a full recompute, and the
coverage every viewer reads from it equals the coverage counted from the ties they may see.

Ana shares her activity, Bo does not (his ties to Lee and to his correspondent Quinn are his
alone), Cy is new (insights_org.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from insights_org import DIRECTORY, InsightsOrg, _thread, build
from tiegraph.services.activity.company_summary import refresh_companies
from tiegraph.services.activity.daily_rescore import rescore_due
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.activity.ties import rescore
from tiegraph.services.contacts.archive import set_person_archived
from tiegraph.services.directory.accounts import get_account
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.account_coverage import _counted, coverage_of
from tiegraph.services.insights.account_knowers import account_knowers
from tiegraph.services.org.members import Member, get_member, leave_member, set_member_sharing
from tiegraph.store import Store
from tiegraph.store.schema import company, company_coverage, company_knower, member, person

Rows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)


def _knower_key(r: Any) -> tuple[Any, ...]:
    return (r.company_id, r.member_id, r.people, r.known, r.person_id, r.score)


def _rows(store: Store, world: InsightsOrg) -> Rows:
    with store.read() as conn:
        knowers = sorted(
            (*_knower_key(r), round(r.strength, 9))
            for r in conn.execute(
                select(company_knower).where(company_knower.c.org_id == world.org.id)
            )
        )
        coverage = sorted(
            (r.company_id, r.strong, r.known)
            for r in conn.execute(
                select(company_coverage).where(company_coverage.c.org_id == world.org.id)
            )
        )
    return knowers, coverage


def _viewers(store: Store, world: InsightsOrg) -> list[Member]:
    found = [get_member(store, world.org, m.email) for m in (world.ana, world.bo, world.cy)]
    return [m for m in found if m is not None]


def assert_fresh(store: Store, world: InsightsOrg) -> Rows:
    """The stored rows equal a full recompute, and every viewer's coverage equals the one
    counted from the ties they may see."""
    kept = _rows(store, world)
    with store.write() as conn:
        refresh_companies(conn, world.org)
    assert _rows(store, world) == kept
    with store.read() as conn:
        ids = list(conn.execute(select(company.c.id)).scalars())
        for viewer in _viewers(store, world):
            assert coverage_of(conn, world.org, viewer, ids) == _counted(
                conn, world.org, viewer, ids
            ), viewer.email
    return kept


def _acme(store: Store, world: InsightsOrg) -> int:
    return get_account(store, world.org, "acme.example").id


def _globex(store: Store, world: InsightsOrg) -> int:
    return get_account(store, world.org, "globex.example").id


def _person(store: Store, name: str) -> int:
    with store.read() as conn:
        return int(conn.execute(select(person.c.id).where(person.c.full_name == name)).scalar_one())


def test_the_summary_follows_every_write_of_its_inputs(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    knowers, coverage = assert_fresh(store, world)
    assert knowers and coverage
    acme = _acme(store, world)

    more = tmp_path / "more.mbox"
    more.write_text(_thread("cy@us.example", "lee@acme.example", range(1, 12), "cl"))
    ingest_mail(store, world.org, [more])
    assert_fresh(store, world)
    with store.read() as conn:
        lee_known = coverage_of(conn, world.org, world.ana, [acme])[acme].known
    assert lee_known == 3  # Pat (Ana), Kim and Lee (Cy): Lee through Cy's shared tie now

    rescore(store, world.org, now=datetime.now(UTC) + timedelta(days=90))
    assert_fresh(store, world)

    set_member_sharing(store, world.org, world.ana, activity_sharing=False)
    assert_fresh(store, world)
    with store.read() as conn:
        seen_by_cy = coverage_of(conn, world.org, world.cy, [acme])[acme]
    assert seen_by_cy.known == 2 and seen_by_cy.member_email == "cy@us.example"

    moved = [dict(x) for x in DIRECTORY]
    kim = next(x for x in moved if x.get("id") == "P3")
    kim["employment"] = [{"company_id": "C2", "title": "Engineer", "start": "2024-01-01"}]
    directory = tmp_path / "moved.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in moved) + "\n", encoding="utf-8")
    import_directory(store, world.org, [directory])
    assert_fresh(store, world)

    set_person_archived(store, world.org, _person(store, "Lee Roe"), archived=True)
    assert_fresh(store, world)

    cy = get_member(store, world.org, world.cy.email)
    assert cy is not None
    leave_member(store, world.org, cy)
    assert_fresh(store, world)


def test_a_refresh_run_twice_or_rolled_back_leaves_the_same_rows(
    store: Store, world: InsightsOrg
) -> None:
    kept = _rows(store, world)
    with store.write() as conn:
        refresh_companies(conn, world.org, [_acme(store, world)])
        refresh_companies(conn, world.org, [_acme(store, world)])
    assert _rows(store, world) == kept
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute(company_knower.delete())
        refresh_companies(conn, world.org, [])
        raise RuntimeError("crash mid-refresh")
    assert _rows(store, world) == kept


def test_unshared_ties_reach_no_other_member_as_a_name_or_a_count(
    store: Store, world: InsightsOrg
) -> None:
    acme = _acme(store, world)
    with store.read() as conn:
        stored = conn.execute(
            select(company_coverage.c.known).where(company_coverage.c.company_id == acme)
        ).scalar_one()
        for viewer in (world.ana, world.cy):
            seen = coverage_of(conn, world.org, viewer, [acme])[acme]
            assert seen.known == stored == 2  # Pat and Kim: not Lee nor Quinn (Bo's alone)
            assert seen.member_email != world.bo.email
        mine = coverage_of(conn, world.org, world.bo, [acme])[acme]
    assert mine.known == 4  # Bo's own view adds his Lee and Quinn
    for viewer in (world.ana, world.cy):
        knowers = account_knowers(store, world.org, acme, viewer=viewer)
        assert knowers and world.bo.email not in {k.member_email for k in knowers}
        names = {k.best_person for k in knowers}
        assert not names & {"Lee Roe", "Quinn Hidden", "Zed Secret"}
    own = account_knowers(store, world.org, acme, viewer=world.bo)
    assert world.bo.email in {k.member_email for k in own}


def test_a_store_without_the_summary_gets_it_from_the_next_due_rescore(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    globex = tmp_path / "globex.mbox"
    globex.write_text(_thread("cy@us.example", "gus@globex.example", range(1, 6), "cg"))
    ingest_mail(store, world.org, [globex])
    rescore_due(store)
    assert rescore_due(store) == {}  # done today: not due
    with store.write() as conn:  # as a store migrated to 0024 has them
        conn.execute(company_knower.delete())
        conn.execute(company_coverage.delete())
        # Ana's pace not yet stored: the rescore's pace refresh rebuilds her companies first.
        conn.execute(
            member.update().where(member.c.id == world.ana.id).values(pace=None, pace_factor=None)
        )
    assert list(rescore_due(store)) == [world.org.slug]
    _, coverage = assert_fresh(store, world)
    assert {c for c, *_ in coverage} == {_acme(store, world), _globex(store, world)}
