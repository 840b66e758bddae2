"""Benchmark: intro paths on the demo organization — latency and well-formedness.

Builds the default demo (once; kept in bench/out/paths-demo.db), then for `--askers` members
and the `--targets` persons with the most ties measures, in the same run:

- baseline: `who_knows(store, org, [email], viewer=asker, limit=0)`, every colleague's tie to
  the person rescored as of now, which every way in starts from;
- tiegraph: `intro_paths(store, org, email, requester=asker, limit=10)` (what the CLI shows) and
  `limit=0` (every colleague's path, what drafting an intro request reads).

It also counts malformed paths: someone on the path twice (by address or by name), or the
asker as the introducer. Printed: calls, milliseconds p50 / p95, ratios to the baseline.

Run: .venv/bin/python bench/bench_paths.py [--askers 12] [--targets 40]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from tiegraph.services.demo import build_demo
from tiegraph.services.insights.paths import intro_paths
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.members import list_members
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.store.schema import person_email, tie

OUT = Path(__file__).resolve().parent / "out"


def _timed(call: Callable[..., Any], runs: list[float], *args: Any, **kwargs: Any) -> Any:
    started = time.perf_counter()
    answer = call(*args, **kwargs)
    runs.append(1000 * (time.perf_counter() - started))
    return answer


def _malformed(path: Any, asker_email: str) -> bool:
    names = [path.hops[0].source, *(h.target for h in path.hops)]
    return len(set(names)) != len(names) or path.introducer_email == asker_email


def _line(label: str, runs: list[float], base: float) -> str:
    p50 = statistics.median(runs)
    p95 = statistics.quantiles(runs, n=20)[-1]
    times = f"p50 {p50:7.2f} ms  p95 {p95:7.2f} ms"
    return f"{label:<22} {len(runs):5d} calls  {times}  {p50 / base:5.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--askers", type=int, default=12)
    parser.add_argument("--targets", type=int, default=40)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    db = OUT / "paths-demo.db"
    fresh = not db.exists()
    store = open_store(f"sqlite:///{db}")
    org = resolve_org(store, None)
    if fresh:
        build_demo(store, org, OUT / "paths-demo", seed=7)
        org = resolve_org(store, None)
    askers = list_members(store, org)[: args.askers]
    with store.read() as conn:
        ranked = select(tie.c.person_id).group_by(tie.c.person_id)
        ranked = ranked.order_by(func.count().desc(), tie.c.person_id).limit(args.targets)
        ids = list(conn.execute(ranked).scalars())
        first = (
            select(person_email.c.person_id, func.min(person_email.c.email))
            .where(person_email.c.person_id.in_(ids))
            .group_by(person_email.c.person_id)
        )
        found: dict[int, str] = {r[0]: r[1] for r in conn.execute(first)}
    emails = [found[i] for i in ids if i in found]
    base: list[float] = []
    shown: list[float] = []
    every: list[float] = []
    paths = malformed = 0
    for asker in askers:
        for email in emails:
            _timed(who_knows, base, store, org, [email], viewer=asker, limit=0)
            _timed(intro_paths, shown, store, org, email, requester=asker, limit=10)
            answer = _timed(intro_paths, every, store, org, email, requester=asker, limit=0)
            paths += len(answer.paths)
            malformed += sum(_malformed(p, asker.email) for p in answer.paths)
    reference = statistics.median(base)
    print(f"{len(askers)} askers x {len(emails)} targets on the demo ({db.name})")
    print(_line("who_knows (baseline)", base, reference))
    print(_line("intro_paths limit=10", shown, reference))
    print(_line("intro_paths limit=0", every, reference))
    print(f"malformed paths: {malformed} of {paths} (every path, limit=0)")
    store.dispose()


if __name__ == "__main__":
    main()
