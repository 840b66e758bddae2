"""Benchmark: a team's server at scale on PostgreSQL (issue 22), every figure against a
baseline measured in the same run.

Default size: 1,000 members, 2,000,000 directory persons, 20M ties, 50M interactions in one
organization (`--scale 0.1` is a tenth of each, members at least 200). In its own PostgreSQL
15 cluster under /tmp (scale_cluster.py: fsync off, tuned for a bulk load), schema made by
the project's migrations, data written in that schema (scale_data.py), the read models the
pages read filled by the project's own refreshes and checked by sample (scale_read_models.py),
then:

1. ingest: `ingest_mail` (what `tiegraph ingest mail` runs) of a generated mbox into the big
   store, messages/s, against the same mbox into an empty store (same members and persons,
   no ties nor interactions) on the same server;
2. queries in process: `who_knows`, `closest_to_person` and `closest_to_account` p50/p99
   over hot and cold persons and companies, against a primary-key read of a person;
3. pages (scale_pages.py): every page of bench_pages.py, one client, the server's and the
   database's CPU per request against the static file's;
4. web: `tiegraph serve` (1 and 2 workers) under 50 and 200 sellers, each a distinct signed-in
   member viewing a page every 2 s on average (Poisson, open loop, scale_web.py), with the
   static file measured under the same load;
5. partitioning (scale_partition.py): the interactions queries that matter on the plain table
   against a copy range-partitioned by month.

Run: .venv/bin/python bench/bench_scale.py [--scale 1] [--seconds 60] [--keep] [--reuse]
     [--only ingest,queries,pages,web,partition]
     [--requests 20] [--sellers 50,200] [--processes 1,2] [--folder /tmp/tiegraph-scale]
`--keep` leaves the cluster running (and prints its URL); `--reuse` uses a kept one's data.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import text

import scale_copy
import scale_data
import scale_read_models
import scale_shapes
from scale_cluster import Cluster
from tiegraph.core.strength import TieState, fold, to_columns
from tiegraph.services.activity.daily_rescore import INPUTS_SETTING, SETTING
from tiegraph.services.activity.member_activity import recompute
from tiegraph.services.activity.ties import raw_touches
from tiegraph.services.demo import DEMO_PASSWORD
from tiegraph.services.org.auth import hash_password
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.services.org.settings import get_setting, put_setting
from tiegraph.store import Store, open_store

MARK = "bench_scale"  # an organization setting: the scale its data was made at


@contextmanager
def phase(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"  {name:<52} {time.perf_counter() - started:8.1f} s", flush=True)


def build(cluster: Cluster, scale: float, seed: int) -> tuple[Store, Org]:
    sizes = scale_data.Sizes.of(scale)
    print(f"building: {sizes}", flush=True)
    began = time.perf_counter()
    cluster.create_database("tiegraph")
    with phase("schema by the migrations"):
        store = open_store(cluster.url())
        org = resolve_org(store)
    now = scale_data.now_utc()
    with psycopg.connect(cluster.dsn(), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        again = scale_copy.drop_secondary(conn)
        with phase(f"directory: {sizes.persons:,} persons, {sizes.companies:,} companies"):
            scale_data.load_directory(conn, org.id, sizes, seed)
        with phase(f"members: {sizes.members:,}"):
            scale_data.load_members(conn, org.id, sizes, hash_password(DEMO_PASSWORD))
        with phase("tie shapes (core/strength.py folds)"):
            mean = scale_shapes.load_shapes(conn, sizes.interactions / sizes.ties, now, seed)
        with phase(f"ties (~{sizes.ties:,})"):
            scale_data.load_ties(conn, org.id, sizes, now, seed)
        with phase(f"interactions and messages (~{mean:.2f} per tie)"):
            scale_data.load_interactions(conn, org.id, now)
        with phase("indexes and constraints rebuilt"):
            scale_data.finish(conn, again)
        with phase("VACUUM ANALYZE"):
            conn.execute("VACUUM ANALYZE")
    with phase("members' activity and pace (member_activity.recompute)"), store.write() as c:
        recompute(c, org, now)
    check_ties(store, org)
    scale_read_models.fill(store, org, now)
    put_setting(store, org, SETTING, now.isoformat())
    put_setting(store, org, INPUTS_SETTING, True)
    put_setting(store, org, MARK, scale)
    print(f"  {'built in':<52} {time.perf_counter() - began:8.1f} s")
    return store, org


def check_ties(store: Store, org: Org, count: int = 200) -> None:
    """A sample of ties: each one's stored state must be the fold of its stored interactions
    (services/activity/ties.py `raw_touches`, core/strength.py `fold`), or the bench stops."""
    with store.read() as conn:
        rows = conn.execute(
            text("SELECT member_id, person_id, state FROM tie TABLESAMPLE SYSTEM (1) LIMIT :n"),
            {"n": count},
        ).all()
        touches = raw_touches(conn, org, [(r.member_id, r.person_id) for r in rows])
    for r in rows:
        folded = fold(
            TieState(), sorted(touches.get((r.member_id, r.person_id), []), key=lambda t: t.at)
        )
        if to_columns(folded) != r.state:
            raise SystemExit(f"tie {r.member_id}/{r.person_id}: state is not its interactions'")
    print(f"  checked: {len(rows)} sampled ties' states are the folds of their interactions")


def print_sizes(cluster: Cluster) -> None:
    with psycopg.connect(cluster.dsn()) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.reltuples::bigint, pg_table_size(c.oid), "
            "pg_indexes_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "AND NOT c.relispartition "
            "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 9"
        ).fetchall()
    print(f"  {'table':<22} {'rows':>14} {'table':>10} {'indexes':>10}")
    for name, count, table_bytes, index_bytes in rows:
        print(
            f"  {name:<22} {count:>14,} {table_bytes / 2**30:8.2f}GB {index_bytes / 2**30:8.2f}GB"
        )
    print(f"  data folder: {cluster.size_on_disk() / 2**30:.1f} GB")


def percentiles(latencies: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return statistics.median(latencies), cuts[98]


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def sample(rng: random.Random, low: int, high: int, count: int) -> list[int]:
    return [rng.randint(low, high) for _ in range(count)]


def _has_database(cluster: Cluster) -> bool:
    with psycopg.connect(cluster.dsn("postgres")) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'tiegraph'").fetchone()
    return found is not None


def open_built(cluster: Cluster, args: argparse.Namespace) -> tuple[Store, Org]:
    if args.reuse and _has_database(cluster):
        store = open_store(cluster.url())
        org = resolve_org(store)
        if get_setting(store, org, MARK) == args.scale:
            print(f"reusing the data of scale {args.scale} in {cluster.folder}")
            return store, org
        store.dispose()
    return build(cluster, args.scale, args.seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seconds", type=int, default=60, help="per web load run")
    parser.add_argument("--sellers", default="50,200", help="web loads, sellers each")
    parser.add_argument("--processes", default="1,2", help="web loads, server processes")
    parser.add_argument("--requests", type=int, default=20, help="per page (pages phase)")
    parser.add_argument("--samples", type=int, default=300, help="per query kind")
    parser.add_argument("--messages", type=int, default=20_000, help="ingested mbox")
    parser.add_argument("--folder", type=Path, default=Path("/tmp/tiegraph-scale"))
    parser.add_argument(
        "--only",
        default="ingest,queries,pages,web,partition",
        help="the phases after the build (`build`: none, only build or reuse the store)",
    )
    parser.add_argument("--keep", action="store_true", help="leave the cluster running")
    parser.add_argument("--reuse", action="store_true", help="a kept cluster's data")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    cluster = Cluster(args.folder)
    began = time.perf_counter()
    cluster.start()
    try:
        store, org = open_built(cluster, args)
        scale_read_models.check(store, org)
        print_sizes(cluster)
        if "ingest" in wanted:
            from scale_ingest import measure_ingest

            measure_ingest(cluster, store, org, args.messages, args.seed)
        if "queries" in wanted:
            from scale_queries import measure_queries

            measure_queries(store, org, args.samples, args.seed)
        if "pages" in wanted:
            from scale_pages import measure_pages

            measure_pages(store, org, args.requests)
        if "web" in wanted:
            from scale_web import measure_web

            loads = [int(n) for n in args.sellers.split(",")]
            processes = [int(n) for n in args.processes.split(",")]
            measure_web(store, org, args.seconds, args.seed, loads, processes)
        if "partition" in wanted:
            from scale_partition import measure_partitioning

            measure_partitioning(cluster, org, args.seed)
        with store.read() as conn:
            conn.execute(text("SELECT 1"))
        store.dispose()
    finally:
        print(f"run time: {(time.perf_counter() - began) / 60:.1f} min")
        if args.keep:
            print(f"cluster kept: {cluster.url()} (data in {cluster.folder})")
        else:
            cluster.stop(delete=True)


if __name__ == "__main__":
    main()
