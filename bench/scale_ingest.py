"""`bench_scale.py` phase 1: `ingest_mail` into the big store against an empty one.

One member's mbox of recent mail (the last 20 days) with correspondents drawn from the big
directory: half hot persons (known by many colleagues), half cold ones, and one message in
ten with an address nobody has seen (it becomes a correspondent person). The baseline is the
same mbox into an empty store on the same server: the same members, companies and the
persons the mbox names, no ties nor interactions.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import psycopg

import scale_data
from scale_cluster import Cluster
from tiegraph.services.activity.ingest import IngestReport, ingest_mail
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store, open_store

OWNER = 2  # the mailbox's member


def correspondents(
    conn: psycopg.Connection[Any], sizes: scale_data.Sizes, rng: random.Random, count: int
) -> dict[int, str]:
    hot = max(int(sizes.persons * scale_data.HOT_SHARE), 1)
    ids = {rng.randint(1, hot) for _ in range(count // 2)}
    ids |= {rng.randint(hot + 1, sizes.persons) for _ in range(count // 2)}
    rows = conn.execute(
        "SELECT person_id, email FROM person_email WHERE person_id = ANY(%s)", (sorted(ids),)
    ).fetchall()
    return dict(rows)


def write_mbox(path: Path, addresses: list[str], messages: int, rng: random.Random) -> None:
    owner = scale_data.member_email(OWNER)
    now = scale_data.now_utc()
    with path.open("w", encoding="utf-8") as out:
        for n in range(messages):
            other = (
                f"new.correspondent.{n}@fresh{n % 50}.example.org"
                if n % 10 == 9
                else rng.choice(addresses)
            )
            sender, recipient = (owner, other) if rng.random() < 0.5 else (other, owner)
            when = now - timedelta(seconds=rng.randint(60, 20 * 86400))
            out.write(
                f"From bench@localhost {when.strftime('%a %b %d %H:%M:%S %Y')}\n"
                f"From: <{sender}>\nTo: <{recipient}>\nSubject: bench {n}\n"
                f"Date: {format_datetime(when)}\nMessage-ID: <scale-{n}@bench.example>\n\n"
                "A few words of body.\n\n"
            )


def empty_store(cluster: Cluster, person_ids: list[int], members: int, persons: int) -> Store:
    """The baseline: migrations, then the members, companies and the named persons only."""
    cluster.create_database("tiegraph_empty")
    store = open_store(cluster.url("tiegraph_empty"))
    resolve_org(store)
    wanted = ",".join(str(i) for i in [*person_ids, *range(persons + 1, persons + members + 1)])
    copies = {
        "company": "SELECT * FROM company",
        "company_domain": "SELECT * FROM company_domain",
        "person": f"SELECT * FROM person WHERE id IN ({wanted})",
        "person_email": f"SELECT * FROM person_email WHERE person_id IN ({wanted})",
        "employment": f"SELECT * FROM employment WHERE person_id IN ({wanted})",
        "member": "SELECT * FROM member",
        "member_address": "SELECT * FROM member_address",
    }
    with (
        psycopg.connect(cluster.dsn()) as source,
        psycopg.connect(cluster.dsn("tiegraph_empty")) as target,
    ):
        for table, query in copies.items():
            with (
                source.cursor().copy(f"COPY ({query}) TO STDOUT") as out,
                target.cursor().copy(f"COPY {table} FROM STDIN") as into,
            ):
                for chunk in out:
                    into.write(chunk)
            target.execute(
                f"SELECT setval('{table}_id_seq', (SELECT coalesce(max(id), 1) FROM {table}))"
            )
        target.commit()
    store.analyze()
    return store


def _run(store: Store, org: Org, mbox: Path) -> tuple[float, IngestReport]:
    started = time.perf_counter()
    report = ingest_mail(store, org, [mbox])
    return time.perf_counter() - started, report


def measure_ingest(cluster: Cluster, store: Store, org: Org, messages: int, seed: int) -> None:
    rng = random.Random(seed)
    with store.read() as conn:
        members = conn.exec_driver_sql("SELECT count(*) FROM member").scalar_one()
        persons = conn.exec_driver_sql(
            "SELECT count(*) FROM person WHERE origin = 'directory'"
        ).scalar_one()
    sizes = scale_data.Sizes(members, persons, 0, 0, 0)
    with psycopg.connect(cluster.dsn()) as conn:
        named = correspondents(conn, sizes, rng, 3000)
    with tempfile.TemporaryDirectory() as folder:
        mbox = Path(folder, "seller.mbox")
        write_mbox(mbox, sorted(named.values()), messages, rng)
        empty = empty_store(cluster, sorted(named), members, persons)
        base_seconds, base = _run(empty, resolve_org(empty), mbox)
        empty.dispose()
        big_seconds, big = _run(store, org, mbox)
    base_rate, big_rate = base.read / base_seconds, big.read / big_seconds
    print(f"ingest_mail of {messages:,} messages ({len(named):,} correspondents, 1 in 10 new):")
    print(
        f"  into an empty store (baseline) {base_rate:9,.0f} messages/s "
        f"({base_seconds:.1f} s, {base.interactions:,} interactions)"
    )
    print(
        f"  into the big store             {big_rate:9,.0f} messages/s "
        f"({big_seconds:.1f} s, {big.interactions:,} interactions)  "
        f"ratio {big_rate / base_rate:.2f}x"
    )
