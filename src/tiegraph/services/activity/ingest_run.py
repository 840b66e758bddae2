"""What every ingest shares: its report, records in batches, and the batches of one file
written in transactions of about a second (Store.transactions), so that other writers get the
store in between. Interactions are keyed by message, event or call: a rerun after a crash
counts what was committed as already seen and writes the rest."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection

from tiegraph.errors import InvalidInputError
from tiegraph.formats.records import RowError
from tiegraph.services.activity.event_outcomes import EventOutcomes
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Activity, Resolver, write_activities
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.store import Store

BATCH = 2000
T = TypeVar("T")


@dataclass
class IngestReport:
    """What an ingest did; `messages`/`calls` count records read, good or not; a calendar's
    account is in `events` (events read, meetings taken, events skipped by reason)."""

    kind: str  # mail | calendar | calls
    read: int = 0
    interactions: int = 0
    duplicates: int = 0
    replaced: int = 0
    skipped: int = 0
    unresolved: int = 0
    persons: int = 0  # new persons from correspondence
    ties: int = 0
    rejected: list[RowError] = field(default_factory=list)
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    events: EventOutcomes = field(default_factory=EventOutcomes)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        noun = {"mail": "messages", "calendar": "events", "calls": "calls"}[self.kind]
        calendar = self.events.counts() if self.kind == "calendar" else {}
        return {
            noun: self.read,
            "interactions": self.interactions,
            "duplicates": self.duplicates,
            "replaced": self.replaced,
            "skipped": self.skipped,
            "skipped_reasons": self.skipped_reasons,
            "unresolved": self.unresolved,
            "persons_from_correspondence": self.persons,
            "ties": self.ties,
            "rejected": [
                {"file": r.file, "locator": r.locator, "reason": r.reason} for r in self.rejected
            ],
        } | calendar

    def summary(self) -> str:
        noun = {"mail": "messages", "calendar": "events", "calls": "calls"}[self.kind]
        if self.kind == "calendar":
            return (
                f"{self.events.summary()}, {len(self.rejected)} rejected; {self.interactions} "
                f"interactions, {self.duplicates} already seen; {self.persons} new persons from "
                f"correspondence, {self.ties} ties updated"
            )
        return (
            f"{self.read} {noun}: {self.interactions} interactions, {self.duplicates} already "
            f"seen, {self.skipped} without a member, {len(self.rejected)} rejected; "
            f"{self.persons} new persons from correspondence, {self.ties} ties updated"
            + (f", {self.unresolved} addresses left without a person" if self.unresolved else "")
        )

    def settle(self, resolver: Resolver, ties: TieUpdater) -> None:
        """End of a transaction's writes: name the new persons, count them, store the ties
        (each counted once, however many transactions stored it)."""
        resolver.correspondents.settle_names()
        self.persons += len(resolver.correspondents.created)
        resolver.correspondents.created.clear()
        ties.flush()
        self.ties += len(ties.written)
        ties.written.clear()


# (conn, resolver, ties, one batch of records): what a kind of ingest writes of a batch
BatchWriter = Callable[[Connection, Resolver, TieUpdater, list[T]], None]


def ingest_file(
    store: Store,
    org: Org,
    records: Iterable[T | RowError],
    report: IngestReport,
    write: BatchWriter[T],
    *,
    step: str,
    progress: ProgressCallback = no_progress,
    bulk: bool = False,
) -> None:
    """Write one file's records in batches, in transactions of about a second each.

    The resolver and the tie updater go on from one transaction to the next (what the last
    one wrote is committed); each transaction stores its ties, and the last names the persons
    made from correspondence by the names seen in the whole file.
    """
    resolver: Resolver | None = None
    ties: TieUpdater | None = None
    for conn, turn in store.transactions(batches(records, report), bulk=bulk):
        if resolver is None or ties is None:
            resolver, ties = Resolver(conn, org), TieUpdater(conn, org)
        else:
            resolver.use(conn)
            ties.use(conn)
        for batch in turn:
            write(conn, resolver, ties, batch)
            progress(step, report.read, 0)
        if turn.ended:
            report.settle(resolver, ties)
        else:
            ties.flush()


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def existing_paths(paths: Sequence[Path]) -> Iterator[Path]:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InvalidInputError(f"no such file or folder: {', '.join(missing)}")
    yield from paths


def batches(records: Iterable[T | RowError], report: IngestReport) -> Iterator[list[T]]:
    batch: list[T] = []
    for record in records:
        report.read += 1
        if isinstance(record, RowError):
            report.rejected.append(record)
            continue
        batch.append(record)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def write_batch(
    conn: Any,
    org: Org,
    resolver: Resolver,
    ties: TieUpdater,
    activities: list[Activity],
    report: IngestReport,
) -> None:
    """Write a batch's activities and fold them into their ties."""
    result = write_activities(conn, org, resolver, activities)
    report.interactions += result.interactions
    report.duplicates += result.duplicates
    report.replaced += result.replaced
    report.unresolved += result.unresolved
    ties.add(result.new)
    ties.rebuild(result.rebuild)
