"""One run of one sync source: what the kind-specific sync code reads, and saves its cursor with."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.services.sync.sources import SyncSettings, SyncSource
from tiegraph.store import Store
from tiegraph.store.schema import sync_source

T = TypeVar("T")


@dataclass
class SourceRun:
    """One run of one source: what kind-specific sync code reads and saves its cursor through."""

    store: Store
    org: Org
    source: SyncSource
    password: str | None
    settings: SyncSettings
    now: datetime
    progress: ProgressCallback = no_progress
    cursor: dict[str, Any] = field(default_factory=dict)
    taken: int = 0
    # The connected account's access token (True: refreshed now, the server refused the last).
    token: Callable[[bool], str] | None = None
    report: Any = None  # the kind's report (contact import or ingest), for the outcome

    def save(self, conn: Connection, taken: int) -> None:
        """Store the cursor in the caller's transaction: it commits with what it covers."""
        conn.execute(
            sync_source.update()
            .where(sync_source.c.org_id == self.org.id, sync_source.c.id == self.source.id)
            .values(cursor=self.cursor, items_taken=sync_source.c.items_taken + taken)
        )
        self.taken += taken


def cursor_key(text: str) -> str:
    """A short stable key for an href or ETag in a cursor: 12 characters instead of ~60."""
    return base64.urlsafe_b64encode(hashlib.blake2b(text.encode(), digest_size=9).digest()).decode()


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), max(size, 1)):
        yield items[start : start + size]
