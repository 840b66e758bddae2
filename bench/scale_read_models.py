"""`bench_scale.py`: the read models filled as the product fills them, and checked.

The pages read stored results (docs/activity.md): each person's shared ties summed up
(`person_tie_summary`), each member's strongest tie per company and each company's coverage
(`company_knower`, `company_coverage`), each member's nurture suggestions
(`nurture_suggestion`). A store made by COPY has none, so after the build the project's own
whole-organization refreshes write them (what a migrated store gets from its first daily
rescore), each phase timed; then a sample of each is recomputed by the narrower refresh that
ingest runs (persons, companies, one member's ties), in a transaction rolled back, and must
equal what is stored, or the bench stops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, text, tuple_

from tiegraph.services.activity import company_summary, nurture_store, person_summary
from tiegraph.services.activity.daily_rescore import last_rescore
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import (
    company_coverage,
    company_knower,
    nurture_suggestion,
    person_tie_summary,
)


@contextmanager
def _phase(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  {name:<52} {time.perf_counter() - started:8.1f} s", flush=True)


def fill(store: Store, org: Org, now: datetime) -> None:
    """Every read model of the organization written by its whole-organization refresh."""
    with _phase("read model: person_tie_summary (rebuild)"), store.write() as conn:
        person_summary.rebuild(conn, org)
    with _phase("read model: company_knower, company_coverage"), store.write() as conn:
        company_summary.refresh_companies(conn, org)
    with _phase("read model: nurture_suggestion (refresh_org)"):
        nurture_store.refresh_org(store, org, now=now)
    with _phase("read models: ANALYZE"), store.write() as conn:
        for table in (person_tie_summary, company_knower, company_coverage, nurture_suggestion):
            conn.execute(text(f"ANALYZE {table.name}"))


def _rows(conn: Connection, org: Org, table: Table, key: Any, values: list[Any]) -> list[Any]:
    found = conn.execute(select(table).where(table.c.org_id == org.id, key.in_(values)))
    return sorted(tuple(r) for r in found)


def _sample(conn: Connection, query: str, **bound: Any) -> list[Any]:
    return list(conn.execute(text(query), bound).all())


def check(store: Store, org: Org, count: int = 200) -> None:
    """Samples of each read model equal their recompute by the refresh ingest runs, or the
    bench stops. The recompute is rolled back: the store is left as it was."""
    now = last_rescore(store, org)
    if now is None:
        raise SystemExit("the store has no rescore moment: not built by bench_scale.py")
    with store.engine.connect() as conn, conn.begin() as transaction:
        persons = [
            r.person_id
            for r in _sample(
                conn, "SELECT person_id FROM person_tie_summary ORDER BY random() LIMIT :n", n=count
            )
        ]
        companies = [
            r.company_id
            for r in _sample(
                conn, "SELECT company_id FROM company_coverage ORDER BY random() LIMIT 20"
            )
        ]
        pairs = [
            (r.member_id, r.person_id)
            for r in _sample(
                conn,
                "SELECT member_id, person_id FROM tie WHERE member_id IN (SELECT id FROM member "
                "ORDER BY random() LIMIT 3) ORDER BY random() LIMIT :n",
                n=count * 5,
            )
        ]
        checks: list[tuple[str, Table, Any, list[Any]]] = [
            ("person_tie_summary", person_tie_summary, person_tie_summary.c.person_id, persons),
            ("company_knower", company_knower, company_knower.c.company_id, companies),
            ("company_coverage", company_coverage, company_coverage.c.company_id, companies),
            (
                "nurture_suggestion",
                nurture_suggestion,
                tuple_(nurture_suggestion.c.member_id, nurture_suggestion.c.person_id),
                pairs,
            ),
        ]
        stored = [_rows(conn, org, table, key, values) for _, table, key, values in checks]
        person_summary.refresh_persons(conn, org, persons)
        company_summary.refresh_companies(conn, org, companies)
        nurture_store.refresh_pairs(conn, org, pairs, now)
        again = [_rows(conn, org, table, key, values) for _, table, key, values in checks]
        transaction.rollback()
    for (name, *_), before, after in zip(checks, stored, again, strict=True):
        if before != after:
            raise SystemExit(f"{name}: stored rows differ from their recompute")
    print(
        f"  checked: stored == recomputed for {len(persons)} persons' summaries "
        f"({len(stored[0])} rows), {len(companies)} companies ({len(stored[1])} knower rows), "
        f"{len(pairs)} ties' nurture suggestions ({len(stored[3])} rows)"
    )
