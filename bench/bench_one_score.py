"""Benchmark: what one score per tie costs the account walk (closest --account) on the demo.

Builds the demo organization (about 12 s), then, in the same run, for its largest accounts:

- baseline: `closest_to_account` scoring ties without the member's pace, as before every view
  scored through services/activity/tie_scores.py (each member's pace taken as 1, never read);
- tiegraph: `closest_to_account` as it is: each member's pace read once per walk window and
  part of every score.

Prints the median and p99 of each and their ratio, and how many of the shown ties differ.

Run: .venv/bin/python bench/bench_one_score.py [--queries 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from unittest import mock

from sqlalchemy import func, select

from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.demo import build_demo
from tiegraph.services.insights.closest import AccountClosest, closest_to_account
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.store.schema import tie

ACCOUNTS = 6


def _timed(run: Callable[[], AccountClosest], queries: int) -> tuple[float, float]:
    samples = []
    for _ in range(queries):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-one-score-"))
    store = open_store(f"sqlite:///{folder / 'demo.db'}")
    org = resolve_org(store, None)
    build_demo(store, org, folder / "files")
    with store.read() as conn:
        accounts = list(
            conn.execute(
                select(tie.c.company_id, func.count())
                .where(tie.c.org_id == org.id, tie.c.company_id.is_not(None))
                .group_by(tie.c.company_id)
                .order_by(func.count().desc())
                .limit(ACCOUNTS)
            )
        )
    for company_id, ties in accounts:
        now = closest_to_account(store, org, company_id, limit=20)
        with (
            mock.patch.object(TieScorer, "load", lambda self, ids: None),
            mock.patch.object(TieScorer, "pace", lambda self, member_id: 1.0),
        ):
            before = closest_to_account(store, org, company_id, limit=20)
            base = _timed(partial(closest_to_account, store, org, company_id), args.queries)
        ours = _timed(partial(closest_to_account, store, org, company_id), args.queries)
        differ = sum(
            (a.person_id, a.score) != (b.person_id, b.score)
            for a, b in zip(now.ties, before.ties, strict=False)
        )
        print(
            f"account {company_id} ({ties} ties): baseline {base[0] * 1e3:.2f} ms median, "
            f"{base[1] * 1e3:.2f} ms p99; tiegraph {ours[0] * 1e3:.2f} ms median, "
            f"{ours[1] * 1e3:.2f} ms p99; ratio {ours[0] / base[0]:.2f}; "
            f"{differ} of {len(now.ties)} shown ties differ"
        )
    store.dispose()


if __name__ == "__main__":
    main()
