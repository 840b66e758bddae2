"""What every page pays besides its own queries, before and after a change, in one run: the
cheapest pages (intros, who-knows, API who-knows) and the static file, each measured on a
server of the `--before` source tree and one of this tree, alternating, on the same store.

    PYTHONPATH=$PWD/src python bench/bench_overhead.py --db /tmp/pages.db --before /work/main/src

CPU per request (the server's user + system time over `--requests` requests) as the lowest of
`--rounds` rounds, and its ratio to the static file of the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import urllib.parse
from pathlib import Path

from bench_pages import cpu_seconds, settle
from bench_web import demo_store, free_port, known_persons, load, session_cookie, start_server
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org

EMAIL = "joshua.reynolds@northwind.example"  # the demo seller with the most ties
HERE = Path(__file__).resolve().parent.parent / "src"


def measure(
    db: Path, source: str, pages: list[tuple[str, list[str], str]], count: int
) -> dict[str, float]:
    """CPU ms per request of each page on a server running `source`."""
    os.environ["PYTHONPATH"] = source
    port = free_port()
    server = start_server(f"sqlite:///{db}", port, 1, within=180)
    found: dict[str, float] = {}
    try:
        cookie = session_cookie(port, EMAIL)
        settle(server.pid)
        for name, paths, header in pages:
            header = header or (f"Cookie: {cookie}\r\n" if name != "static file" else "")
            asyncio.run(load(port, paths, header, 1, 30))
            before = cpu_seconds(server.pid)
            _, errors, _ = asyncio.run(load(port, paths, header, 1, count))
            if errors:
                raise SystemExit(f"{name}: {errors} errors on {source}")
            found[name] = (cpu_seconds(server.pid) - before) / count * 1000
    finally:
        server.terminate()
        server.wait()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the demo store (built if absent)")
    parser.add_argument("--before", required=True, help="the src folder of the code before")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    store = demo_store(args.db)
    org = resolve_org(store)
    _, token = create_token(store, org, get_member(store, org, EMAIL), "bench overhead")
    persons = known_persons(store, 30)
    store.dispose()
    pages = [
        ("static file", ["/static/app.css"], ""),
        ("intros", ["/intros"], ""),
        ("who-knows", [f"/persons/{p}/who-knows" for p, _ in persons], ""),
        (
            "API who-knows",
            [f"/api/v1/who-knows?email={urllib.parse.quote(e)}" for _, e in persons],
            f"Authorization: Bearer {token}\r\n",
        ),
    ]
    trees = {"before": args.before, "after": str(HERE)}
    runs: dict[str, list[dict[str, float]]] = {tree: [] for tree in trees}
    for _ in range(args.rounds):
        for tree, source in trees.items():
            runs[tree].append(measure(args.db, source, pages, args.requests))
    print(f"{'page':<16}" + "".join(f"{tree + ' CPU/req':>22}" for tree in trees))
    for name, _, _ in pages:
        cells = []
        for tree in trees:
            least = min(run[name] for run in runs[tree])
            floor = min(run["static file"] for run in runs[tree])
            cells.append(f"{least:8.2f} ms {least / floor:6.1f}x")
        print(f"{name:<16}" + "".join(f"{cell:>22}" for cell in cells))


if __name__ == "__main__":
    main()
