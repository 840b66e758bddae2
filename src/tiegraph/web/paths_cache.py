"""Intro paths of person pages, kept for a short while per viewer and person.

Ranking the ways in to a person rescores the strongest ties at their company
(services/insights/paths.py), the costliest part of a person page. A page shown again within
`seconds` reuses the paths: scores move by decay over days, so a minute-old ranking is the same
ranking. What a viewer may see is part of the key (which colleagues share their activity, who is
archived), so a change of sharing takes effect at once, never after the cache's time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from sqlalchemy import Connection, bindparam, select

from tiegraph.services.insights.paths import IntroPaths
from tiegraph.services.org.changes import version_of
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import member


class PathsCache:
    """At most `size` entries, each kept `seconds` (0: nothing is kept)."""

    def __init__(self, seconds: float, size: int = 4096) -> None:
        self.seconds, self.size = seconds, size
        self._entries: OrderedDict[Hashable, tuple[float, IntroPaths | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self,
        store: Store,
        org: Org,
        viewer_id: int,
        person_id: int,
        compute: Callable[[], IntroPaths | None],
    ) -> IntroPaths | None:
        if self.seconds <= 0:
            return compute()
        # An import finished anywhere moves the version: no process answers from before it.
        key = (org.id, viewer_id, person_id, *_state(store, org))
        now = time.monotonic()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and found[0] > now:
                self._entries.move_to_end(key)
                return found[1]
        value = compute()
        with self._lock:
            self._entries[key] = (now + self.seconds, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value


# Built once with a bound parameter: read on every person page.
_SHARING = (
    select(member.c.id, member.c.activity_sharing)
    .where(member.c.org_id == bindparam("org_id"), member.c.archived_at.is_(None))
    .order_by(member.c.id)
)


def _sharing(conn: Connection, org: Org) -> tuple[tuple[int, bool], ...]:
    """The organization's active members and whether each shares activity: what decides whose
    ties a viewer may see (services/org/sharing.py)."""
    rows = conn.execute(_SHARING, {"org_id": org.id})
    return tuple((r.id, bool(r.activity_sharing)) for r in rows)


def _state(store: Store, org: Org) -> tuple[tuple[tuple[int, bool], ...], int]:
    """What the cached paths depend on besides the viewer and the person, in one read: the
    sharing state and the data version."""
    with store.read() as conn:
        return _sharing(conn, org), version_of(conn, org)
