"""Explicit ties written in bulk after an import: the same rows TieUpdater writes one by one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tiegraph.core.strength import TieState, Touch, fold, to_columns
from tiegraph.services.activity.explicit_ties import mark_explicit
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store
from tiegraph.store.bulk import insert_rows
from tiegraph.store.schema import person, tie

NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)


def _rows(store: Store, member_id: int) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(
            select(tie).where(tie.c.member_id == member_id).order_by(tie.c.person_id)
        ).all()
    return [{k: v for k, v in r._mapping.items() if k != "member_id"} for r in rows]


def test_bulk_explicit_ties_equal_the_tie_updaters(store: Store, tmp_path: Path) -> None:
    org = resolve_org(store)
    directory = [{"type": "company", "id": "C1", "name": "Acme"}] + [
        {
            "type": "person",
            "id": f"P{i}",
            "first_name": f"Name{i}",
            "last_name": "Person",
            "employment": [{"company_id": "C1", "start": "2020"}] if i % 2 else [],
        }
        for i in range(6)
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in directory) + "\n", encoding="utf-8")
    import_directory(store, org, [path])
    one = add_member(store, org, email="one@us.example", name="One")
    two = add_member(store, org, email="two@us.example", name="Two")
    with store.read() as conn:
        persons = sorted(
            conn.execute(select(person.c.id).where(person.c.external_id.is_not(None))).scalars()
        )
    # Both members already mail with the first two persons: those ties exist, with a state.
    state = fold(TieState(), [Touch(NOW - timedelta(days=d), "email", "out", 1) for d in (3, 40)])
    with store.write() as conn:
        insert_rows(
            conn,
            tie,
            [
                {
                    "org_id": org.id,
                    "member_id": m.id,
                    "person_id": p,
                    "state": to_columns(state),
                    "reasons": [],
                }
                for m in (one, two)
                for p in persons[:2]
            ],
        )
    with store.write() as conn:
        updater = TieUpdater(conn, org, as_of=NOW)
        updater.mark_explicit([(one.id, p) for p in persons])
        updater.flush()
    with store.write() as conn:
        assert mark_explicit(conn, org, two.id, persons, NOW) == len(persons)
    assert _rows(store, two.id) == _rows(store, one.id)
    assert {r["explicit"] for r in _rows(store, two.id)} == {True}
