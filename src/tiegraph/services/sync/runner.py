"""Running sync sources: one at a time, each failure kept on its source and retried with backoff.

`run_due_syncs(store, now)` runs what is due once; `SyncLoop` keeps doing so, in the
foreground (`tiegraph sync run`) or in a background thread (`tiegraph serve`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select

from tiegraph.connectors.errors import ConnectorError
from tiegraph.errors import StoreBusyError
from tiegraph.services.org.changes import note_change
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.services.sync.accounts import access_token
from tiegraph.services.sync.caldav import sync_calendar
from tiegraph.services.sync.carddav import sync_contacts
from tiegraph.services.sync.google import sync_google
from tiegraph.services.sync.graph import sync_graph
from tiegraph.services.sync.imap import sync_mail
from tiegraph.services.sync.passwords import MissingPasswordError, password_for
from tiegraph.services.sync.source_run import SourceRun
from tiegraph.services.sync.sources import (
    SyncSettings,
    SyncSource,
    load_source,
    select_sources,
    source_of,
)
from tiegraph.store import Store
from tiegraph.store.failover import STEP_RUNS, lost_or_busy, pause, run_again_when_lost
from tiegraph.store.schema import organization, sync_source

logger = logging.getLogger(__name__)

RUNNERS: dict[str, Callable[[SourceRun], None]] = {
    "carddav": sync_contacts,
    "caldav": sync_calendar,
    "imap": sync_mail,
    "graph": sync_graph,
    "google": sync_google,
}
FIRST_RETRY = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR = 500  # characters of an error kept on its source


@dataclass(frozen=True)
class SyncOutcome:
    """What one run of one source did, or why it failed."""

    source_id: int
    kind: str
    url: str
    member: str
    taken: int
    seconds: float
    error: str | None
    report: Any  # the kind's report: contacts (SourceReport) or mail/calendar (IngestReport)

    def summary(self) -> str:
        head = f"#{self.source_id} {self.kind} {self.url} ({self.member})"
        if self.error:
            return f"{head}: failed after {self.taken} items, will retry: {self.error}"
        detail = f"; {self.report.summary()}" if self.report is not None and self.taken else ""
        return f"{head}: {self.taken} new items in {self.seconds:.1f} s{detail}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_id,
            "kind": self.kind,
            "url": self.url,
            "member": self.member,
            "taken": self.taken,
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "report": self.report.as_dict() if self.report is not None else None,
        }


def backoff(failures: int) -> timedelta:
    """Wait before retry number `failures`: 1, 2, 4, … minutes, at most an hour."""
    return min(MAX_BACKOFF, FIRST_RETRY * (1 << min(max(failures - 1, 0), 10)))


def _describe(exc: Exception) -> str:
    if isinstance(exc, ConnectorError | MissingPasswordError | StoreBusyError):
        text = str(exc)
    else:  # a bug or a store failure: its type says more than a message cut short
        text = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
    return text[:MAX_ERROR]


def _orgs(store: Store, ids: set[int]) -> dict[int, Org]:
    with store.read() as conn:
        rows = conn.execute(select(organization).where(organization.c.id.in_(sorted(ids))))
        return {r.id: Org(r.id, r.slug, r.name, bool(r.activity_sharing_default)) for r in rows}


def run_source(
    store: Store,
    org: Org,
    source: SyncSource,
    *,
    now: datetime | None = None,
    settings: SyncSettings = SyncSettings(),
    progress: ProgressCallback = no_progress,
) -> SyncOutcome:
    """Run one source now; a failure is recorded on it (never raised) and retried later.

    A run that lost the store (busy, or its connection lost: a failover) runs again at once
    from the cursor as committed, up to STEP_RUNS in all: the cursor commits with what it
    covers, so a run again takes only what the lost one did not save. When items were taken,
    the organization's data version moves (web pages warm again, web/freshness.py)."""
    started = now or datetime.now(UTC)
    clock = time.monotonic()
    taken = 0
    for attempt in range(1, STEP_RUNS + 1):
        run = SourceRun(store, org, source, None, settings, started, progress, dict(source.cursor))
        failure = _run_once(store, org, run)
        taken += run.taken
        if failure is None or attempt == STEP_RUNS or not lost_or_busy(failure):
            break
        logger.warning("sync source %s lost the store (run %d): running again", source.id, attempt)
        time.sleep(pause(attempt - 1))
        source = _reloaded(store, source) or source
    error = None if failure is None else _describe(failure)
    if error is not None:
        logger.warning(
            "sync source %s (%s %s) failed: %s", source.id, source.kind, source.url, error
        )
    run_again_when_lost(partial(_record, store, source, started, error))
    if taken:
        run_again_when_lost(partial(note_change, store, org))
    return SyncOutcome(
        source.id,
        source.kind,
        source.url,
        source.member_email,
        taken,
        time.monotonic() - clock,
        error,
        run.report,
    )


def _run_once(store: Store, org: Org, run: SourceRun) -> Exception | None:
    """One run of the source's kind; its failure, if any (one source's failure must never stop
    the others)."""
    try:
        if run.source.account_id is not None:
            run.token = _token_for(store, org, run.source.account_id)
        else:
            run.password = password_for(run.source.password_env, run.source.password_sealed)
        RUNNERS[run.source.kind](run)
    except Exception as exc:
        return exc
    return None


def _reloaded(store: Store, source: SyncSource) -> SyncSource | None:
    """The source as committed (its cursor covers what was saved); None when the store is still
    away (the next run fails the same way and is recorded)."""
    try:
        with store.read() as conn:
            return load_source(conn, source.org_id, source.id)
    except Exception:
        logger.exception("sync source %s could not be read again", source.id)
        return None


def _token_for(store: Store, org: Org, account_id: int) -> Callable[[bool], str]:
    def token(refresh: bool) -> str:
        return access_token(store, org, account_id, force=refresh)

    return token


def _record(store: Store, source: SyncSource, started: datetime, error: str | None) -> None:
    where = (sync_source.c.org_id == source.org_id, sync_source.c.id == source.id)
    if error is None:
        values: dict[str, Any] = {
            "last_success_at": started,
            "failures": 0,
            "next_run_at": started + timedelta(minutes=source.interval_minutes),
        }
    else:
        failures = source.failures + 1
        values = {
            "last_error": error,
            "last_error_at": started,
            "failures": failures,
            "next_run_at": started + backoff(failures),
        }
    with store.write() as conn:
        conn.execute(sync_source.update().where(*where).values(**values))


def _sources(store: Store, org: Org | None) -> list[SyncSource]:
    with store.read() as conn:
        return [source_of(r) for r in conn.execute(select_sources(org.id if org else None))]


def _run_all(
    store: Store,
    sources: Sequence[SyncSource],
    now: datetime | None,
    settings: SyncSettings,
    progress: ProgressCallback,
    on_outcome: Callable[[SyncOutcome], None],
) -> list[SyncOutcome]:
    orgs = _orgs(store, {s.org_id for s in sources})
    outcomes = []
    for source in sources:
        outcome = run_source(
            store, orgs[source.org_id], source, now=now, settings=settings, progress=progress
        )
        on_outcome(outcome)
        outcomes.append(outcome)
    return outcomes


def _ignore(outcome: SyncOutcome) -> None:
    """An outcome callback that keeps nothing."""


def run_due_syncs(
    store: Store,
    now: datetime | None = None,
    *,
    org: Org | None = None,
    settings: SyncSettings = SyncSettings(),
    progress: ProgressCallback = no_progress,
    on_outcome: Callable[[SyncOutcome], None] = _ignore,
) -> list[SyncOutcome]:
    """Run, one after the other, every source whose time has come (of one org, or all)."""
    moment = now or datetime.now(UTC)
    due = [s for s in _sources(store, org) if s.next_run_at is None or s.next_run_at <= moment]
    return _run_all(store, due, now, settings, progress, on_outcome)


def run_all_syncs(
    store: Store,
    org: Org,
    *,
    source_ids: Sequence[int] = (),
    settings: SyncSettings = SyncSettings(),
    progress: ProgressCallback = no_progress,
    on_outcome: Callable[[SyncOutcome], None] = _ignore,
) -> list[SyncOutcome]:
    """Run every source of the organization now (or those named), due or not."""
    sources = [s for s in _sources(store, org) if not source_ids or s.id in source_ids]
    return _run_all(store, sources, None, settings, progress, on_outcome)


def seconds_until_due(store: Store, org: Org | None = None, now: datetime | None = None) -> float:
    """How long until the next source is due (0: one is due now; inf: there is none)."""
    moment = now or datetime.now(UTC)
    waits = [
        0.0 if s.next_run_at is None else (s.next_run_at - moment).total_seconds()
        for s in _sources(store, org)
    ]
    return max(min(waits), 0.0) if waits else float("inf")


class SyncLoop:
    """Runs due sources until stopped, sleeping until the next one is due.

    `tiegraph serve` starts one in a background thread (`start()`, then `stop()`);
    `tiegraph sync run` calls `run()` in the foreground.
    """

    def __init__(
        self,
        store: Store,
        *,
        org: Org | None = None,
        settings: SyncSettings = SyncSettings(),
        on_outcome: Callable[[SyncOutcome], None] = _ignore,
        poll_seconds: float = 60.0,
    ) -> None:
        self.store, self.org, self.settings = store, org, settings
        self.on_outcome = on_outcome
        self.poll_seconds = poll_seconds  # new sources are noticed at least this often
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                run_due_syncs(
                    self.store, org=self.org, settings=self.settings, on_outcome=self.on_outcome
                )
                wait = seconds_until_due(self.store, self.org)
            except Exception:  # the store itself failed: try again later, never die
                logger.exception("sync loop: the store failed; retrying")
                wait = self.poll_seconds
            self.stopping.wait(min(max(wait, 0.5), self.poll_seconds))

    def start(self) -> threading.Thread:
        self.thread = threading.Thread(target=self.run, name="tiegraph-sync", daemon=True)
        self.thread.start()
        return self.thread

    def stop(self, timeout: float | None = None) -> None:
        """Ask the loop to stop; a run in progress finishes first.

        A process that ends meanwhile loses nothing: cursors cover only what was committed.
        """
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)
