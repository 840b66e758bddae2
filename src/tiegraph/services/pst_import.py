"""Outlook PST/OST import: contacts, meetings and mail metadata, written as files' records are.

Contacts go through the record-level contact import (matched or private, as a vCard's
cards), meetings and messages through the activity ingest (one interaction per Message-ID or
meeting UID, whichever mailbox or file held it first): importing a file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from tiegraph.errors import InvalidInputError, TiegraphError
from tiegraph.formats.pst import SOURCE_FORMAT, PstReaderMissing, iter_outlook_items, load_pypff
from tiegraph.formats.records import (
    ContactRecord,
    EventRecord,
    MessageHeaders,
    RowError,
    SkippedItem,
)
from tiegraph.services.activity.ingest import (
    DEFAULT_WINDOW,
    IngestReport,
    write_events,
    write_mail,
)
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import Resolver
from tiegraph.services.contacts.importer import SourceReport, import_contact_records, load_matching
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.store import Store

BATCH = 2000  # messages and meetings written per round, as the mailbox ingest does
SUFFIXES = (".pst", ".ost")


class PstReaderNotInstalled(TiegraphError):
    """The optional PST reader (libpff-python) is missing."""


@dataclass
class PstFileReport:
    """One PST/OST file's outcome: its contacts, meetings, mail, skipped items, errors."""

    file: str
    contacts: SourceReport = field(init=False)
    meetings: IngestReport = field(default_factory=lambda: IngestReport("calendar"))
    mail: IngestReport = field(default_factory=lambda: IngestReport("mail"))
    skipped: dict[str, int] = field(default_factory=dict)
    rejected: list[RowError] = field(default_factory=list)
    ties: int = 0

    def __post_init__(self) -> None:
        self.contacts = SourceReport(self.file, SOURCE_FORMAT)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "contacts": self.contacts.as_dict(),
            "meetings": self.meetings.as_dict(),
            "mail": self.mail.as_dict(),
            "skipped": dict(sorted(self.skipped.items())),
            "ties": self.ties,
            "rejected": [
                {"file": r.file, "locator": r.locator, "reason": r.reason} for r in self.rejected
            ],
        }

    def summary(self) -> str:
        c, m, e = self.contacts, self.mail, self.meetings
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items()))
        return "\n".join(
            (
                f"Outlook ({Path(self.file).name}):",
                f"  contacts: {c.matched} of {c.attempted} matched; {c.possible} possible, "
                f"{c.private} private, {c.merged} merged, {c.unchanged} unchanged, "
                f"{len(c.rejected)} rejected",
                f"  meetings: {e.read} read, {e.interactions} interactions, "
                f"{e.duplicates} already seen, {e.skipped} without a member and another person",
                f"  mail: {m.read} messages, {m.interactions} interactions, "
                f"{m.duplicates} already seen, {m.skipped} without a member",
                f"  skipped: {skipped or 'nothing'}",
                f"  {len(self.rejected)} unreadable or rejected items; {self.ties} ties updated",
            )
        )

    def as_source(self, name: str) -> dict[str, Any]:
        """The file as one source of an import job's report, under the name it was uploaded as."""
        rejected = [*self.contacts.rejected, *self.rejected]
        return self.contacts.as_dict() | {
            "file": name,
            "summary": self.summary().replace(self.file, name),
            "meetings": self.meetings.interactions,
            "mail": self.mail.interactions,
            "already_seen": self.meetings.duplicates + self.mail.duplicates,
            "skipped": dict(sorted(self.skipped.items())),
            "rejected": [
                {"file": name, "locator": r.locator, "reason": r.reason} for r in rejected
            ],
        }


@dataclass
class PstImportReport:
    files: list[PstFileReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"files": [f.as_dict() for f in self.files]}

    def summary(self) -> str:
        return "\n".join(f.summary() for f in self.files)

    @property
    def rejected(self) -> list[RowError]:
        return [r for f in self.files for r in (*f.rejected, *f.contacts.rejected)]


def import_pst(
    store: Store,
    org: Org,
    owner: Member,
    paths: Sequence[Path],
    *,
    region: str = "US",
    window_start: datetime | None = None,
    window_end: datetime | None = None,
    progress: ProgressCallback = no_progress,
) -> PstImportReport:
    """Import Outlook data files: `owner`'s contacts, and the meetings and mail they hold.

    Subjects and bodies are never read. Drafts, distribution lists and other kinds of item
    are counted as skipped by reason; a damaged item or folder is reported and the rest read.
    Recurring meetings are expanded inside the window (default: a year ago to tomorrow, as
    for .ics files); single meetings and mail are taken whatever their date.
    """
    now = datetime.now(UTC)
    window = (window_start or now - DEFAULT_WINDOW, window_end or now + timedelta(days=1))
    try:
        load_pypff()
    except PstReaderMissing as error:
        raise PstReaderNotInstalled(str(error)) from None
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise InvalidInputError(f"no such file: {', '.join(missing)}")
    report = PstImportReport()
    for path in paths:
        report.files.append(_import_file(store, org, owner, Path(path), region, window, progress))
    return report


def _import_file(
    store: Store,
    org: Org,
    owner: Member,
    path: Path,
    region: str,
    window: tuple[datetime, datetime],
    progress: ProgressCallback,
) -> PstFileReport:
    report = PstFileReport(str(path))
    start, end = window
    contacts: list[ContactRecord] = []
    batch: _Batch | None = None
    items = iter_outlook_items(path, window_start=start, window_end=end)
    count = 0
    # Mail and meetings in transactions of about a second (Store.transactions): other writers
    # get the store in between, and a rerun after a crash finds what was committed seen.
    for conn, turn in store.transactions(items, bulk=True):
        if batch is None:
            batch = _Batch(conn, org, Resolver(conn, org), TieUpdater(conn, org), report)
        else:
            batch.use(conn)
        for record in turn:
            count += 1
            if isinstance(record, ContactRecord):
                contacts.append(record)
            elif isinstance(record, SkippedItem):
                report.skipped[record.reason] = report.skipped.get(record.reason, 0) + 1
            elif isinstance(record, RowError):
                report.rejected.append(record)
            else:
                batch.add(record)
            if count % BATCH == 0:
                progress(f"PST {path.name}", count, 0)
        batch.flush()
        batch.ties.flush()
    assert batch is not None  # one transaction at least
    report.ties += len(batch.ties.written)
    if contacts:
        matching = load_matching(store, org)  # read before the write: SQLite has one writer
        with store.write() as conn:
            import_contact_records(conn, org, owner, contacts, report.contacts, matching, region)
        report.contacts.attempted = len(contacts)
    store.analyze_after(report.mail.interactions + report.meetings.interactions)
    return report


@dataclass
class _Batch:
    """Messages and meetings waiting to be written in the file's current transaction."""

    conn: Connection
    org: Org
    resolver: Resolver
    ties: TieUpdater
    report: PstFileReport
    messages: list[MessageHeaders] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)

    def add(self, record: MessageHeaders | EventRecord) -> None:
        if isinstance(record, MessageHeaders):
            self.messages.append(record)
        else:
            self.events.append(record)
        if len(self.messages) + len(self.events) >= BATCH:
            self.flush()

    def use(self, conn: Connection) -> None:
        """Write through `conn` (the file's next transaction) from now on."""
        self.conn = conn
        self.resolver.use(conn)
        self.ties.use(conn)

    def flush(self) -> None:
        conn, org, resolver, ties = self.conn, self.org, self.resolver, self.ties
        if self.messages:
            write_mail(conn, org, resolver, ties, self.messages, self.report.mail)
        if self.events:
            write_events(conn, org, resolver, ties, self.events, self.report.meetings)
        self.messages, self.events = [], []
