"""Contact import: one contact per real person across sources, matched or kept private."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.matching import collector_paused
from tiegraph.errors import InvalidInputError
from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError
from tiegraph.services.contact_plan import AddressBook, Planner
from tiegraph.services.contact_publish import publish_contacts
from tiegraph.services.contact_writes import write_plan
from tiegraph.services.directory_index import Matching, load_matching
from tiegraph.services.members import Member
from tiegraph.services.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.store import Store
from tiegraph.store.schema import contact, contact_source

__all__ = [
    "ContactImportReport",
    "Matching",
    "SourceReport",
    "import_contact_records",
    "import_contacts",
    "load_matching",
    "record_key",
]

CHUNK = 900  # record keys or ids per IN (...): under SQLite's older limit of 999 variables

SOURCE_NAMES = {
    "linkedin": "LinkedIn",
    "google": "Google",
    "outlook": "Outlook",
    "vcard": "vCard",
    "csv": "CSV",
    "carddav": "CardDAV",
}


@dataclass
class SourceReport:
    """One file's outcome; `attempted` is every contact record the file holds."""

    file: str
    format: str = ""
    attempted: int = 0
    imported: int = 0
    matched: int = 0
    possible: int = 0
    private: int = 0
    merged: int = 0
    unchanged: int = 0
    shared: int = 0  # private ones added to the directory because contact sync is on
    rejected: list[RowError] = field(default_factory=list)

    COUNTS = (
        "attempted",
        "imported",
        "matched",
        "possible",
        "private",
        "shared",
        "merged",
        "unchanged",
    )

    def as_dict(self) -> dict[str, Any]:
        counts = {k: getattr(self, k) for k in self.COUNTS}
        return {
            "file": self.file,
            "format": self.format,
            **counts,
            "rejected": _rows(self.rejected),
        }

    def summary(self) -> str:
        name = SOURCE_NAMES.get(self.format, self.format)
        text = f"{name} ({Path(self.file).name}): {self.matched} of {self.attempted} matched"
        details = [
            f"{self.possible} possible",
            f"{self.private} private" + (f" ({self.shared} shared)" if self.shared else ""),
            f"{self.merged} merged",
            f"{self.unchanged} unchanged",
            f"{len(self.rejected)} rejected",
        ]
        return f"{text}; " + ", ".join(details)


@dataclass
class ContactImportReport:
    sources: list[SourceReport] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        totals = {k: sum(getattr(s, k) for s in self.sources) for k in SourceReport.COUNTS}
        rejected = [r for s in self.sources for r in s.rejected]
        return {
            "sources": [s.as_dict() for s in self.sources],
            **totals,
            "rejected": _rows(rejected),
        }

    def summary(self) -> str:
        lines = [s.summary() for s in self.sources]
        if all(s.unchanged == s.attempted - len(s.rejected) for s in self.sources):
            lines.append("Nothing new: every contact was already imported.")
        return "\n".join(lines)


def _rows(rejected: Sequence[RowError]) -> list[dict[str, str]]:
    return [{"file": r.file, "locator": r.locator, "reason": r.reason} for r in rejected]


def record_key(record: ContactRecord) -> str:
    """A hash of what the record says (not where it sits), so re-imports find it again."""
    fields = [
        record.source_format,
        record.first_name,
        record.last_name,
        record.full_name,
        record.middle_name,
        record.nickname,
        sorted(record.emails),
        sorted(record.phones),
        record.company,
        record.title,
        record.profile_url,
        str(record.connected_on or ""),
        record.source_uid,
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def _import_records(
    conn: Connection,
    org: Org,
    owner: Member,
    records: Sequence[ContactRecord | RowError],
    report: SourceReport,
    matching: Matching,
    region: str,
) -> None:
    """Plan the records in memory, write the plan, publish what contact sync shares."""
    with collector_paused():
        _import_paused(conn, org, owner, records, report, matching, region)


def _import_paused(
    conn: Connection,
    org: Org,
    owner: Member,
    records: Sequence[ContactRecord | RowError],
    report: SourceReport,
    matching: Matching,
    region: str,
) -> None:
    good = [r for r in records if isinstance(r, ContactRecord)]
    report.rejected.extend(r for r in records if isinstance(r, RowError))
    keys = [record_key(r) for r in good]
    known = _known_keys(conn, org, owner, keys)
    planner = Planner(AddressBook(conn, org, owner), matching.index, matching.companies, region)
    for record, key in zip(good, keys, strict=True):
        if key in known:
            # Imported before: nothing changes, and it still counts under its outcome.
            report.unchanged += 1
            status = known[key]
        else:
            status, merged = planner.add(record, key)
            report.imported += 1
            report.merged += merged
            known[key] = status  # a repeated row is then unchanged
        # Every record counts under its contact's outcome, merged ones too: a LinkedIn row
        # merged into a matched Google contact is, for its owner, a matched LinkedIn row.
        setattr(report, status, getattr(report, status) + 1)
    now = datetime.now(UTC)
    write_plan(conn, org, owner, planner.plan, now)
    if owner.contact_sync:
        # Contact sync: this import's new unmatched contacts become directory persons.
        created = [c.id for c in planner.plan.created if c.status == "private" and c.id]
        report.shared += publish_contacts(conn, org, owner, created, now)


def _known_keys(conn: Connection, org: Org, owner: Member, keys: list[str]) -> dict[str, str]:
    """Record keys this member imported before, with their contact's status now."""
    found: dict[str, str] = {}
    for start in range(0, len(keys), CHUNK):
        rows = conn.execute(
            select(contact_source.c.record_key, contact.c.status)
            .join(contact, contact.c.id == contact_source.c.contact_id)
            .where(
                contact_source.c.org_id == org.id,
                contact_source.c.member_id == owner.id,
                contact_source.c.record_key.in_(keys[start : start + CHUNK]),
            )
        )
        found.update({r.record_key: r.status for r in rows})
    return found


def import_contacts(
    store: Store,
    org: Org,
    owner: Member,
    files: Sequence[Path],
    *,
    format: str = "auto",
    column_map: Mapping[str, str] | None = None,
    region: str = "US",
    progress: ProgressCallback = no_progress,
) -> ContactImportReport:
    """Import address-book files for one member; each file is one transaction."""
    report = ContactImportReport()
    parsed = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None
        try:
            parsed.append(read_contacts(data, file=str(path), format=format, column_map=column_map))
        except NoRecordsError as exc:
            raise InvalidInputError(str(exc)) from None
    progress("Matching index", 0, 1)
    matching = load_matching(store, org)  # saved by the last directory change, or built now
    progress("Matching index", 1, 1)
    for number, (path, contact_file) in enumerate(zip(files, parsed, strict=True), start=1):
        source = SourceReport(str(path), contact_file.format, contact_file.attempted)
        with store.write(bulk=True) as conn:
            _import_records(conn, org, owner, contact_file.records, source, matching, region)
        report.sources.append(source)
        progress("Contacts", number, len(files))
    store.analyze_after(sum(s.imported for s in report.sources))
    return report


def import_contact_records(
    conn: Connection,
    org: Org,
    owner: Member,
    records: Sequence[ContactRecord | RowError],
    report: SourceReport,
    matching: Matching,
    region: str = "US",
) -> None:
    """Import records already read (e.g. cards from CardDAV) in the caller's transaction.

    The same pipeline as files: merged into the member's contacts, matched or kept private.
    """
    _import_records(conn, org, owner, records, report, matching, region)
