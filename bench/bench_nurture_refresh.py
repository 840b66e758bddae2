"""Benchmark: one member's nurture refresh (the daily rescore's, per member) on a scale store.

On a cluster kept by `bench_scale.py --keep` (see bench/README.md), for a sample of members:
the refresh as it was (every tie with a touch in the lookback read and classified in Python:
the baseline, kept here) against `nurture_store.refresh_member` as it is (ties that cannot
have a suggestion counted out in SQL), each in a transaction rolled back; both must write the
same rows or the bench stops. Then the same for what an ingest's flush refreshes: FLUSH ties of
the member touched lately (`refresh_pairs`). Prints per member the wall time, this process's CPU
and the database's CPU (the postmaster's process tree, from /proc), and the ratios.

    .venv/bin/python bench/bench_nurture_refresh.py --folder /tmp/scale3-cluster --members 20
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from scale_cluster import Cluster
from scale_web import postmaster_pid, tree_cpu
from tiegraph.core.nurture import DEFAULT_NURTURE
from tiegraph.services.activity import nurture_store
from tiegraph.services.activity.daily_rescore import last_rescore
from tiegraph.services.activity.touches import TOUCH_COLUMNS, touch_of
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import interaction, member, nurture_suggestion, tie


def full_refresh(
    conn: Connection, org: Org, member_id: int, now: datetime, persons: list[int] | None = None
) -> int:
    """The baseline: the refresh before the SQL count, every touch of the lookback classified
    (of `persons`, as an ingest's flush refreshes its ties, or of all the member's)."""
    since = now - DEFAULT_NURTURE.lookback_days * timedelta(days=1)
    which = (
        interaction.c.person_id.is_not(None)
        if persons is None
        else interaction.c.person_id.in_(persons)
    )
    rows = conn.execute(
        select(*TOUCH_COLUMNS).where(
            interaction.c.org_id == org.id,
            interaction.c.member_id == member_id,
            which,
            interaction.c.occurred_at >= since,
        )
    )
    touches: dict[int, list[Any]] = {}
    for r in rows:
        touches.setdefault(r.person_id, []).append(touch_of(r))
    explicit = nurture_store._explicit(conn, org, member_id, persons)
    gone = [nurture_suggestion.c.org_id == org.id, nurture_suggestion.c.member_id == member_id]
    if persons is not None:
        gone.append(nurture_suggestion.c.person_id.in_(persons))
    conn.execute(nurture_suggestion.delete().where(*gone))
    return nurture_store._write(conn, org, member_id, touches, explicit, now, DEFAULT_NURTURE)


def _touched(conn: Connection, org: Org, member_id: int, now: datetime) -> int:
    since = now - DEFAULT_NURTURE.lookback_days * timedelta(days=1)
    return int(
        conn.execute(
            select(func.count(func.distinct(interaction.c.person_id))).where(
                interaction.c.org_id == org.id,
                interaction.c.member_id == member_id,
                interaction.c.person_id.is_not(None),
                interaction.c.occurred_at >= since,
                interaction.c.occurred_at < now,
            )
        ).scalar_one()
    )


def _rows(conn: Connection, org: Org, member_id: int) -> set[tuple[Any, ...]]:
    found = conn.execute(
        select(nurture_suggestion).where(
            nurture_suggestion.c.org_id == org.id, nurture_suggestion.c.member_id == member_id
        )
    )
    return {tuple(r) for r in found}


def _timed(store: Store, org: Org, member_id: int, refresh: Any) -> Any:
    """(wall, this process's CPU, database CPU) seconds of one refresh, and what it wrote."""
    database = postmaster_pid(store)
    with store.engine.connect() as conn, conn.begin() as transaction:
        started, mine, theirs = time.perf_counter(), time.process_time(), tree_cpu(database)
        refresh(conn)
        spent = (
            time.perf_counter() - started,
            time.process_time() - mine,
            tree_cpu(database) - theirs,
        )
        written = _rows(conn, org, member_id)
        transaction.rollback()
    return spent, written


FLUSH = 300


def _flush(conn: Connection, org: Org, member_id: int, rng: random.Random) -> list[int]:
    """FLUSH of the member's ties touched in their last 60 days: what an ingest batch writes."""
    last = conn.execute(
        select(func.max(tie.c.last_at)).where(tie.c.org_id == org.id, tie.c.member_id == member_id)
    ).scalar_one()
    found = conn.execute(
        select(tie.c.person_id).where(
            tie.c.org_id == org.id,
            tie.c.member_id == member_id,
            tie.c.last_at >= last - timedelta(days=60),
        )
    ).scalars()
    persons = sorted(found)
    return sorted(rng.sample(persons, min(FLUSH, len(persons))))


def _table(*runs: tuple[str, list[tuple[float, float, float]]]) -> None:
    print(f"  {'':<34} {'wall':>9} {'our CPU':>9} {'db CPU':>9}")
    for name, spent in runs:
        wall, mine, theirs = (statistics.fmean(x[i] for x in spent) * 1000 for i in range(3))
        print(f"  {name:<34} {wall:7.1f}ms {mine:7.1f}ms {theirs:7.1f}ms")
    (_, before), (_, after) = runs
    ratios = [
        statistics.fmean(a[i] for a in after) / statistics.fmean(b[i] for b in before)
        for i in range(3)
    ]
    print(f"  {'ratio':<34} {ratios[0]:8.2f}x {ratios[1]:8.2f}x {ratios[2]:8.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path("/tmp/tiegraph-scale"))
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    cluster = Cluster(args.folder)
    cluster.start()
    store = open_store(cluster.url())
    org = resolve_org(store)
    now = last_rescore(store, org)
    if now is None:
        raise SystemExit("the store has no rescore moment: not built by bench_scale.py")
    with store.read() as conn:
        ids = sorted(conn.execute(select(member.c.id).where(member.c.org_id == org.id)).scalars())
    chosen = sorted(random.Random(args.seed).sample(ids, min(args.members, len(ids))))
    before: list[tuple[float, float, float]] = []
    after: list[tuple[float, float, float]] = []
    flushes: list[tuple[float, float, float]] = []
    flushed: list[tuple[float, float, float]] = []
    rows, touched, classified = 0, 0, 0
    for member_id in chosen:

        def old(conn: Connection, m: int = member_id) -> int:
            return full_refresh(conn, org, m, now)

        def new(conn: Connection, m: int = member_id) -> int:
            return nurture_store.refresh_member(conn, org, m, now)

        # Each twice, the first read warming the cache for both; the second of each timed.
        _timed(store, org, member_id, old)
        spent, expected = _timed(store, org, member_id, old)
        before.append(spent)
        spent, written = _timed(store, org, member_id, new)
        after.append(spent)
        if written != expected:
            raise SystemExit(f"member {member_id}: the refresh wrote other rows than the baseline")
        rows += len(written)
        with store.read() as conn:
            touched += _touched(conn, org, member_id, now)
            read = nurture_store._touches(conn, org, member_id, None, now, DEFAULT_NURTURE)
            classified += len(read)
            persons = _flush(conn, org, member_id, random.Random(member_id))

        def old_pairs(conn: Connection, m: int = member_id, p: list[int] = persons) -> int:
            return full_refresh(conn, org, m, now, p)

        def new_pairs(conn: Connection, m: int = member_id, p: list[int] = persons) -> int:
            return nurture_store.refresh_pairs(conn, org, [(m, x) for x in p], now)

        _timed(store, org, member_id, old_pairs)
        spent, expected = _timed(store, org, member_id, old_pairs)
        flushes.append(spent)
        spent, written = _timed(store, org, member_id, new_pairs)
        flushed.append(spent)
        if written != expected:
            raise SystemExit(f"member {member_id}: refresh_pairs wrote other rows")
    print(
        f"nurture refresh of {len(chosen)} members ({rows} suggestions; {touched} ties with a "
        f"touch in the lookback, {classified} of them read and classified), per member, mean:"
    )
    _table(("every tie classified (baseline)", before), ("refresh_member", after))
    print(f"an ingest's flush: {FLUSH} ties of one member touched lately, mean:")
    _table(("their ties classified (baseline)", flushes), ("refresh_pairs", flushed))
    store.dispose()


if __name__ == "__main__":
    main()
