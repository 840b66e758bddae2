"""Benchmark: what migration 0021 (org_id in every key, composite foreign keys) costs.

Builds a store at revision 0018 (main's schema before it) with one organization of
--persons persons (an email and an employment each), 50 members, --interactions interactions
and a tie for each distinct (member, person), then in the same run:

- upgrade: 0018 -> 0021 wall time, against copying every table once (`CREATE TABLE copy AS
  SELECT * FROM t`, the least an upgrade that rewrites each table could cost);
- inserts: --batch more interactions (each checks its activity, member and person keys)
  at 0018 and again at 0021: rows/s after / before;
- hot join: one person's ties with their member, person and person_email rows, joined on
  org_id and id, p50 over --queries lookups (cache warmed) at 0018 and at 0021: after / before.

The machine's other load moves single runs by tens of percent: rerun before trusting a ratio
near 1.

Run: .venv/bin/python bench/bench_distribution_keys.py [--db URL] [--interactions 300000]
(default a SQLite file in bench/out/; --db postgresql+psycopg://… for an empty database).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, text

from tiegraph.store import Store, open_store
from tiegraph.store.bulk import insert_rows
from tiegraph.store.migrate import downgrade, upgrade
from tiegraph.store.schema import (
    activity_item,
    company,
    employment,
    interaction,
    member,
    organization,
    person,
    person_email,
)

OUT = Path(__file__).resolve().parent / "out"
MEMBERS = 50
JOIN = text(
    "SELECT m.name, p.full_name, e.email, t.score FROM tie t "
    "JOIN member m ON m.org_id = t.org_id AND m.id = t.member_id "
    "JOIN person p ON p.org_id = t.org_id AND p.id = t.person_id "
    "LEFT JOIN person_email e ON e.org_id = p.org_id AND e.person_id = p.id "
    "WHERE t.org_id = :org AND t.person_id = :person"
)


def build(store: Store, persons: int, interactions: int) -> tuple[int, int]:
    """The organization at 0018; returns (org id, next activity id)."""
    with store.write(bulk=True) as conn:
        org_id = conn.execute(
            organization.insert()
            .values(slug="bench", name="bench", settings={})
            .returning(organization.c.id)
        ).scalar_one()
        companies = max(1, persons // 20)
        insert_rows(
            conn,
            company,
            _rows(companies, lambda i: {"name": f"C{i}", "name_key": f"c{i}"}, org_id),
        )
        insert_rows(
            conn,
            person,
            _rows(
                persons, lambda i: {"full_name": f"P {i}", "company_id": 1 + i % companies}, org_id
            ),
        )
        insert_rows(
            conn,
            person_email,
            _rows(persons, lambda i: {"person_id": i + 1, "email": f"p{i}@x.example"}, org_id),
        )
        insert_rows(
            conn,
            employment,
            _rows(persons, lambda i: {"person_id": i + 1, "company_id": 1 + i % companies}, org_id),
        )
        insert_rows(
            conn,
            member,
            _rows(
                MEMBERS,
                lambda i: {"email": f"m{i}@us.example", "name": f"M {i}", "person_id": i + 1},
                org_id,
            ),
        )
    next_activity = _interactions(store, org_id, 1, interactions, persons)
    with store.write(bulk=True) as conn:
        conn.execute(
            text(
                "INSERT INTO tie (org_id, member_id, person_id, score, label, explicit, state, "
                "reasons) SELECT org_id, member_id, person_id, 10, 'weak', false, '{}', '[]' "
                "FROM interaction WHERE person_id IS NOT NULL "
                "GROUP BY org_id, member_id, person_id"
            )
        )
    return org_id, next_activity


def _rows(count: int, make: Any, org_id: int) -> list[dict[str, Any]]:
    return [{"org_id": org_id} | make(i) for i in range(count)]


def _interactions(store: Store, org_id: int, first: int, count: int, persons: int) -> int:
    """`count` interactions, one activity each; returns the next activity id."""
    rng = random.Random(first)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    done = 0
    while done < count:
        chunk = min(20_000, count - done)
        ids = range(first + done, first + done + chunk)
        moments = [start + timedelta(minutes=i) for i in ids]
        with store.write(bulk=True) as conn:
            insert_rows(
                conn,
                activity_item,
                [
                    {
                        "id": i,
                        "org_id": org_id,
                        "channel": "email",
                        "source_key": f"<{i}@b>",
                        "occurred_at": at,
                    }
                    for i, at in zip(ids, moments, strict=True)
                ],
            )
            insert_rows(
                conn,
                interaction,
                [
                    {
                        "org_id": org_id,
                        "activity_id": i,
                        "member_id": 1 + rng.randrange(MEMBERS),
                        "person_id": 1 + rng.randrange(persons),
                        "address": f"a{i}@x.example",
                        "channel": "email",
                        "direction": "out",
                        "occurred_at": at,
                    }
                    for i, at in zip(ids, moments, strict=True)
                ],
            )
        done += chunk
    return first + count


def copy_all(store: Store) -> float:
    """Seconds to copy every tiegraph table once (and drop the copies)."""
    names = [
        n
        for n in inspect(store.engine).get_table_names()
        if not n.startswith(("procrastinate", "alembic"))
    ]
    started = time.perf_counter()
    with store.write(bulk=True) as conn:
        for name in names:
            conn.execute(text(f"CREATE TABLE bench_copy_{name} AS SELECT * FROM {name}"))
    elapsed = time.perf_counter() - started
    with store.write() as conn:
        for name in names:
            conn.execute(text(f"DROP TABLE bench_copy_{name}"))
    return elapsed


def settle(store: Store) -> None:
    """Fresh statistics, and on SQLite the write-ahead log folded in, before a timing."""
    store.analyze()
    if store.dialect == "sqlite":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def join_p50(store: Store, org_id: int, persons: int, queries: int) -> float:
    """p50 of the hot join for `queries` random persons, the second time each is asked (the
    first pass warms the cache, so before and after compare alike)."""
    rng = random.Random(7)
    asked = [1 + rng.randrange(persons) for _ in range(queries)]
    took = []
    with store.read() as conn:
        for timed in (False, True):
            for someone in asked:
                started = time.perf_counter()
                conn.execute(JOIN, {"org": org_id, "person": someone}).all()
                if timed:
                    took.append(time.perf_counter() - started)
    return statistics.median(took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty database (default: a SQLite file in bench/out/)")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--interactions", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2_000)
    args = parser.parse_args()
    if args.db is None:
        OUT.mkdir(exist_ok=True)
        path = OUT / "distribution_keys.db"
        path.unlink(missing_ok=True)
        args.db = f"sqlite:///{path}"
    store = open_store(args.db)
    downgrade(store.engine, "0018")
    started = time.perf_counter()
    org_id, next_activity = build(store, args.persons, args.interactions)
    print(f"built at 0018 in {time.perf_counter() - started:.1f} s ({store.dialect})")
    settle(store)
    started = time.perf_counter()
    next_activity = _interactions(store, org_id, next_activity, args.batch, args.persons)
    insert_before = time.perf_counter() - started
    join_before = join_p50(store, org_id, args.persons, args.queries)

    baseline_copy = copy_all(store)
    settle(store)
    started = time.perf_counter()
    upgrade(store.engine)
    upgraded = time.perf_counter() - started
    settle(store)
    started = time.perf_counter()
    _interactions(store, org_id, next_activity, args.batch, args.persons)
    insert_after = time.perf_counter() - started
    join_after = join_p50(store, org_id, args.persons, args.queries)
    store.dispose()

    rows = args.interactions + args.batch
    print(
        f"upgrade 0018 -> head with {rows:,} interactions: {upgraded:.2f} s = "
        f"{upgraded / baseline_copy:.2f}x copying every table once ({baseline_copy:.2f} s)"
    )
    print(
        f"interaction inserts/s at head / at 0018: {insert_before / insert_after:.2f} "
        f"({args.batch / insert_after:,.0f} vs {args.batch / insert_before:,.0f} rows/s)"
    )
    print(
        f"hot join p50 at head / at 0018: {join_after / join_before:.2f} "
        f"({join_after * 1e6:.0f} vs {join_before * 1e6:.0f} us)"
    )


if __name__ == "__main__":
    main()
