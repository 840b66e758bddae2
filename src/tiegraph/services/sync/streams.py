"""What the Graph and Google syncs share: their report, and the writes of one page of contacts,
messages or calendar occurrences through the same import and ingestion as files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from tiegraph.errors import NotFoundError
from tiegraph.formats.records import ContactRecord, EventRecord, MessageHeaders, RowError
from tiegraph.services.activity.ingest import IngestReport, write_events, write_mail
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Resolver
from tiegraph.services.contacts.importer import (
    Matching,
    SourceReport,
    import_contact_records,
    load_matching,
)
from tiegraph.services.org.members import Member, find_member
from tiegraph.services.sync.sources import SourceRun, cursor_key


class StreamsReport:
    """One run's reports: contacts (as an address book) and activity (mail and meetings)."""

    def __init__(self, url: str, source_format: str) -> None:
        self.contacts = SourceReport(url, source_format)
        self.mail = IngestReport("mail")
        self.calendar = IngestReport("calendar")
        self.throttled_seconds = 0.0

    def summary(self) -> str:
        parts = [
            f"contacts: {self.contacts.summary()}",
            f"mail: {self.mail.summary()}",
            f"calendar: {self.calendar.summary()}",
        ]
        if self.throttled_seconds:
            parts.append(f"waited {self.throttled_seconds:g} s for throttling")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts.as_dict(),
            "mail": self.mail.as_dict(),
            "calendar": self.calendar.as_dict(),
            "throttled_seconds": self.throttled_seconds,
        }


def state_of(run: SourceRun, stream: str) -> dict[str, Any]:
    found: dict[str, Any] = run.cursor.setdefault("streams", {}).setdefault(stream, {})
    return found


def owner_and_matching(run: SourceRun) -> tuple[Member, Callable[[], Matching]]:
    """The source's member, and the directory's index, loaded at its first call: call it
    before a write transaction (SQLite has one writer), and only when a contact is new, so a
    sync with nothing new never pays for it."""
    with run.store.read() as conn:
        owner = find_member(conn, run.org, run.source.member_email)
    if owner is None:
        raise NotFoundError(f"member {run.source.member_email} is gone")
    loaded: list[Matching] = []

    def matching() -> Matching:
        if not loaded:
            loaded.append(load_matching(run.store, run.org))
        return loaded[0]

    return owner, matching


def write_contacts(
    conn: Connection,
    run: SourceRun,
    state: dict[str, Any],
    found: Iterable[tuple[str, ContactRecord | RowError]],
    report: SourceReport,
    owner: Member,
    matching: Callable[[], Matching],
) -> int:
    """Import the contacts not taken before (by their id in the source); returns how many.
    `matching()` must not read the store now (the caller loaded it before its transaction)."""
    seen = set(state.get("seen", ()))
    new = [(key, record) for key, record in found if cursor_key(key) not in seen]
    records = [record for _, record in new]
    if not records:
        return 0
    import_contact_records(conn, run.org, owner, records, report, matching())
    report.attempted += len(records)
    state["seen"] = sorted(seen | {cursor_key(key) for key, _ in new})
    return len(records)


def write_messages(
    conn: Connection, run: SourceRun, records: list[MessageHeaders | RowError], report: IngestReport
) -> int:
    resolver, ties = Resolver(conn, run.org), TieUpdater(conn, run.org)
    write_mail(conn, run.org, resolver, ties, records, report)
    report.settle(resolver, ties)
    return len(records)


def write_meetings(
    conn: Connection,
    run: SourceRun,
    found: Iterable[tuple[str, EventRecord | RowError]],
    later: dict[str, str],
    report: IngestReport,
) -> None:
    """Occurrences that have started, inside the window, become meetings; those still to come
    wait in `later` (id -> start) and are read again once started."""
    window = run.now - run.settings.calendar_past
    records: list[EventRecord | RowError] = []
    for key, record in found:
        later.pop(key, None)
        if isinstance(record, EventRecord):
            if record.start >= run.now:
                later[key] = record.start.isoformat()
                continue
            if record.end < window:
                continue
        records.append(record)
    resolver, ties = Resolver(conn, run.org), TieUpdater(conn, run.org)
    write_events(conn, run.org, resolver, ties, records, report)
    report.settle(resolver, ties)


def any_new(state: dict[str, Any], keys: Iterable[str]) -> bool:
    """Whether any of these contact ids was not taken before."""
    seen = set(state.get("seen", ()))
    return any(cursor_key(key) not in seen for key in keys)


def due(later: dict[str, str], now: datetime) -> list[str]:
    return [key for key, at in later.items() if datetime.fromisoformat(at) <= now]


def midnight(moment: datetime) -> datetime:
    """Windows start and end on a day: two runs of one day ask for the same window."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


Write = Callable[[Connection, list[dict[str, Any]]], int]
