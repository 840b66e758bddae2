"""`bench_web.py --pages`: every page a seller opens, one client, first view after start
included, with the server's CPU per request against a static file's (see bench_web.py)."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import func, select

from bench_web import free_port, known_persons, load, session_cookie, start_server
from tiegraph.services.lists import add_to_list, create_list, list_lists
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import Member, list_members
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import tie

LIST_NAME = "Bench accounts"
MIX = ("person", "account", "search", "who-knows", "my day", "list", "nurture", "API who-knows")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def settle(pid: int, idle: float = 0.02, longest: float = 120.0) -> None:
    """Wait until the server's start-up work (a due rescore, warming) is done."""
    deadline = time.monotonic() + longest
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(pid)
        if now - before < idle:
            return
        before = now


def seller(store: Store, org: Org) -> Member:
    """The member with the most ties: the busiest seller."""
    with store.read() as conn:
        top = conn.execute(
            select(tie.c.member_id).group_by(tie.c.member_id).order_by(func.count().desc())
        ).first()
    members = list_members(store, org)
    return next((m for m in members if top and m.id == top.member_id), members[0])


def account_list(store: Store, org: Org, owner: Member) -> int:
    """A list of the 25 accounts with the most ties (made once)."""
    for found in list_lists(store, org):
        if found.name == LIST_NAME:
            return found.id
    with store.read() as conn:
        ids = conn.execute(
            select(tie.c.company_id)
            .where(tie.c.company_id.is_not(None))
            .group_by(tie.c.company_id)
            .order_by(func.count().desc())
            .limit(25)
        ).scalars()
        top = list(ids)
    made = create_list(store, org, owner, LIST_NAME, "deals")
    add_to_list(store, org, made.id, account_ids=top, added_by=owner)
    return made.id


def pages_of(store: Store, org: Org, viewer: Member) -> list[tuple[str, list[str], str]]:
    """(name, paths, auth) of every page measured, its paths taken in turn (a person page of
    another person each time: no cache of one person's paths serves the next); auth: cookie
    or token."""
    persons = known_persons(store, 60)
    with store.read() as conn:
        companies = conn.execute(
            select(tie.c.company_id)
            .where(tie.c.company_id.is_not(None))
            .group_by(tie.c.company_id)
            .order_by(func.count().desc())
            .limit(20)
        ).scalars()
        accounts = [f"/accounts/{c}" for c in companies]
    list_id = account_list(store, org, viewer)
    searches = ["smith", "ann", "tech", "lee", "sales", "north", "mar", "son"]
    return [
        ("my day", ["/"], "cookie"),
        ("person", [f"/persons/{p}" for p, _ in persons], "cookie"),
        ("who-knows", [f"/persons/{p}/who-knows" for p, _ in persons], "cookie"),
        ("account", accounts, "cookie"),
        ("accounts", ["/accounts"], "cookie"),
        ("accounts by coverage", ["/accounts?sort=coverage&covered=true"], "cookie"),
        ("gallery", ["/gallery"], "cookie"),
        ("search", [f"/gallery?q={q}" for q in searches], "cookie"),
        ("gallery known strongly", ["/gallery?strength=strong"], "cookie"),
        ("list", [f"/lists/{list_id}"], "cookie"),
        ("nurture", ["/nurture"], "cookie"),
        ("intros", ["/intros"], "cookie"),
        (
            "API who-knows",
            [f"/api/v1/who-knows?email={urllib.parse.quote(e)}" for _, e in persons],
            "token",
        ),
        ("API gallery by score", ["/api/v1/gallery?sort=score&descending=true"], "token"),
        ("API accounts by coverage", ["/api/v1/accounts?sort=coverage"], "token"),
    ]


def _p95(latencies: Sequence[float]) -> float:
    return statistics.quantiles(latencies, n=100, method="inclusive")[94]


def _run(port: int, paths: list[str], headers: str, count: int) -> tuple[list[float], int]:
    latencies, errors, _ = asyncio.run(load(port, paths, headers, 1, count))
    return latencies, errors


def measure_pages(store: Store, requests: int) -> None:
    org = resolve_org(store)
    viewer = seller(store, org)
    _, token = create_token(store, org, viewer, "bench-pages")
    pages = pages_of(store, org, viewer)
    print(f"demo organization as {viewer.email}, one client, {requests} requests per page")
    print(f"  {'page':<26} {'first':>8} {'p50':>8} {'p95':>8} {'CPU/req':>9} {'x static':>9}")
    cpu: dict[str, float] = {}
    static = 0.0
    for name, paths, auth in pages:
        port = free_port()
        server = start_server(store.url, port, 1)
        try:
            cookie = session_cookie(port, viewer.email)
            headers = (
                f"Cookie: {cookie}\r\n"
                if auth == "cookie"
                else f"Authorization: Bearer {token}\r\n"
            )
            settle(server.pid)
            first, errors = _run(port, paths[-1:], headers, 1)
            if not static:
                settle(server.pid)
                started = cpu_seconds(server.pid)
                _run(port, ["/static/app.css"], "", requests * 4)
                static = (cpu_seconds(server.pid) - started) / (requests * 4) * 1000
                print(f"  {'static file (floor)':<26} {'':>8} {'':>8} {'':>8} {static:7.2f}ms")
            started = cpu_seconds(server.pid)
            latencies, more = _run(port, paths, headers, requests)
            cpu[name] = (cpu_seconds(server.pid) - started) / requests * 1000
        finally:
            server.terminate()
            server.wait(timeout=10)
        p50, p95 = statistics.median(latencies), _p95(latencies)
        flag = "" if errors + more == 0 else f"  errors {errors + more}"
        print(
            f"  {name:<26} {first[0] if first else float('nan'):6.1f}ms {p50:6.1f}ms "
            f"{p95:6.1f}ms {cpu[name]:7.2f}ms {cpu[name] / static:8.1f}x{flag}"
        )
    mix = statistics.fmean(cpu[n] for n in MIX if n in cpu)
    print(
        f"seller mix ({', '.join(MIX)}): {mix:.2f} ms CPU per request, {mix / static:.1f}x static"
    )
    store.dispose()
