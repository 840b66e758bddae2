"""Benchmark: an upload of hundreds of MB kept in the store (services/uploads.py) — written by
the web side, read back by a worker into its temp folder — against copying the same bytes from
one file to another, the floor of any hand-over.

Measured in one run, on SQLite or PostgreSQL (`--db URL`): wall time of the copy (baseline), of
save_upload, and of upload_file (the read back); the peak of Python's traced memory while each
runs, and the process's peak resident memory before and after. The file is generated while it
is read (never held whole), so what memory grows is the store's doing.

Run: .venv/bin/python bench/bench_uploads.py [--mb 300] [--db postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import io
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.made_bytes import Generated  # noqa: E402

from tiegraph.services.org.orgs import create_org  # noqa: E402
from tiegraph.services.uploads import delete_uploads, save_upload, upload_file  # noqa: E402
from tiegraph.store import open_store  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(work: object) -> tuple[float, float]:
    """Seconds and the peak of traced memory (MB) of `work()`."""
    tracemalloc.start()
    started = time.perf_counter()
    work()  # type: ignore[operator]
    took = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return took, peak / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=int, default=300, help="size of the upload in MB")
    parser.add_argument("--db", default="", help="a PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'uploads.db'}"
        store = open_store(url)
        org = create_org(store, f"bench-{int(time.time())}", "Bench")
        rss_before = _rss_mb()

        def copy() -> None:
            with (Path(folder) / "copy.bin").open("wb") as out:
                shutil.copyfileobj(io.BufferedReader(Generated(size)), out, 1024 * 1024)

        saved = []

        def save() -> None:
            saved.append(save_upload(store, org, "big.pst", io.BufferedReader(Generated(size))))

        def read_back() -> None:
            with upload_file(store, org, saved[0].id) as path:
                assert path.stat().st_size == size

        copy_s, copy_mb = _timed(copy)
        save_s, save_mb = _timed(save)
        read_s, read_mb = _timed(read_back)
        delete_uploads(store, org, [saved[0].id])
        store.dispose()
    print(f"{args.mb} MB upload on {store.dialect}; baseline: a file-to-file copy")
    print(f"{'step':<22}{'seconds':>9}{'x copy':>9}{'MB/s':>9}{'peak traced MB':>16}")
    for name, took, peak in (
        ("copy (baseline)", copy_s, copy_mb),
        ("save_upload", save_s, save_mb),
        ("upload_file (read)", read_s, read_mb),
    ):
        print(f"{name:<22}{took:>9.2f}{took / copy_s:>9.1f}{args.mb / took:>9.0f}{peak:>16.1f}")
    print(f"peak resident memory: {rss_before:.0f} MB before, {_rss_mb():.0f} MB after")


if __name__ == "__main__":
    main()
