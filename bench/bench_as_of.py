"""who-knows --as-of on the who-knows benchmark store: members' paces from their day sums
(table member_activity_day) against the same answers from every interaction of the horizon,
in the same run, and whether both answers are the same.

Needs bench_who_knows.py's store (built once) with its day sums built: the first run
recomputes members' activity, as `ties rescore` does after the upgrade (about a minute at 10M
interactions).

    .venv/bin/python bench/bench_as_of.py [--persons 100]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime
from unittest import mock

from bench_who_knows import OUT
from tiegraph.services.activity import member_activity
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store

DB = OUT / "who-knows-m2500-p1000000-t2000000-i10000000.db"
AS_OF = date(2026, 10, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--persons", type=int, default=100)
    args = parser.parse_args()
    if not DB.exists():
        raise SystemExit(f"{DB} is missing: run bench/bench_who_knows.py first")
    store = open_store(f"sqlite:///{DB}")
    org = resolve_org(store, None)
    with store.read() as conn:
        built = member_activity._days_current(member_activity._stored_pace(conn, org))
    if not built:
        began = time.perf_counter()
        with store.write() as conn:
            member_activity.recompute(conn, org, datetime(2026, 11, 1, tzinfo=UTC))
        print(f"day sums built (members' activity recomputed): {time.perf_counter() - began:.1f} s")
    step = 1_000_000 // args.persons
    emails = [f"p{i}@c{i % 40_000}.example" for i in range(0, 1_000_000, step)]
    began = time.perf_counter()
    days = who_knows(store, org, emails, as_of=AS_OF)
    by_days = time.perf_counter() - began
    with mock.patch.object(member_activity, "_days_current", lambda stored: False):
        began = time.perf_counter()
        scanned = who_knows(store, org, emails, as_of=AS_OF)
        by_scan = time.perf_counter() - began
    same = [a.as_dict() for a in days] == [b.as_dict() for b in scanned]
    print(
        f"who-knows --as-of {AS_OF} for {len(emails)} persons: day sums {by_days:.2f} s, "
        f"every interaction {by_scan:.2f} s ({by_scan / by_days:.0f}x); same answers: {same}"
    )
    store.dispose()


if __name__ == "__main__":
    main()
