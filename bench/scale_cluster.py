"""`bench_scale.py`: its own PostgreSQL 15 cluster under /tmp, tuned for a bulk-loaded bench.

Started as the postgres user on a free port, its socket and data in one folder. fsync,
full_page_writes and synchronous_commit are off: a crash loses the bench's data, never
anything else, and the figures measure the queries, not this machine's disk flushes.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "effective_cache_size": "8GB",
    "max_connections": "400",
    "fsync": "off",
    "full_page_writes": "off",
    "synchronous_commit": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "16GB",
    "checkpoint_timeout": "30min",
    "random_page_cost": "1.1",
    "max_parallel_workers_per_gather": "2",
    "max_parallel_maintenance_workers": "2",
    "jit": "off",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*command: str) -> str:
    done = subprocess.run(
        ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout}")
    return done.stdout


@dataclass
class Cluster:
    """A PostgreSQL cluster of the bench: `folder`/data, listening on 127.0.0.1:`port`."""

    folder: Path
    port: int = 0

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, database: str = "tiegraph") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def dsn(self, database: str = "tiegraph") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def start(self) -> bool:
        """Start the cluster (made first when absent); whether it existed already."""
        existed = (self.data / "PG_VERSION").exists()
        running = self.data / "postmaster.pid"
        if running.exists():  # kept by an earlier run (--keep)
            self.port = int(running.read_text().splitlines()[3])
            return True
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, "postgres", "postgres")
        if not existed:
            _as_postgres(
                str(BIN / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        self.port = self.port or _free_port()
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
        options += " ".join(f"-c {k}={v}" for k, v in SETTINGS.items())
        _as_postgres(
            str(BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        return existed

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

    def stop(self, *, delete: bool) -> None:
        if (self.data / "postmaster.pid").exists():
            _as_postgres(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        if delete:
            shutil.rmtree(self.folder, ignore_errors=True)

    def size_on_disk(self) -> int:
        return sum(p.stat().st_size for p in self.data.rglob("*") if p.is_file())
