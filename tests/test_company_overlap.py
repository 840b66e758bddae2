"""The implicit company connections' read model (company_overlap) on both backends: after every
write of its inputs — a directory import, a re-import that changes histories and current
employers, a member added whose person has a history, a person archived and restored, a member
leaving — it equals a full recompute, and the connections read from it are the ones expected.

Ana worked at Globex beside Pat (now at Acme) and studied with him; Bo worked at Acme beside
Kim (insights_org.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from insights_org import DIRECTORY, InsightsOrg, build
from tiegraph.services.contacts.archive import set_person_archived
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.insights.connections import company_connections
from tiegraph.services.org.members import add_member, leave_member
from tiegraph.store import Store, open_store
from tiegraph.store.migrate import current_revision, downgrade, head_revision
from tiegraph.store.overlaps import rebuild_overlaps, refresh_overlaps
from tiegraph.store.schema import company_overlap, person


@pytest.fixture
def world(store: Store, tmp_path: Path) -> InsightsOrg:
    return build(store, tmp_path)


def _rows(store: Store, world: InsightsOrg) -> list[tuple[Any, ...]]:
    with store.read() as conn:
        return sorted(
            tuple(r)
            for r in conn.execute(
                select(company_overlap).where(company_overlap.c.org_id == world.org.id)
            )
        )


def assert_fresh(store: Store, world: InsightsOrg) -> list[tuple[Any, ...]]:
    """The stored rows equal a full recompute."""
    kept = _rows(store, world)
    with store.write() as conn:
        rebuild_overlaps(conn, world.org.id)
    assert _rows(store, world) == kept
    return kept


def _implicit(store: Store, world: InsightsOrg, account: str = "Acme Corp") -> set[tuple[str, str]]:
    found = company_connections(store, world.org, account, viewer=world.ana).connections
    return {(c.member_email, c.kind) for c in found if c.kind != "personal"}


def _import(store: Store, world: InsightsOrg, tmp_path: Path, records: list[Any]) -> None:
    directory = tmp_path / "again.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in records) + "\n", encoding="utf-8")
    import_directory(store, world.org, [directory])


def _person_id(store: Store, external_id: str) -> int:
    with store.read() as conn:
        found = conn.execute(select(person.c.id).where(person.c.external_id == external_id))
        return int(found.scalar_one())


def test_the_pairs_follow_every_write_of_their_inputs(
    store: Store, world: InsightsOrg, tmp_path: Path
) -> None:
    kinds = {r[2] for r in assert_fresh(store, world)}
    assert kinds == {"tenure", "coworker", "colleague", "school"}
    assert _implicit(store, world) == {
        ("ana@us.example", "colleague-former-employer"),  # Globex, beside Pat
        ("ana@us.example", "school"),  # Stanford, with Pat
        ("bo@us.example", "former-employer"),  # Acme, beside Kim
    }

    # Pat moves from Acme to Globex; Kim's Acme job starts after Bo left; Ana gets an Acme job.
    changed = [dict(x) for x in DIRECTORY]
    for record in changed:
        if record.get("id") == "P1":
            record["employment"] = [
                {"company_id": "C2", "title": "VP Sales", "start": "2020-01-01"},
                {"company_id": "C1", "title": "Lead", "start": "2015-01-01", "end": "2019-12-31"},
            ]
        if record.get("id") == "P3":
            record["employment"] = [{"company_id": "C1", "start": "2020-01-01"}]
        if record.get("id") == "PA":
            record["employment"] = [{"company_id": "C1", "start": "2024-01-01"}]
    _import(store, world, tmp_path, changed)
    assert_fresh(store, world)
    assert _implicit(store, world) == {
        ("ana@us.example", "employer"),
        ("bo@us.example", "former-employer"),  # no one now there overlapped: unlikely
    }
    assert _implicit(store, world, "Globex") == {
        ("ana@us.example", "school"),  # Pat, now at Globex
        ("bo@us.example", "colleague-former-employer"),  # Acme, beside Pat
    }

    # Someone already in the directory with a history becomes a member.
    _import(
        store,
        world,
        tmp_path,
        [
            *DIRECTORY[:2],
            {
                "type": "person",
                "id": "PD",
                "first_name": "Dee",
                "last_name": "Fox",
                "emails": ["dee@us.example"],
                "education": [{"school": "Stanford University", "start": "2010", "end": "2014"}],
            },
        ],
    )
    assert_fresh(store, world)
    add_member(store, world.org, email="dee@us.example", name="Dee Fox")
    assert_fresh(store, world)
    assert ("dee@us.example", "school") in _implicit(store, world, "Globex")

    pat = _person_id(store, "P1")
    set_person_archived(store, world.org, pat, archived=True)
    assert_fresh(store, world)
    assert _implicit(store, world, "Globex") == set()
    set_person_archived(store, world.org, pat, archived=False)
    assert_fresh(store, world)
    assert ("dee@us.example", "school") in _implicit(store, world, "Globex")

    leave_member(store, world.org, world.bo)
    assert_fresh(store, world)
    assert ("bo@us.example", "colleague-former-employer") not in _implicit(store, world, "Globex")


def test_a_refresh_run_twice_or_rolled_back_leaves_the_same_rows(
    store: Store, world: InsightsOrg
) -> None:
    kept = _rows(store, world)
    everyone = [_person_id(store, x) for x in ("P1", "P2", "P3", "PA", "PB")]
    with store.write() as conn:
        refresh_overlaps(conn, world.org.id, everyone)
        refresh_overlaps(conn, world.org.id, everyone)
    assert _rows(store, world) == kept
    with pytest.raises(RuntimeError), store.write() as conn:
        conn.execute(company_overlap.delete())
        raise RuntimeError("crash mid-refresh")
    assert _rows(store, world) == kept


def test_migration_0029_fills_the_pairs_of_a_store_that_had_none(
    store: Store, world: InsightsOrg
) -> None:
    kept = _rows(store, world)
    assert kept
    downgrade(store.engine, "0028")
    store.dispose()
    upgraded = open_store(store.engine.url.render_as_string(hide_password=False))
    try:
        assert current_revision(upgraded.engine) == head_revision()
        assert _rows(upgraded, world) == kept
    finally:
        upgraded.dispose()
