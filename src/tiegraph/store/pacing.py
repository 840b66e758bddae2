"""Writers taking turns on SQLite: waiting for the write lock in widening slices, and long
writes (imports, ingest) committing every COMMIT_SECONDS and stepping aside for a waiter.

SQLite has no queue for its write lock: a waiting connection polls it (every 100 ms at most),
and a long import that commits and begins again at once would win nearly every time. So a
writer that finds the lock taken says so in a small file beside the database (its mtime), and
a long write, between two of its transactions, pauses for MAKE_WAY_SECONDS when that file
says someone has been waiting: longer than two polls, so the waiter takes the lock.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

# How long one transaction of a long write holds the lock before it commits: what a page or a
# `member set` waits at most behind an import, against a commit's cost (a few ms on SQLite).
COMMIT_SECONDS = 1.0
# A writer that announced its wait this recently may still be waiting.
WAITING_FRESH_SECONDS = 2.0
MAKE_WAY_SECONDS = 0.25
# The first wait for the lock before the writer says it is busy and goes on waiting, each
# further slice twice the last, up to MAX_SLICE_SECONDS (the bound is the busy timeout).
FIRST_SLICE_SECONDS = 0.25
MAX_SLICE_SECONDS = 4.0


def waiting_flag(database: str) -> Path | None:
    """The file that says a writer waits for this SQLite database (None: in memory)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{database}-wait")


def announce_waiting(flag: Path | None) -> None:
    """Mark that a writer waits now (best effort: a read-only folder only loses the turn)."""
    if flag is None:
        return
    with contextlib.suppress(OSError):
        flag.touch()


def someone_waits(flag: Path | None) -> bool:
    if flag is None:
        return False
    try:
        return time.time() - flag.stat().st_mtime < WAITING_FRESH_SECONDS
    except OSError:
        return False


def next_slice(last: float, left: float) -> float:
    """The next wait for the lock: twice the last, at most MAX_SLICE_SECONDS and what is left."""
    return max(min(last * 2, MAX_SLICE_SECONDS, left), 0.0)
