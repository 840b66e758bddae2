"""How a web process learns that an import or a sync run finished elsewhere (a worker, maybe on
another host): it reads the organizations' data versions (services/org/changes.py, one small
table) every `interval` seconds, and when one moved it warms the first views again
(web/warm.py), so that the first view after a queued import is no colder than after one run
in this process.

Answers cached per process never outlive a version either: the intro paths cache keys its
entries by the version (web/paths_cache.py), so two processes never disagree for longer than
the commit that moves it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tiegraph.services.org.changes import data_versions
from tiegraph.store import Store

log = logging.getLogger(__name__)
INTERVAL = 1.0  # seconds between two looks: one indexed read of a row per organization


class Freshness:
    """A thread calling `on_change(org ids)` after the versions of those organizations moved."""

    def __init__(
        self, store: Store, on_change: Callable[[set[int]], object], interval: float = INTERVAL
    ) -> None:
        self.store, self.on_change, self.interval = store, on_change, interval
        self.seen: dict[int, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tiegraph-freshness", daemon=True)

    def start(self) -> Freshness:
        self.check()  # the versions as of now: what changes after this is news
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def check(self) -> set[int]:
        """Look once; the organizations whose data changed since the last look (and act)."""
        try:
            versions = data_versions(self.store)
        except Exception:  # the store is away for a moment: look again later
            log.exception("reading the data versions failed")
            return set()
        changed = (
            set()
            if self.seen is None
            else {org for org, version in versions.items() if self.seen.get(org) != version}
        )
        self.seen = versions
        if changed:
            try:
                self.on_change(changed)
            except Exception:
                log.exception("warming after a change of %s failed", sorted(changed))
        return changed

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.check()
