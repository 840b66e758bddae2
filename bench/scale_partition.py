"""`bench_scale.py` phase 4: the interactions table plain against range-partitioned by month.

A copy of `interaction`, declaratively partitioned by `occurred_at` one month a partition
(pg_partman would only create future months; the bench makes them all up front), with the
plain table's indexes and, as a partitioned table needs, the partition key in its primary key
and unique constraint (org_id leading both, for Citus). Then, on each of the two tables, the
queries that read or write interactions at this scale, as the code issues them:

- ingest: insert a batch of 5,000 recent messages and their interactions
  (services/activity/writes.py);
- nurture: one member's interactions of the last 90 days with their ties' persons
  (services/insights/nurture.py);
- recompute: every member's interactions of the activity horizon, summed per moment
  (services/activity/member_activity.py `_weights`, weekly);
- tie rebuild: the touches of 500 (member, person) ties (services/activity/ties.py
  `raw_touches`: ingest's rebuilds, as-of views);
- re-ingest: delete the interactions of 200 messages and write them again
  (services/activity/writes.py `_replace`, an edited event).

Writes run in a transaction rolled back, so both tables stay alike. Prints p50 of each on both
and the ratio partitioned / plain (under 1: partitioning is faster).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from scale_cluster import Cluster
from tiegraph.core.strength import DEFAULT_PARAMS
from tiegraph.services.activity.member_activity import HORIZON_HALF_LIVES
from tiegraph.services.org.orgs import Org

PLAIN, BY_MONTH = "interaction", "interaction_by_month"
HORIZON = timedelta(days=HORIZON_HALF_LIVES * DEFAULT_PARAMS.activity_usual_days)
COLUMNS = (
    "org_id, activity_id, member_id, person_id, address, channel, direction, "
    "occurred_at, participants, duration_seconds, thread_reply"
)


def _months(first: datetime, last: datetime) -> list[datetime]:
    month = datetime(first.year, first.month, 1, tzinfo=UTC)
    found = []
    while month <= last:
        found.append(month)
        month = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
    return found


def build_copy(conn: psycopg.Connection[Any]) -> float:
    """The partitioned copy of `interaction`, with its indexes; seconds it took."""
    started = time.perf_counter()
    first = conn.execute(f"SELECT min(occurred_at) FROM {PLAIN}").fetchone()[0]  # type: ignore[index]
    conn.execute(f"DROP TABLE IF EXISTS {BY_MONTH}")
    conn.execute(
        f"CREATE TABLE {BY_MONTH} (LIKE {PLAIN} INCLUDING DEFAULTS) "
        "PARTITION BY RANGE (occurred_at)"
    )
    months = _months(first, datetime.now(UTC) + timedelta(days=62))
    for month in months:
        following = datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=UTC)
        conn.execute(
            f"CREATE TABLE {BY_MONTH}_{month:%Y%m} PARTITION OF {BY_MONTH} "
            f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
        )
    conn.execute(f"INSERT INTO {BY_MONTH} SELECT * FROM {PLAIN}")
    conn.execute(f"ALTER TABLE {BY_MONTH} ADD PRIMARY KEY (org_id, id, occurred_at)")
    conn.execute(
        f"ALTER TABLE {BY_MONTH} ADD UNIQUE (org_id, activity_id, member_id, address, occurred_at)"
    )
    conn.execute(f"CREATE INDEX ON {BY_MONTH} (org_id, person_id, member_id, occurred_at)")
    conn.execute(f"CREATE INDEX ON {BY_MONTH} (org_id, address) WHERE person_id IS NULL")
    for (definition,) in conn.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
        "AND contype = 'f'",
        (PLAIN,),
    ).fetchall():
        conn.execute(f"ALTER TABLE {BY_MONTH} ADD {definition}")
    conn.execute(f"VACUUM ANALYZE {BY_MONTH}")
    return time.perf_counter() - started


def _timed(
    conn: psycopg.Connection[Any], runs: list[Callable[[str], object]], table: str
) -> list[float]:
    found = []
    for run in runs:
        started = time.perf_counter()
        with conn.transaction(force_rollback=True):
            run(table)
        found.append((time.perf_counter() - started) * 1000)
    return found


def _queries(
    conn: psycopg.Connection[Any], org: int, rng: random.Random
) -> list[tuple[str, list[Callable[[str], object]]]]:
    now = datetime.now(UTC)
    members = [r[0] for r in conn.execute("SELECT id FROM member ORDER BY id").fetchall()]
    persons = conn.execute("SELECT max(id) FROM person").fetchone()[0]  # type: ignore[index]
    top = conn.execute(f"SELECT max(activity_id) FROM {PLAIN}").fetchone()[0]  # type: ignore[index]
    pairs = conn.execute(
        "SELECT member_id, person_id FROM tie TABLESAMPLE SYSTEM (1) LIMIT 5000"
    ).fetchall()

    def insert(table: str, seed: int) -> None:
        own = random.Random(seed)
        rows = [
            (
                org,
                top + seed * 10_000 + n,
                own.choice(members),
                own.randint(1, persons),
                f"bench.{n}@insert.example",
                "email",
                "out",
                now - timedelta(seconds=own.randint(0, 7 * 86400)),
                1,
                0,
                False,
            )
            for n in range(5000)
        ]
        columns = [list(c) for c in zip(*rows, strict=True)]
        conn.execute(
            "INSERT INTO activity_item (id, org_id, channel, source_key, occurred_at) "
            "SELECT id, %s, 'email', '<insert-' || id || '@bench>', %s FROM unnest(%s::bigint[]) "
            "AS id",
            (org, now, columns[1]),
        )
        conn.execute(
            f"INSERT INTO {table} ({COLUMNS}) SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
            "%s::bigint[], %s::bigint[], %s::text[], %s::text[], %s::text[], "
            "%s::timestamptz[], %s::int[], %s::int[], %s::bool[])",
            columns,
        )

    def nurture(table: str, member: int) -> None:
        conn.execute(
            f"SELECT person_id, channel, direction, occurred_at, participants, "
            f"duration_seconds, thread_reply FROM {table} WHERE org_id = %s AND member_id = %s "
            "AND occurred_at >= %s AND person_id IN (SELECT person_id FROM tie "
            "WHERE org_id = %s AND member_id = %s)",
            (org, member, now - timedelta(days=90), org, member),
        ).fetchall()

    def recompute(table: str) -> None:
        conn.execute(
            f"SELECT member_id, occurred_at, channel, participants, duration_seconds, "
            f"thread_reply, count(*) FROM {table} WHERE org_id = %s AND person_id IS NOT NULL "
            "AND occurred_at < %s AND occurred_at >= %s GROUP BY 1, 2, 3, 4, 5, 6",
            (org, now, now - HORIZON),
        ).fetchall()

    def rebuild(table: str, seed: int) -> None:
        chosen = random.Random(seed).sample(pairs, min(500, len(pairs)))
        conn.execute(
            f"SELECT member_id, person_id, occurred_at, channel, direction FROM {table} "
            "WHERE org_id = %s AND (member_id, person_id) IN (SELECT * FROM "
            "unnest(%s::bigint[], %s::bigint[]))",
            (org, [p[0] for p in chosen], [p[1] for p in chosen]),
        ).fetchall()

    def reingest(table: str, seed: int) -> None:
        ids = [random.Random(seed).randint(1, top) for _ in range(200)]
        old = conn.execute(
            f"DELETE FROM {table} WHERE org_id = %s AND activity_id = ANY(%s) RETURNING {COLUMNS}",
            (org, ids),
        ).fetchall()
        if old:
            columns = [list(c) for c in zip(*old, strict=True)]
            conn.execute(
                f"INSERT INTO {table} ({COLUMNS}) SELECT * FROM unnest(%s::bigint[], "
                "%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[], "
                "%s::text[], %s::timestamptz[], %s::int[], %s::int[], %s::bool[])",
                columns,
            )

    chosen = rng.sample(members, min(30, len(members)))
    return [
        ("ingest insert, 5,000 rows", [lambda t, s=s: insert(t, s) for s in range(1, 21)]),
        ("nurture window, one member", [lambda t, m=m: nurture(t, m) for m in chosen]),
        ("recompute window, all members", [recompute, recompute, recompute]),
        ("tie rebuild, 500 ties", [lambda t, s=s: rebuild(t, s) for s in range(20)]),
        ("re-ingest, 200 messages", [lambda t, s=s: reingest(t, s) for s in range(20)]),
    ]


def measure_partitioning(cluster: Cluster, org: Org, seed: int) -> bool:
    """Print the comparison; whether partitioning was faster at every query."""
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        try:
            return _compare(conn, org, seed)
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {BY_MONTH}")


def _compare(conn: psycopg.Connection[Any], org: Org, seed: int) -> bool:
    seconds = build_copy(conn)
    parts = conn.execute(
        "SELECT count(*) FROM pg_inherits WHERE inhparent = %s::regclass", (BY_MONTH,)
    ).fetchone()[0]  # type: ignore[index]
    print(
        f"partitioning: copy of interaction in {parts} monthly partitions made in "
        f"{seconds:.0f} s; p50 per query, plain and by month:"
    )
    faster = True
    for name, runs in _queries(conn, org.id, random.Random(seed)):
        _timed(conn, runs[:1], PLAIN)  # the same warm start for both
        _timed(conn, runs[:1], BY_MONTH)
        plain = statistics.median(_timed(conn, runs, PLAIN))
        by_month = statistics.median(_timed(conn, runs, BY_MONTH))
        faster = faster and by_month < plain
        print(
            f"  {name:<32} plain {plain:9.1f} ms  by month {by_month:9.1f} ms  "
            f"ratio {by_month / plain:5.2f}x",
            flush=True,
        )
    print(f"  partitioned faster at every query: {'yes' if faster else 'no'}")
    return faster
