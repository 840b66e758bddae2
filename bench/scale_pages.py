"""`bench_scale.py` phase: every page of bench_pages.py on the scale store, CPU per request.

One `tiegraph serve --no-with-worker` (one process, as in the web phase) on the PostgreSQL
scale store, one client, signed in as member 1 (the member the web phase's paths are made
for). First the static file (the floor), then each page of `bench_pages.pages_of` in turn:
its first view, then `requests` views (its paths in turn), timed, with the CPU they cost the
server process and the database's backends (user + system time from /proc, the postmaster's
whole process tree), each as a ratio to the static file's server CPU of the same run. The
seller mix (bench_pages.MIX, equally often) is summed up last: what one view of the open-loop
load costs on average, so what each further host buys.
"""

from __future__ import annotations

import asyncio
import statistics

from bench_pages import MIX, pages_of
from bench_web import free_port, load, session_cookie, start_server
from scale_web import STARTS_WITHIN, idle, postmaster_pid, stop, tree_cpu
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import member_by_id
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store


def _cpu(server: int, database: int) -> tuple[float, float]:
    return tree_cpu(server), tree_cpu(database)


def _run(port: int, paths: list[str], headers: str, count: int) -> tuple[list[float], int]:
    latencies, errors, _ = asyncio.run(load(port, paths, headers, 1, count))
    return latencies, errors


def measure_pages(store: Store, org: Org, requests: int) -> dict[str, tuple[float, float]]:
    """Print the per-page table; returns each page's (web, database) CPU ms per request."""
    viewer = member_by_id(store, org, 1)
    _, token = create_token(store, org, viewer, "bench-scale-pages")
    pages = pages_of(store, org, viewer)
    database = postmaster_pid(store)
    port = free_port()
    server = start_server(store.url, port, 1, ["--no-with-worker"], STARTS_WITHIN)
    found: dict[str, tuple[float, float]] = {}
    try:
        cookie = session_cookie(port, viewer.email, follow=False)
        idle(server.pid)
        before = _cpu(server.pid, database)
        _run(port, ["/static/app.css"], "", requests * 10)
        after = _cpu(server.pid, database)
        floor = (after[0] - before[0]) / (requests * 10) * 1000
        print(
            f"pages: one server process, one client, as {viewer.email}, {requests} requests a "
            f"page after its first view; static file (floor) {floor:.2f} ms server CPU"
        )
        print(
            f"  {'page':<26} {'first':>9} {'p50':>9} {'p95':>9} {'web CPU':>9} "
            f"{'db CPU':>9} {'web x':>7} {'all x':>7}"
        )
        for name, paths, auth in pages:
            headers = (
                f"Cookie: {cookie}\r\n"
                if auth == "cookie"
                else f"Authorization: Bearer {token}\r\n"
            )
            idle(server.pid)
            first, errors = _run(port, paths[-1:], headers, 1)
            before = _cpu(server.pid, database)
            latencies, more = _run(port, paths, headers, requests)
            after = _cpu(server.pid, database)
            web = (after[0] - before[0]) / requests * 1000
            db = (after[1] - before[1]) / requests * 1000
            found[name] = (web, db)
            p95 = statistics.quantiles(latencies, n=100, method="inclusive")[94]
            flag = "" if errors + more == 0 else f"  errors {errors + more}"
            print(
                f"  {name:<26} {first[0] if first else float('nan'):7.1f}ms "
                f"{statistics.median(latencies):7.1f}ms {p95:7.1f}ms {web:7.1f}ms {db:7.1f}ms "
                f"{web / floor:6.1f}x {(web + db) / floor:6.1f}x{flag}",
                flush=True,
            )
    finally:
        stop(server)
    mixed = [found[n] for n in MIX if n in found]
    web = statistics.fmean(w for w, _ in mixed)
    db = statistics.fmean(d for _, d in mixed)
    print(
        f"  seller mix ({len(mixed)} pages, equally often): {web:.1f} ms web + {db:.1f} ms "
        f"database CPU a view ({web / floor:.1f}x / {(web + db) / floor:.1f}x static): one "
        f"core serves ~{1000 / web:.0f} views/s of web, ~{1000 / db:.0f} views/s of database"
    )
    return found
