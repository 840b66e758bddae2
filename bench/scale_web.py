"""`bench_scale.py` phase 3: `tiegraph serve` under 50 and 200 sellers, open loop.

The sellers are distinct members, signed in through the sign-in form (their sessions live in
the store, so every server started after reads them) and holding an API token each. Their mix
is bench_pages.py's seller mix (person, account, search, who-knows, My day, a list, nurture,
the API's who-knows), equally often, paths from bench_pages.pages_of. The server runs without
its in-process job worker (`--no-with-worker`: on a team's server the workers run apart).
For each count of server processes (`--processes`, 1 and 2 by default): the static file
alone (the floor), then each load for `seconds` with the static file probed under it (each
load once the last one's backlog is drained), and the CPU each view cost the web processes
and the database, from /proc: what sizes each further host.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench_pages import MIX, cpu_seconds, pages_of
from bench_web import free_port, session_cookie, start_server
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import member_by_id
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store

MEAN_INTERVAL = 2.0
STARTS_WITHIN = 600.0  # serve warms its pages before it listens: 36 s at scale 0.2, loaded
LOADER = Path(__file__).with_name("scale_load.py")


def tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants (uvicorn's workers, postgres's backends)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        with contextlib.suppress(OSError):
            total += cpu_seconds(pid)
        stack += children.get(pid, [])
    return total


def idle(pid: int, longest: float = 300.0) -> None:
    """Wait until the server (all its processes) has been idle for a second: started up, or
    done with a load's backlog, so that no run pays for the last one."""
    deadline = time.monotonic() + longest
    before = tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = tree_cpu(pid)
        if now - before < 0.05:
            return
        before = now


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server; one still busy with a backlog after 30 s is killed."""
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def postmaster_pid(store: Store) -> int:
    with store.read() as conn:
        folder = conn.exec_driver_sql("SHOW data_directory").scalar_one()
    return int(Path(folder, "postmaster.pid").read_text().splitlines()[0])


def _load(plan: dict[str, Any]) -> dict[str, Any]:
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(LOADER.parent), *sys.path])}
    done = subprocess.run(
        [sys.executable, str(LOADER)],
        input=json.dumps(plan),
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _cuts(latencies: list[float]) -> tuple[float, float, float]:
    if len(latencies) < 2:
        return (latencies or [float("nan")])[0], float("nan"), float("nan")
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return statistics.median(latencies), cuts[94], cuts[98]


def _report(
    name: str, result: dict[str, Any], seconds: float, cpu: tuple[float, float], floor: float
) -> None:
    views = result["views"]
    latencies = [v[1] for v in views]
    errors = sum(1 for v in views if v[2]) + result["late"]
    p50, p95, p99 = _cuts(latencies)
    web, db = cpu[0] / max(len(views), 1) * 1000, cpu[1] / max(len(views), 1) * 1000
    print(
        f"  {name:<12} {len(views) / seconds:6.1f}/s  p50 {p50:7.1f}  p95 {p95:7.1f}  "
        f"p99 {p99:8.1f} ms ({p99 / floor:6.1f}x static)  errors {errors}  "
        f"CPU/view web {web:5.1f} ms, db {db:5.1f} ms",
        flush=True,
    )
    static = [v[1] for v in result["static"]]
    s50, _, s99 = _cuts(static)
    print(f"  {'':<12} static file under this load: p50 {s50:6.1f}  p99 {s99:7.1f} ms")
    worst = []
    for page in sorted({v[0] for v in views}):
        mine = [v[1] for v in views if v[0] == page]
        worst.append(f"{page} {_cuts(mine)[2]:.0f}")
    print(f"  {'':<12} p99 per page (ms): {', '.join(worst)}")


def measure_web(
    store: Store, org: Org, seconds: int, seed: int, loads: list[int], processes: list[int]
) -> None:
    viewer = member_by_id(store, org, 1)
    pages = [(n, p, a) for n, p, a in pages_of(store, org, viewer) if n in MIX]
    sellers_needed = max(loads)
    port = free_port()
    server = start_server(store.url, port, 1, ["--no-with-worker"], STARTS_WITHIN)
    try:
        sellers = []
        for number in range(1, sellers_needed + 1):
            member = member_by_id(store, org, number)
            _, token = create_token(store, org, member, "bench-scale")
            sellers.append(
                {"cookie": session_cookie(port, member.email, follow=False), "token": token}
            )
    finally:
        stop(server)
    database = postmaster_pid(store)
    print(
        f"web: {len(pages)} pages in the mix, sellers view one every {MEAN_INTERVAL:.0f} s "
        f"(Poisson, open loop), {seconds} s per load, {os.cpu_count()} cores shared with "
        "the database and the load generator"
    )
    for workers in processes:
        port = free_port()
        server = start_server(store.url, port, workers, ["--no-with-worker"], STARTS_WITHIN)
        try:
            idle(server.pid)
            base = {"port": port, "mean_interval": MEAN_INTERVAL, "pages": pages, "seed": seed}
            floor_run = _load(base | {"seconds": 10, "sellers": [], "static_rate": 50.0})
            f50, _, f99 = _cuts([v[1] for v in floor_run["static"]])
            print(
                f"{workers} server process(es): static file alone (floor) p50 {f50:.2f} ms, "
                f"p99 {f99:.2f} ms"
            )
            _load(base | {"seconds": 5, "sellers": sellers[:5], "static_rate": 0})  # warm
            for count in loads:
                idle(server.pid)  # the last load's backlog drained
                before = (tree_cpu(server.pid), tree_cpu(database))
                result = _load(
                    base | {"seconds": seconds, "sellers": sellers[:count], "static_rate": 5.0}
                )
                cpu = (tree_cpu(server.pid) - before[0], tree_cpu(database) - before[1])
                _report(f"{count} sellers", result, seconds, cpu, f99)
        finally:
            stop(server)
