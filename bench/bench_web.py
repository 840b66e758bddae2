"""Benchmark: the person page and /api/v1 who-knows over HTTP on the demo organization.

Builds the demo organization once (bench/out/web-demo.db, reused), starts `tiegraph serve`
as a real uvicorn server in a subprocess, and measures, in the same run:

- baselines: the bare service call `knowers_of_person` in process (no HTTP), and a static
  file over HTTP (the server's own floor: routing, middleware, one small response);
- the person page (`/persons/ID`, signed in, server-rendered: profile, sources, tile) and
  `/api/v1/who-knows?email=` (token auth, JSON), each alone (one client, one request at a
  time) and under 50 concurrent clients (keep-alive connections, closed loop).

The load generator is a small asyncio HTTP/1.1 client in this process (no wrk needed), so it
shares the machine's cores with the server: figures are conservative. Every answer other than
200 counts as an error. Persons asked about are the 200 most-known directory persons, in turn.

`--pages` measures instead every page a seller opens, one client at a time, each on a freshly
started server: the first view after start, p50 and p95 of the next `--requests`, and the
server process's CPU per request (user + system time from /proc, after the start-up work has
settled) as a ratio to a static file's, measured in the same run; then the seller mix's CPU
(person, account, search, who-knows, My day, a list, nurture, the API, equally often) against
the same floor. Goals (issues 19 and 22): every page p95 <= 100 ms, first view included; the
mix <= 5x the static CPU, no page above 15x.

Run: .venv/bin/python bench/bench_web.py [--requests 2000] [--clients 50]
     .venv/bin/python bench/bench_web.py --pages [--requests 60] [--db PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from http.cookiejar import CookieJar
from pathlib import Path

from sqlalchemy import func, select

from tiegraph.services.demo import DEMO_PASSWORD, build_demo
from tiegraph.services.insights.who_knows import knowers_of_person
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import list_members
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import person, person_email, tie

OUT = Path(__file__).resolve().parent / "out"


def demo_store(path: Path | None = None) -> Store:
    OUT.mkdir(exist_ok=True)
    path = path or OUT / "web-demo.db"
    fresh = not path.exists()
    store = open_store(f"sqlite:///{path}")
    if fresh:
        started = time.perf_counter()
        build_demo(store, resolve_org(store), OUT / "web-demo-data")
        print(f"built the demo organization in {time.perf_counter() - started:.1f} s")
    return store


def known_persons(store: Store, count: int) -> list[tuple[int, str]]:
    with store.read() as conn:
        first_email = (
            select(func.min(person_email.c.email))
            .where(person_email.c.person_id == person.c.id)
            .scalar_subquery()
        )
        rows = conn.execute(
            select(person.c.id, first_email.label("email"))
            .join(tie, tie.c.person_id == person.c.id)
            .where(person.c.origin == "directory")
            .group_by(person.c.id)
            .order_by(func.count().desc(), person.c.id)
            .limit(count)
        ).all()
    return [(r.id, r.email) for r in rows if r.email]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


STARTS_WITHIN = 180.0  # seconds a server may take to warm and answer


def start_server(
    db: str, port: int, workers: int, extra: Sequence[str] = (), within: float = STARTS_WITHIN
) -> subprocess.Popen[bytes]:
    """`tiegraph serve` on `db`; `extra`: more of its options (e.g. --no-with-worker);
    `within`: seconds it may take to answer (it warms before it listens: longer on a big store,
    and on a machine other runs load, 30 s was seen to be too short)."""
    env = os.environ | {"TIEGRAPH_SECRET_KEY": "bench-secret-key-0123456789"}
    command = [sys.executable, "-m", "tiegraph", "serve", "--db", db, "--port", str(port)]
    command += ["--workers", str(workers), *extra]
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    server.wait()
    raise SystemExit(f"the server did not answer within {within:.0f} s")


class _Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # the 303 after signing in is answered, not followed


def session_cookie(port: int, email: str, *, follow: bool = True) -> str:
    """A signed-in session's cookie; `follow`: open the page signing in leads to (My day),
    as a browser does; without, only sign in (many sellers in a row on a big store)."""
    jar = CookieJar()
    handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(jar)]
    opener = urllib.request.build_opener(*handlers, *([] if follow else [_Stay()]))
    page = opener.open(f"http://127.0.0.1:{port}/sign-in").read().decode()
    marker = 'name="csrf_token" value="'
    token = page[page.index(marker) + len(marker) :].split('"', 1)[0]
    form = urllib.parse.urlencode(
        {"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
    ).encode()
    try:
        opener.open(f"http://127.0.0.1:{port}/sign-in", data=form)
    except urllib.error.HTTPError as answer:
        if follow or answer.code != 303:
            raise
    return "; ".join(f"{c.name}={c.value}" for c in jar)


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, headers: str
) -> int:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: bench\r\n{headers}\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def load(
    port: int, paths: Sequence[str], headers: str, clients: int, total: int
) -> tuple[list[float], int, float]:
    """Latencies in ms of `total` requests from `clients` keep-alive connections; errors; s."""
    latencies: list[float] = []
    errors = 0
    queue = iter(range(total))

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for number in queue:
            started = time.perf_counter()
            try:
                status = await _request(reader, writer, paths[number % len(paths)], headers)
            except (OSError, asyncio.IncompleteReadError, ValueError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            errors += status != 200
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - started


WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk_load(
    port: int, paths: Sequence[str], headers: str, clients: int, seconds: int
) -> tuple[float, float, float, int]:
    """wrk's p50 and p99 in ms, requests per second and errors (non-2xx, socket errors)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % ", ".join(f'"{p}"' for p in paths))
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--latency"]
    command += ["-s", script.name]
    for line in headers.strip().splitlines():
        command += ["-H", line]
    try:
        out = subprocess.run(
            [*command, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    cuts = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
        return float(number) * _UNITS[unit]

    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    found = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors += sum(int(n) for n in found.groups()) if found else 0
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return ms(cuts["50"]), ms(cuts["99"]), rate, errors


def percentiles(latencies: Sequence[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return statistics.median(latencies), cuts[98]


def report(name: str, latencies: Sequence[float], errors: int, seconds: float) -> None:
    p50, p99 = percentiles(latencies)
    rate = len(latencies) / seconds
    print(f"  {name:<44} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {rate:7.0f}/s  errors {errors}")


def in_process(call: Callable[[], object], count: int) -> list[float]:
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients under load")
    parser.add_argument("--workers", type=int, default=1, help="tiegraph serve --workers")
    parser.add_argument(
        "--loader",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (Debian's, in C; the default when installed) or asyncio",
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk: seconds per measurement")
    parser.add_argument("--pages", action="store_true", help="every page, one client (see above)")
    parser.add_argument("--db", type=Path, default=None, help="the demo store (built if absent)")
    args = parser.parse_args()
    if args.pages:
        from bench_pages import measure_pages

        measure_pages(demo_store(args.db), min(args.requests, 500))
        return
    store = demo_store(args.db)
    org = resolve_org(store)
    member = next(m for m in list_members(store, org) if m.role == "admin")
    persons = known_persons(store, 200)
    _, token = create_token(store, org, member, "bench")
    ids = iter(persons * (args.requests // len(persons) + 1))
    service = in_process(
        lambda: knowers_of_person(store, org, next(ids)[0], viewer=member), args.requests
    )
    port = free_port()
    server = start_server(store.url, port, args.workers)
    try:
        cookie = session_cookie(port, member.email)
        pages = [f"/persons/{pid}" for pid, _ in persons]
        apis = [f"/api/v1/who-knows?email={urllib.parse.quote(e)}" for _, e in persons]
        runs = [
            ("static file /static/app.css (baseline)", ["/static/app.css"], ""),
            ("person page /persons/ID", pages, f"Cookie: {cookie}\r\n"),
            ("API /api/v1/who-knows?email=", apis, f"Authorization: Bearer {token}\r\n"),
        ]
        print(
            f"demo organization: {len(persons)} persons asked about, as {member.email}; "
            f"{args.workers} server process(es); {os.cpu_count()} cores shared with the "
            f"clients ({args.loader})"
        )
        print(f"  {'service knowers_of_person (baseline, in process)':<44}", end="")
        p50, p99 = percentiles(service)
        print(f" p50 {p50:7.2f} ms  p99 {p99:7.2f} ms")
        for clients in (1, args.clients):
            plural = "s" if clients > 1 else ""
            if args.loader == "wrk":
                print(f"{clients} client{plural}, {args.seconds} s each (wrk):")
                for name, paths, headers in runs:
                    wrk_load(port, paths, headers, clients, 1)  # warm up
                    p50, p99, rate, errors = wrk_load(port, paths, headers, clients, args.seconds)
                    print(
                        f"  {name:<44} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {rate:7.0f}/s  "
                        f"errors {errors}"
                    )
                continue
            print(f"{clients} client{plural}, {args.requests} requests each:")
            for name, paths, headers in runs:
                asyncio.run(load(port, paths, headers, clients, min(200, args.requests)))
                report(name, *asyncio.run(load(port, paths, headers, clients, args.requests)))
    finally:
        server.terminate()
        server.wait(timeout=10)
        store.dispose()


if __name__ == "__main__":
    main()
