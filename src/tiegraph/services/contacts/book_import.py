"""One file's contact records planned and written a transaction at a time (the caller's)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import islice

from sqlalchemy import Connection

from tiegraph.formats.records import RowError
from tiegraph.services.contacts.plan import AddressBook, Contact, Planner
from tiegraph.services.contacts.prepare import KnownRecord, PreparedRecord, Preparer
from tiegraph.services.contacts.publish import publish_contacts
from tiegraph.services.contacts.report import SourceReport
from tiegraph.services.contacts.writes import write_plan
from tiegraph.services.directory.index import Matching
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, first_per_key
from tiegraph.store.schema import contact_source


class FileImport:
    """One file's records planned and written a transaction at a time (the caller's).

    The plan of each transaction is written in it; the contacts it wrote then count as the
    member's stored ones, so the next transaction's records merge into them just as they would
    after a crash and a rerun (their record keys are stored: a rerun counts them unchanged).
    """

    def __init__(
        self,
        conn: Connection,
        org: Org,
        owner: Member,
        report: SourceReport,
        matching: Matching,
        preparer: Preparer,
    ) -> None:
        self.org, self.owner, self.report = org, owner, report
        self.book = AddressBook(conn, org, owner)
        self.planner = Planner(self.book, matching.index, preparer)
        # record key -> its contact's status before this file, or its contact planned in this
        # file
        self.known: dict[str, str | Contact] = {}
        # Every record counts under its contact's outcome once the whole file is planned,
        # merged ones too: a LinkedIn row merged into a matched Google contact is, for its
        # owner, a matched LinkedIn row, and a row offered as possible is matched when a later
        # row's address tells who it is (so a re-import reports what the first import did).
        self.outcomes: list[str | Contact] = []

    def plan(
        self, conn: Connection, records: Iterable[PreparedRecord | KnownRecord | RowError]
    ) -> None:
        report, known = self.report, self.known
        items = iter(records)
        while batch := list(islice(items, IN_CHUNK)):
            good = [r for r in batch if not isinstance(r, RowError)]
            report.rejected.extend(r for r in batch if isinstance(r, RowError))
            new = [r.key for r in good if r.key not in known]
            known.update(_known_keys(conn, self.org, self.owner, new, self.book))
            for record in good:
                if record.key in known:
                    # Imported before (or earlier in the file): nothing changes.
                    report.unchanged += 1
                else:
                    # Prepared: only records imported before come unprepared (KnownRecord).
                    assert isinstance(record, PreparedRecord)
                    known[record.key], merged = self.planner.add(record)  # a repeat: unchanged
                    report.imported += 1
                    report.merged += merged
                self.outcomes.append(known[record.key])

    def write(self, conn: Connection) -> None:
        """Write what was planned since the last write, in the caller's transaction."""
        plan, now = self.planner.plan, datetime.now(UTC)
        write_plan(conn, self.org, self.owner, plan, now)
        if self.owner.contact_sync:
            # Contact sync: this import's new unmatched contacts become directory persons.
            created = [c.id for c in plan.created if c.status == "private" and c.id]
            self.report.shared += publish_contacts(conn, self.org, self.owner, created, now)
        self.planner.stored()

    def count(self) -> None:
        counts = Counter(o if isinstance(o, str) else o.status for o in self.outcomes)
        for status, count in counts.items():
            setattr(self.report, status, getattr(self.report, status) + count)


def _known_keys(
    conn: Connection, org: Org, owner: Member, keys: list[str], book: AddressBook
) -> dict[str, str]:
    """Record keys this member imported before, with their contact's status before this file."""
    where = {"org_id": org.id, "member_id": owner.id}
    found = first_per_key(conn, contact_source, "record_key", ["contact_id"], where, keys)
    return {key: book.statuses[contact_id] for key, (contact_id,) in found.items()}
