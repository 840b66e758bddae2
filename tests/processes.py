"""Real tiegraph processes for the queue tests (`worker`, `serve`, any command): each on a host
of its own (a working and temp folder no other process writes to), stopped with SIGTERM, and
waiting for what they do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tiegraph.store import Store

# Heartbeats every second, dead after 3 s of silence, swept every second: a killed worker's job
# is retried within seconds.
WORKER_ARGS = ("worker", "--heartbeat", "1", "--stalled-after", "3", "--sweep-every", "1")


def elsewhere(log: Path) -> tuple[Path, dict[str, str]]:
    """A working folder and an environment of a host of its own: its own temp folder, which no
    other process of the test writes to (the bytes of an upload can only come from the store)."""
    home = Path(tempfile.mkdtemp(prefix="host-", dir=log.parent))
    (home / "tmp").mkdir()
    return home, os.environ.copy() | {"TMPDIR": str(home / "tmp")}


def tiegraph(url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`tiegraph ARGS --db URL` on a host of its own, its output appended to `log`."""
    home, env = elsewhere(log)
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "tiegraph", *args, "--db", url],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=home,
        )


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    """A `tiegraph worker` process (WORKER_ARGS)."""
    return tiegraph(url, log, *WORKER_ARGS)


def start_serve(url: str, port: int, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    """A `tiegraph serve` process on a loopback port."""
    return tiegraph(url, log, "serve", "--port", str(port), *extra)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a running job finishes first), then SIGKILL after 20 s."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def terminate_backend(store: Store, pid: int) -> None:
    """End the PostgreSQL backend `pid` from a connection of its own (never one of the store's
    pool), as a primary that died or was demoted drops its connections."""
    other = create_engine(store.engine.url, poolclass=NullPool)
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    other.dispose()
