"""Benchmark: who-knows latency through the service layer at 10M interactions and 2M ties.

Builds (once; reused while its sizes match) a store holding one organization with
`--members` members, `--persons` directory persons with an email each, `--ties` ties whose
sizes follow a heavy tail (most persons known by one or two members, a few by dozens), and
`--interactions` interactions behind them, the tie states folded from those interactions by
the real strength model. Then it measures, in the same run:

- baseline: the bare indexed lookup `SELECT member_id, score FROM tie WHERE org_id = ? AND
  person_id = ? ORDER BY score DESC LIMIT 5`, through SQLAlchemy Core;
- tiegraph: `who_knows(store, org, [email], viewer=member)` for one email per call: email to
  person, every tie of that person rescored as of now, reasons in words, the viewer's sharing
  rules, members' names: exactly what the tile shows.

Before measuring, the tables both read are read once (PostgreSQL: pg_prewarm into the OS
cache, with their indexes; SQLite: the file), as a server's steady state holds them: without
it, which of 2,000 random persons of a million hit the disk depends on what ran before, and
the p99 says more about the page cache than about the query (`--cold` skips it).

Run: .venv/bin/python bench/bench_who_knows.py [--db sqlite|URL] [--queries 2000] [--cold]
A PostgreSQL URL must name an empty database the script may fill (it keeps it for reuse).
Scaled-down run: --persons 50000 --ties 100000 --interactions 500000 --members 200
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, func, select, text

from tiegraph.core.strength import TieState, Touch, apply, score, to_columns
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.bulk import insert_rows
from tiegraph.store.schema import (
    activity_item,
    interaction,
    member,
    member_address,
    person,
    person_email,
    tie,
)

OUT = Path(__file__).resolve().parent / "out"
NOW = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=180)
BATCH = 50_000


def _email(index: int) -> str:
    return f"p{index}@c{index % 40_000}.example"


def sizes(args: argparse.Namespace) -> str:
    return f"m{args.members}-p{args.persons}-t{args.ties}-i{args.interactions}"


def tie_pairs(rng: random.Random, members: int, persons: int, ties: int) -> list[tuple[int, int]]:
    """(member index, person index) pairs: person popularity and member activity heavy-tailed."""
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < ties:
        person_index = min(int(rng.paretovariate(0.9)) - 1, persons - 1)
        person_index = (person_index * 7_919 + rng.randrange(persons)) % persons
        if rng.random() < 0.5:
            person_index = rng.randrange(persons)  # half the ties spread evenly
        member_index = min(int(rng.paretovariate(1.2)) - 1, members - 1)
        member_index = (member_index * 31 + rng.randrange(members)) % members
        pairs.add((member_index, person_index))
    return sorted(pairs, key=lambda p: (p[1], p[0]))


def touches_for(rng: random.Random, count: int) -> list[Touch]:
    touches = []
    for _ in range(count):
        kind = rng.random()
        at = NOW - SPAN * rng.random() ** 1.5
        direction = "out" if rng.random() < 0.55 else "in"
        if kind < 0.85:
            touches.append(Touch(at, "email", direction, rng.choice((1, 1, 1, 2, 3, 8))))
        elif kind < 0.95:
            touches.append(Touch(at, "meeting", direction, rng.choice((2, 3, 6, 20)), 1_800))
        else:
            touches.append(Touch(at, "call", direction, 1, rng.randint(30, 1_800)))
    return sorted(touches, key=lambda t: t.at)


def build(store: Store, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    org = resolve_org(store, None)
    started = time.perf_counter()
    with store.write() as conn:
        _load(
            conn,
            person,
            (
                {"id": i + 1, "org_id": org.id, "full_name": f"Person {i}", "origin": "directory"}
                for i in range(args.persons + args.members)
            ),
        )
        _load(
            conn,
            person_email,
            (
                {
                    "id": i + 1,
                    "org_id": org.id,
                    "person_id": i + 1,
                    "email": _email(i),
                }
                for i in range(args.persons + args.members)
            ),
        )
        _load(
            conn,
            member,
            (
                {
                    "id": m + 1,
                    "org_id": org.id,
                    "person_id": args.persons + m + 1,
                    "email": _email(args.persons + m),
                    "name": f"Member {m}",
                    "activity_sharing": m % 10 != 0,
                }
                for m in range(args.members)
            ),
        )
    with store.write() as conn:
        _load(
            conn,
            member_address,
            (
                {
                    "id": m + 1,
                    "org_id": org.id,
                    "member_id": m + 1,
                    "email": _email(args.persons + m),
                }
                for m in range(args.members)
            ),
        )
    pairs = tie_pairs(rng, args.members, args.persons, args.ties)
    per_tie = _split(rng, args.interactions, len(pairs))
    print(f"  directory and members: {time.perf_counter() - started:.0f} s")
    next_id = 0
    for first in range(0, len(pairs), BATCH):
        chunk, counts = pairs[first : first + BATCH], per_tie[first : first + BATCH]
        rows, ties = _tie_rows(rng, org.id, chunk, counts, next_id)
        with store.write() as conn:
            _load(
                conn,
                activity_item,
                (
                    {
                        "id": r["id"],
                        "org_id": org.id,
                        "channel": "email",
                        "source_key": f"<{r['id']}@bench>",
                        "occurred_at": r["occurred_at"],
                    }
                    for r in rows
                ),
            )
            _load(conn, interaction, rows)
            _load(conn, tie, ties)
        next_id += len(rows)
        print(f"\r  {first + len(chunk):,} ties, {next_id:,} interactions", end="", flush=True)
    print(f"\n  interactions and ties: {time.perf_counter() - started:.0f} s")


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` interactions over `parts` ties, at least one each, heavy-tailed."""
    weights = [rng.paretovariate(1.5) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts, carried = [], 0.0
    for w in weights:
        # Carry the fractions along so that the counts add up without piling on one tie.
        carried += w * scale
        whole = int(carried)
        carried -= whole
        counts.append(1 + whole)
    counts[-1] += total - sum(counts)
    return counts


def _tie_rows(
    rng: random.Random,
    org_id: int,
    pairs: Sequence[tuple[int, int]],
    counts: Sequence[int],
    next_id: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Interaction rows of these ties, and the ties with states folded from them."""
    rows: list[dict[str, Any]] = []
    ties: list[dict[str, Any]] = []
    for (m, p), count in zip(pairs, counts, strict=True):
        state = TieState()
        for t in touches_for(rng, count):
            state = apply(state, t)
            next_id += 1
            rows.append(
                {
                    "id": next_id,
                    "org_id": org_id,
                    "activity_id": next_id,
                    "member_id": m + 1,
                    "person_id": p + 1,
                    "address": _email(p),
                    "channel": t.channel,
                    "direction": t.direction,
                    "occurred_at": t.at,
                    "participants": t.participants,
                    "duration_seconds": t.duration_seconds,
                    "thread_reply": False,
                }
            )
        scored = score(state, NOW)
        ties.append(
            {
                "org_id": org_id,
                "member_id": m + 1,
                "person_id": p + 1,
                "score": float(scored.score),
                "label": scored.label,
                "explicit": False,
                "first_at": state.first_at,
                "last_at": state.last_at,
                "state": to_columns(state),
                "reasons": list(scored.reasons),
                "scored_at": NOW,
            }
        )
    return rows, ties


def _load(conn: Connection, table: Table, rows: Any) -> None:
    insert_rows(conn, table, rows, size=BATCH)


WARMED = ("person", "person_email", "tie", "member")


def warm(store: Store) -> None:
    """Read the measured tables (and on PostgreSQL their indexes) into the OS cache."""
    if store.dialect == "sqlite":
        path = Path(store.engine.url.database or "")
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass
        return
    with store.write() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
        conn.execute(
            text(
                "SELECT pg_prewarm(c.oid, 'read') FROM pg_class c WHERE c.relname = ANY(:t) "
                "OR c.oid IN (SELECT indexrelid FROM pg_index i JOIN pg_class t "
                "ON t.oid = i.indrelid WHERE t.relname = ANY(:t))"
            ),
            {"t": list(WARMED)},
        )


def measure(store: Store, args: argparse.Namespace) -> None:
    rng = random.Random(args.seed + 1)
    if not args.cold:
        began = time.perf_counter()
        warm(store)
        print(f"  tables read into the cache: {time.perf_counter() - began:.1f} s")
    org = resolve_org(store, None)
    with store.read() as conn:
        people = conn.execute(
            select(tie.c.person_id, func.min(person_email.c.email))
            .join(person_email, person_email.c.person_id == tie.c.person_id)
            .group_by(tie.c.person_id)
            .order_by(func.random())
            .limit(args.queries)
        ).all()
        emails = conn.execute(select(member.c.email).limit(50)).scalars().all()
    viewers = [get_member(store, org, e) for e in emails]
    lookup = (
        select(tie.c.member_id, tie.c.score)
        .where(tie.c.org_id == org.id, tie.c.person_id == 0)
        .order_by(tie.c.score.desc())
        .limit(5)
    )
    bare, ours, knowers = [], [], []
    with store.read() as conn:
        for person_id, _ in people:
            began = time.perf_counter()
            conn.execute(lookup.where(tie.c.person_id == person_id)).all()
            bare.append(time.perf_counter() - began)
    for _, email in people:
        viewer = rng.choice(viewers)
        began = time.perf_counter()
        answer = who_knows(store, org, [email], viewer=viewer)
        ours.append(time.perf_counter() - began)
        knowers.append(len(answer[0].knowers))
    report("bare indexed top-5 lookup", bare)
    report("who_knows(one email), service layer", ours)
    print(
        f"  mean knowers shown {statistics.fmean(knowers):.2f}; "
        f"p99 ratio to the bare lookup {pct(ours, 99) / pct(bare, 99):.1f}x"
    )


def pct(values: Sequence[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def report(name: str, seconds: Sequence[float]) -> None:
    print(f"{name:<40} p50 {pct(seconds, 50) * 1e3:6.3f} ms   p99 {pct(seconds, 99) * 1e3:6.3f} ms")


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--members", type=int, default=2_500)
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--ties", type=int, default=2_000_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--cold", action="store_true", help="measure without reading tables first")
    return parser.parse_args(argv)


def open_built(args: argparse.Namespace) -> Store:
    """The benchmark store at these sizes, built on first use."""
    OUT.mkdir(exist_ok=True)
    url = f"sqlite:///{OUT}/who-knows-{sizes(args)}.db" if args.db == "sqlite" else args.db
    store = open_store(url)
    with store.read() as conn:
        built = conn.execute(select(func.count()).select_from(tie)).scalar_one()
    if built == 0:
        print(f"building {sizes(args)} in {store.engine.dialect.name} (once)")
        build(store, args)
    elif built != args.ties:
        raise SystemExit(f"{url} holds {built} ties, not {args.ties}: use an empty database")
    return store


def main() -> None:
    args = parse()
    store = open_built(args)
    print(f"{store.engine.dialect.name}: {sizes(args)}")
    measure(store, args)
    store.dispose()


if __name__ == "__main__":
    main()
