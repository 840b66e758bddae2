"""Benchmark: a seller's list on the demo: filled in one step, shown, exported, emptied.

Uses bench_web.py's demo store (bench/out/web-demo.db) and real server. For lists of 25, 100
and 200 of the best-known persons, and one of the 10 accounts with the most ties, each made by
one `add_to_new_list` as a seller: the time to add, then over HTTP, one client at a time,
p50/p95 of the list page and of its CSV export against a static file in the same run, then
the time to remove half the rows in one step. The lists are archived afterwards (lists are
never deleted).

Run: .venv/bin/python bench/bench_lists.py [--requests 100] [--sizes 25,100,200]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_my_day import p50_p95
from bench_web import demo_store, free_port, known_persons, load, session_cookie, start_server
from tiegraph.services import lists
from tiegraph.services.org.members import list_members
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store.schema import company, tie

ACCOUNTS = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="requests per measurement")
    parser.add_argument("--sizes", default="25,100,200", help="persons per list")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    store = demo_store()
    org = resolve_org(store)
    seller = next(m for m in list_members(store, org) if m.role != "admin")
    persons = [pid for pid, _ in known_persons(store, max(sizes))]
    with store.read() as conn:
        accounts = list(
            conn.execute(
                select(company.c.id)
                .join(tie, tie.c.company_id == company.c.id)
                .group_by(company.c.id)
                .order_by(func.count().desc(), company.c.id)
                .limit(ACCOUNTS)
            ).scalars()
        )
    print(f"demo organization, as {seller.email}; {len(persons)} well-known persons")
    port = free_port()
    server = start_server(store.url, port, 1)
    made: list[int] = []
    try:
        cookie = f"Cookie: {session_cookie(port, seller.email)}\r\n"
        static, _, _ = asyncio.run(load(port, ["/static/app.css"], "", 1, args.requests))
        print(f"  static file (baseline)          p50 {p50_p95(static)[0]:6.2f} ms")
        runs = [(f"{n} persons", persons[:n], []) for n in sizes]
        runs.append((f"{len(accounts)} accounts", [], accounts))
        for label, person_ids, account_ids in runs:
            name = f"bench {label} {time.time_ns()}"
            started = time.perf_counter()
            lists.add_to_new_list(
                store, org, seller, name, "leads", person_ids=person_ids, account_ids=account_ids
            )
            added_ms = (time.perf_counter() - started) * 1000
            list_id = lists.find_list(store, org, name).id
            made.append(list_id)
            print(f"  {label}: added in one step in {added_ms:.0f} ms")
            pages = (("page", f"/lists/{list_id}"), ("CSV", f"/lists/{list_id}/export.csv"))
            for what, path in pages:
                latencies, errors, _ = asyncio.run(load(port, [path], cookie, 1, args.requests))
                p50, p95 = p50_p95(latencies)
                ratio = p50 / p50_p95(static)[0]
                print(
                    f"    {what:<5} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
                    f"({ratio:.0f}x the static file)  errors {errors}"
                )
            started = time.perf_counter()
            removed = lists.remove_from_list(
                store,
                org,
                list_id,
                person_ids=person_ids[: len(person_ids) // 2],
                account_ids=account_ids[: len(account_ids) // 2],
                removed_by=seller,
            )
            removed_ms = (time.perf_counter() - started) * 1000
            print(f"    removed {len(removed.removed)} rows in one step in {removed_ms:.0f} ms")
    finally:
        server.terminate()
        server.wait(timeout=10)
        for list_id in made:
            lists.archive_list(store, org, list_id)
        store.dispose()


if __name__ == "__main__":
    main()
