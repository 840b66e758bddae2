"""Benchmark: My day (`/`, the landing page) for a seller on the demo organization, over HTTP.

Uses bench_web.py's demo store (bench/out/web-demo.db) and real server; flags the five
companies with the most ties as target accounts (once) so that My day has warm paths, then
measures, one client at a time, the first view after start and p50/p95 of `/` and of a
static file in the same run, and of `GET /api/v1/me/day`.

Run: .venv/bin/python bench/bench_my_day.py [--requests 300]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_web import demo_store, free_port, load, session_cookie, start_server
from tiegraph.services.insights.my_day import my_day
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import list_members
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import company, tie

TARGETS = 5


def flag_targets(store: Store) -> int:
    """The companies with the most ties flagged target, unless some already are."""
    with store.write() as conn:
        if conn.execute(select(func.count()).where(company.c.is_target.is_(True))).scalar():
            return 0
        top = conn.execute(
            select(tie.c.company_id)
            .where(tie.c.company_id.is_not(None))
            .group_by(tie.c.company_id)
            .order_by(func.count().desc())
            .limit(TARGETS)
        ).scalars()
        ids = list(top)
        conn.execute(update(company).where(company.c.id.in_(ids)).values(is_target=True))
        return len(ids)


def p50_p95(latencies: Sequence[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return statistics.median(latencies), cuts[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    args = parser.parse_args()
    store = demo_store()
    flagged = flag_targets(store)
    org = resolve_org(store)
    seller = next(m for m in list_members(store, org) if m.role != "admin")
    day = my_day(store, org, seller)
    print(
        f"demo organization, as {seller.email} ({flagged or 'already'} targets flagged): "
        f"{len(day.paths)} warm paths, {len(day.nurture)} nurture, {len(day.new_people)} new"
    )
    _, token = create_token(store, org, seller, "bench")
    port = free_port()
    server = start_server(store.url, port, 1)
    try:
        cookie = f"Cookie: {session_cookie(port, seller.email)}\r\n"
        first, _, _ = asyncio.run(load(port, ["/"], cookie, 1, 1))
        print(f"  first view of / after start: {first[0]:.1f} ms")
        runs = [
            ("static file /static/app.css (baseline)", "/static/app.css", ""),
            ("My day /", "/", cookie),
            ("API /api/v1/me/day", "/api/v1/me/day", f"Authorization: Bearer {token}\r\n"),
        ]
        for name, path, headers in runs:
            latencies, errors, _ = asyncio.run(load(port, [path], headers, 1, args.requests))
            p50, p95 = p50_p95(latencies)
            print(f"  {name:<40} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  errors {errors}")
    finally:
        server.terminate()
        server.wait(timeout=10)
        store.dispose()


if __name__ == "__main__":
    main()
