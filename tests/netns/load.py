"""The multi-host test's client (run on the client host with `ip netns exec`): through HAProxy,
a steady stream of API reads and acknowledged writes, and address-book imports queued as jobs.

Every request's outcome goes to OUT as one JSON line: {"op", "status", "ms", "at", ...}; a write
the server acknowledged carries what it wrote, an import its progress as polled. It runs until
the file STOP exists.

    python load.py BASE_URL TOKEN OUT STOP BOOKS_FOLDER
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

WRITERS = 3
READERS = 2
# /healthz is the balancer's, not a client's: it says 503 while the database fails over.
READS = ("/api/v1/me", "/api/v1/lists?limit=5", "/api/v1/persons?q=ann&limit=5")


class Recorder:
    """Outcomes, one JSON line each, written as they happen (a killed run keeps what it saw)."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("a", encoding="utf-8")
        self.lock = threading.Lock()

    def __call__(self, **outcome: Any) -> None:
        line = json.dumps({**outcome, "at": time.time()})
        with self.lock:
            self.handle.write(line + "\n")
            self.handle.flush()


def _request(client: httpx.Client, method: str, url: str, **kwargs: Any) -> tuple[int, Any, float]:
    started = time.monotonic()
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:  # no answer at all: the balancer itself did not answer
        return 0, f"{type(exc).__name__}: {exc}", (time.monotonic() - started) * 1000
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:300]
    return response.status_code, body, (time.monotonic() - started) * 1000


def writer(client: httpx.Client, record: Recorder, stop: Path) -> None:
    """Create lists one after another; a 201 is an acknowledged write."""
    while not stop.exists():
        name = f"load-{uuid.uuid4().hex[:12]}"
        status, body, ms = _request(client, "POST", "/api/v1/lists", json={"name": name})
        record(op="create_list", name=name, status=status, ms=round(ms, 1),
               body=None if status == 201 else body)  # fmt: skip
        time.sleep(0.05)


def reader(client: httpx.Client, record: Recorder, stop: Path, offset: int) -> None:
    turn = offset
    while not stop.exists():
        path = READS[turn % len(READS)]
        turn += 1
        status, body, ms = _request(client, "GET", path)
        record(op="read", path=path, status=status, ms=round(ms, 1),
               body=None if status == 200 else body)  # fmt: skip
        time.sleep(0.05)


def importer(client: httpx.Client, record: Recorder, stop: Path, books: Path) -> None:
    """Queue one import per folder of address books (in name order), then poll each until it
    ends; each poll is recorded (the test waits on them to kill a worker mid-import)."""
    for folder in sorted(p for p in books.iterdir() if p.is_dir()):
        files = [("files", (p.name, p.read_bytes(), "text/csv")) for p in sorted(folder.iterdir())]
        status, body, ms = _request(client, "POST", "/api/v1/imports", files=files)
        record(op="start_import", folder=folder.name, status=status, ms=round(ms, 1), body=body)
        if status != 202:
            continue
        job = body["id"]
        while not stop.exists():
            status, body, ms = _request(client, "GET", f"/api/v1/imports/{job}")
            if status == 200:
                record(op="import", job=job, status=status, state=body["status"],
                       done=body["progress_done"], total=body["progress_total"])  # fmt: skip
                if body["status"] in ("done", "failed"):
                    break
            else:
                record(op="read", path="/api/v1/imports/ID", status=status, ms=round(ms, 1),
                       body=body)  # fmt: skip
            time.sleep(0.3)


def main() -> None:
    base, token, out, stop, books = sys.argv[1:6]
    record, stop_file = Recorder(Path(out)), Path(stop)
    headers = {"Authorization": f"Bearer {token}"}
    # Timeouts longer than the balancer's: its answer (or silence) is what the client sees.
    client = httpx.Client(base_url=base, headers=headers, timeout=90)
    threads = [threading.Thread(target=writer, args=(client, record, stop_file))
               for _ in range(WRITERS)]  # fmt: skip
    threads += [threading.Thread(target=reader, args=(client, record, stop_file, n))
                for n in range(READERS)]  # fmt: skip
    threads.append(threading.Thread(target=importer, args=(client, record, stop_file, Path(books))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()


if __name__ == "__main__":
    main()
