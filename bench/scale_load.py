"""`bench_scale.py`'s load generator, in its own process: open-loop Poisson page views.

Reads a JSON plan on stdin: port, seconds, mean seconds between one seller's views, the
sellers (each a distinct member: a session cookie and an API token), the page mix (name,
paths, auth) and a static-file probe rate. Each seller views a page of the mix, chosen at
random, at Poisson arrivals whatever happened to the last one (open loop: a slow server
meets the same arrivals, and a view's time counts from when it was due, so queueing shows).
A seller's keep-alive connections are reused when idle, opened when all are busy. Writes a
JSON result on stdout: each view's page, latency in ms and whether it failed (not 200, a
broken connection, or no answer within the timeout), and the static probe's latencies.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

from bench_web import _request

TIMEOUT = 10.0


class Seller:
    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def view(self, path: str, auth: str) -> int:
        connection = (
            self.idle.pop() if self.idle else await asyncio.open_connection("127.0.0.1", self.port)
        )
        status = await _request(*connection, path, self.headers.get(auth, ""))
        self.idle.append(connection)
        return status


async def _one(
    seller: Seller,
    page: str,
    path: str,
    auth: str,
    due: float,
    found: list[tuple[str, float, bool]],
) -> None:
    failed = True
    try:
        status = await asyncio.wait_for(seller.view(path, auth), TIMEOUT)
        failed = status != 200
    except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
        pass
    found.append((page, (time.perf_counter() - due) * 1000, failed))


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    rng = random.Random(plan["seed"])
    port, seconds, mean = plan["port"], plan["seconds"], plan["mean_interval"]
    pages = plan["pages"]
    views: list[tuple[str, float, bool]] = []
    probes: list[tuple[str, float, bool]] = []
    tasks: set[asyncio.Task[None]] = set()
    start = time.perf_counter() + 0.5
    end = start + seconds

    async def seller_loop(seller: Seller, own: random.Random) -> None:
        due = start + own.expovariate(1 / mean)
        while due < end:
            await asyncio.sleep(max(due - time.perf_counter(), 0))
            name, paths, auth = own.choice(pages)
            task = asyncio.create_task(_one(seller, name, own.choice(paths), auth, due, views))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            due += own.expovariate(1 / mean)

    async def probe_loop(rate: float) -> None:
        prober = Seller(port, {})
        due = start
        while rate and due < end:
            await asyncio.sleep(max(due - time.perf_counter(), 0))
            task = asyncio.create_task(_one(prober, "static", "/static/app.css", "", due, probes))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            due += rng.expovariate(rate)

    sellers = [
        Seller(
            port,
            {
                "cookie": f"Cookie: {s['cookie']}\r\n",
                "token": f"Authorization: Bearer {s['token']}\r\n",
            },
        )
        for s in plan["sellers"]
    ]
    loops = [seller_loop(s, random.Random(rng.random())) for s in sellers]
    await asyncio.gather(*loops, probe_loop(plan["static_rate"]))
    if tasks:
        await asyncio.wait(tasks, timeout=TIMEOUT + 5)
    return {"views": views, "static": probes, "late": len(tasks)}


def main() -> None:
    plan = json.load(sys.stdin)
    json.dump(asyncio.run(run(plan)), sys.stdout)


if __name__ == "__main__":
    main()
