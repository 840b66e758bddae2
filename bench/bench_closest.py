"""Benchmark: `closest --account` latency at 1M persons, for accounts of very different sizes.

Reuses the who-knows benchmark's store (1M persons, 2M ties, 10M interactions, 2,500
members; built by bench_who_knows.py if missing) and gives its persons employers of very
different sizes: one company of 200,000 people, two of 50,000, five of 10,000, fifty of
1,000, five hundred of 100, and the rest in companies of about 50. Then, in the same run,
for each size, with a random member as the viewer (sharing rules on):

- baseline: the naive top-20 join, `person JOIN tie JOIN member WHERE company = ? GROUP BY
  person ORDER BY max(score) DESC LIMIT 20`, through SQLAlchemy Core;
- tiegraph: `closest_to_account(store, org, domain, viewer=member)`: the company found by its
  domain, the threshold walk over tie(org, company, score, person, member), ties rescored
  for today, names. Stored scores are first brought up to today by `ties.rescore`, as
  `tiegraph serve` does daily (its time is printed too).

The naive join takes seconds on the big accounts, so it runs --baseline-queries times per size
(its p99 is then about its maximum).

Run: .venv/bin/python bench/bench_closest.py [--queries 200] [--skip-rescore]
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import func, or_, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_who_knows
from tiegraph.services.activity.ties import rescore
from tiegraph.services.insights.closest import closest_to_account
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import company, company_domain, member, person, tie

SIZES = [(200_000, 1), (50_000, 2), (10_000, 5), (1_000, 50), (100, 500)]
REST = 50


def employers(store: Store, persons: int) -> dict[int, int]:
    """Give persons companies (once); returns one company id per size to query."""
    org = resolve_org(store, None)
    with store.read() as conn:
        done = conn.execute(select(func.count()).select_from(company)).scalar_one()
    if not done:
        started = time.perf_counter()
        plan = [size for size, count in SIZES for _ in range(count)]
        left = persons - sum(plan)
        plan += [REST] * (left // REST)
        with store.write() as conn:
            conn.execute(
                company.insert(),
                [
                    {
                        "id": i + 1,
                        "org_id": org.id,
                        "name": f"Company {i}",
                        "name_key": f"company {i}",
                        "size": size,
                    }
                    for i, size in enumerate(plan)
                ],
            )
            conn.execute(
                company_domain.insert(),
                [
                    {"org_id": org.id, "company_id": i + 1, "domain": f"company{i}.example"}
                    for i in range(len(plan))
                ],
            )
            first = 1
            for i, size in enumerate(plan):
                conn.execute(
                    person.update()
                    .where(person.c.id.between(first, first + size - 1))
                    .values(company_id=i + 1)
                )
                first += size
            conn.execute(
                text(
                    "UPDATE tie SET company_id = (SELECT person.company_id FROM person "
                    "WHERE person.id = tie.person_id)"
                )
            )
        print(f"  employers given: {time.perf_counter() - started:.0f} s")
    picks, seen = {}, 0
    for size, count in SIZES:
        picks[size] = seen + 1
        seen += count
    picks[REST] = seen + 1
    return picks


COPIED = {  # in foreign-key order
    "organization": "id, slug, name, activity_sharing_default, settings",
    "company": "id, org_id, name, name_key, size, industry, is_target, is_reference_customer",
    "company_domain": "id, org_id, company_id, domain",
    "person": "id, org_id, full_name, company_id, title, origin",
    "person_email": "id, org_id, person_id, email",
    "member": "id, org_id, person_id, email, name, role, contact_sync, activity_sharing",
    "member_address": "id, org_id, member_id, email",
    "tie": "org_id, member_id, person_id, company_id, score, label, explicit, first_at, last_at, "
    "state, reasons, scored_at",
}


def copy_to_postgres(sqlite_path: str, store: Store) -> None:
    """Fill an empty PostgreSQL store from the SQLite benchmark store with COPY (once)."""
    with store.read() as conn:
        if conn.execute(select(func.count()).select_from(tie)).scalar_one():
            return
    started = time.perf_counter()
    source = sqlite3.connect(sqlite_path)
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("DELETE FROM organization")
        for table, columns in COPIED.items():
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in source.execute(f"SELECT {columns} FROM {table}"):
                    copy.write_row(row)
            print(f"  copied {table}: {time.perf_counter() - started:.0f} s")
        raw.commit()
    finally:
        raw.close()
        source.close()
    store.analyze()


def naive(conn: object, org_id: int, company_id: int, viewer: Member) -> list[object]:
    best = func.max(tie.c.score).label("best")
    query = (
        select(person.c.id, best)
        .join(tie, (tie.c.org_id == person.c.org_id) & (tie.c.person_id == person.c.id))
        .join(member, member.c.id == tie.c.member_id)
        .where(
            person.c.org_id == org_id,
            person.c.company_id == company_id,
            or_(member.c.id == viewer.id, member.c.activity_sharing.is_(True)),
        )
        .group_by(person.c.id)
        .order_by(best.desc())
        .limit(20)
    )
    return list(conn.execute(query))  # type: ignore[attr-defined]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--baseline-queries", type=int, default=20, help="naive joins per size (seconds each)"
    )
    parser.add_argument("--skip-rescore", action="store_true", help="scores already fresh")
    parser.add_argument(
        "--db", default="sqlite", help="sqlite, or a PostgreSQL URL of an empty database to fill"
    )
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    wk = bench_who_knows.parse([])
    # Built on first use (about 8 minutes); opening upgrades it: tie.company_id and its index.
    store = bench_who_knows.open_built(wk)
    org = resolve_org(store, None)
    picks = employers(store, wk.persons)
    if not args.skip_rescore:
        started = time.perf_counter()
        changed = rescore(store, org)  # what `tiegraph serve` does daily
        took = time.perf_counter() - started
        print(f"  rescored for today: {changed:,} ties changed in {took:.0f} s")
    store.analyze()  # as every bulk import and ingest does when it ends
    if args.db != "sqlite":
        source = store.url.removeprefix("sqlite:///")
        store.dispose()
        store = open_store(args.db)
        copy_to_postgres(source, store)
        org = resolve_org(store, None)
    rng = random.Random(args.seed)
    with store.read() as conn:
        members = [
            Member(
                r.id,
                org.id,
                r.email,
                r.name,
                "member",
                r.person_id,
                False,
                bool(r.activity_sharing),
            )
            for r in conn.execute(select(member))
        ]
    print(f"closest --account, {args.queries} queries per size, top 20, {store.dialect}")
    print(
        f"{'account size':>12} {'naive p50':>10} {'naive p99':>10} {'ours p50':>9} "
        f"{'ours p99':>9} {'p99 ratio':>9}"
    )
    for size, company_id in picks.items():
        base, ours = [], []
        for i in range(args.queries):
            viewer = rng.choice(members)
            if i < args.baseline_queries:
                with store.read() as conn:
                    started = time.perf_counter()
                    naive(conn, org.id, company_id, viewer)
                    base.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            closest_to_account(store, org, f"company{company_id - 1}.example", viewer=viewer)
            ours.append((time.perf_counter() - started) * 1000)
        b50, b99 = _percentiles(base)
        o50, o99 = _percentiles(ours)
        print(
            f"{size:>12,} {b50:>8.2f}ms {b99:>8.2f}ms {o50:>7.2f}ms {o99:>7.2f}ms "
            f"{b99 / o99:>8.1f}×"
        )
    store.dispose()


if __name__ == "__main__":
    main()
