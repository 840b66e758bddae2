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

from tiegraph.core.companies import CompanyIndex, normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.core.matching import MatchIndex, contact_keys
from tiegraph.core.names import (
    first_name_variants,
    last_name_key,
    normalize_name_part,
    split_full_name,
)
from tiegraph.core.phones import normalize_phone
from tiegraph.errors import InvalidInputError
from tiegraph.formats.contacts import read_contacts
from tiegraph.formats.records import ContactRecord, NoRecordsError, RowError
from tiegraph.services.matching import load_company_index, load_match_index
from tiegraph.services.members import Member
from tiegraph.services.network import publish_row
from tiegraph.services.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.services.ties import TieUpdater
from tiegraph.store import Store
from tiegraph.store.schema import (
    contact,
    contact_email,
    contact_phone,
    contact_source,
    possible_match,
)

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


@dataclass
class _Contact:
    """A contact of the member, as held in memory while a file is imported."""

    id: int
    first: str
    last: str
    company: str
    status: str
    emails: set[str]
    phones: set[str]


class _AddressBook:
    """The member's contacts, indexed by what tells that two records are one person."""

    def __init__(self, conn: Connection, org: Org, owner: Member) -> None:
        self.by_email: dict[str, _Contact] = {}
        self.by_phone: dict[str, _Contact] = {}
        self.by_last: dict[str, list[_Contact]] = {}
        rows = conn.execute(
            select(contact).where(contact.c.org_id == org.id, contact.c.member_id == owner.id)
        ).all()
        emails = _children(conn, org, owner, contact_email, contact_email.c.email)
        phones = _children(conn, org, owner, contact_phone, contact_phone.c.phone)
        for r in rows:
            first, last = r.first_name, r.last_name
            if not (first or last):
                first, last = split_full_name(r.full_name)
            self.add(
                _Contact(
                    r.id,
                    normalize_name_part(first),
                    last_name_key(last),
                    normalize_company(r.company),
                    r.status,
                    set(emails.get(r.id, ())),
                    set(phones.get(r.id, ())),
                )
            )

    def add(self, c: _Contact) -> None:
        for e in c.emails:
            self.by_email.setdefault(e, c)
        for p in c.phones:
            self.by_phone.setdefault(p, c)
        if c.last:
            self.by_last.setdefault(c.last, []).append(c)

    def find(
        self, first: str, last: str, company: str, emails: set[str], phones: set[str]
    ) -> _Contact | None:
        for e in emails:
            if e in self.by_email:
                return self.by_email[e]
        for p in phones:
            if p in self.by_phone:
                return self.by_phone[p]
        if not (first and last):
            return None
        names = first_name_variants(first) | {first}
        for c in self.by_last.get(last, ()):
            # In one person's address book the same name is the same person unless two
            # different companies say otherwise.
            if c.first in names and (not company or not c.company or company == c.company):
                return c
        return None


def _children(
    conn: Connection, org: Org, owner: Member, table: Any, column: Any
) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for r in conn.execute(
        select(table.c.contact_id, column.label("value")).where(
            table.c.org_id == org.id, table.c.member_id == owner.id
        )
    ):
        found.setdefault(r.contact_id, []).append(r.value)
    return found


class _FileImport:
    """Imports one file's records into the member's address book inside one transaction."""

    def __init__(
        self,
        conn: Connection,
        org: Org,
        owner: Member,
        book: _AddressBook,
        index: MatchIndex,
        companies: CompanyIndex,
        region: str,
    ) -> None:
        self.conn, self.org, self.owner, self.book = conn, org, owner, book
        self.index, self.companies, self.region = index, companies, region
        self.now = datetime.now(UTC)
        self.ties = TieUpdater(conn, org)
        self.created: list[int] = []

    def run(self, records: Sequence[ContactRecord | RowError], report: SourceReport) -> None:
        good = [r for r in records if isinstance(r, ContactRecord)]
        report.rejected.extend(r for r in records if isinstance(r, RowError))
        known = self._known_keys([record_key(r) for r in good])
        for record in good:
            key = record_key(record)
            if key in known:
                # Imported before: nothing changes, and it still counts under its outcome.
                report.unchanged += 1
                status = known[key]
                setattr(report, status, getattr(report, status) + 1)
                continue
            known[key] = self._one(record, key, report)  # a repeated row is then unchanged
        self.ties.flush()
        if self.owner.contact_sync:
            report.shared += self._share_created()

    def _share_created(self) -> int:
        """Contact sync: this import's new unmatched contacts become directory persons."""
        shared = 0
        for start in range(0, len(self.created), 900):
            rows = self.conn.execute(
                select(contact).where(
                    contact.c.org_id == self.org.id,
                    contact.c.id.in_(self.created[start : start + 900]),
                    contact.c.status == "private",
                    contact.c.person_id.is_(None),
                )
            ).all()
            for row in rows:
                publish_row(self.conn, self.org, self.owner, row)
                shared += 1
        return shared

    def _known_keys(self, keys: list[str]) -> dict[str, str]:
        """Record keys this member imported before, with their contact's status now."""
        found: dict[str, str] = {}
        for start in range(0, len(keys), 900):
            rows = self.conn.execute(
                select(contact_source.c.record_key, contact.c.status)
                .join(contact, contact.c.id == contact_source.c.contact_id)
                .where(
                    contact_source.c.org_id == self.org.id,
                    contact_source.c.member_id == self.owner.id,
                    contact_source.c.record_key.in_(keys[start : start + 900]),
                )
            )
            found.update({r.record_key: r.status for r in rows})
        return found

    def _one(self, record: ContactRecord, key: str, report: SourceReport) -> str:
        """Import one record; returns its contact's status (matched, possible, private)."""
        first_raw, last_raw = record.first_name, record.last_name
        if not (first_raw or last_raw) and record.full_name:
            first_raw, last_raw = split_full_name(record.full_name)
        first, last = normalize_name_part(first_raw), last_name_key(last_raw)
        company_key = normalize_company(record.company)
        emails = {e for e in map(normalize_email, record.emails) if e}
        phones = {p for p in (normalize_phone(x, self.region) for x in record.phones) if p}
        existing = self.book.find(first, last, company_key, emails, phones)
        report.imported += 1
        if existing is not None:
            report.merged += 1
            target = existing
            self._add_details(target, emails, phones)
        else:
            target = self._create(
                record, first_raw, last_raw, first, last, company_key, emails, phones
            )
        self.conn.execute(
            contact_source.insert().values(
                org_id=self.org.id,
                member_id=self.owner.id,
                contact_id=target.id,
                source_format=record.source_format,
                file_name=Path(record.file).name,
                locator=record.locator,
                record_key=key,
                record=_record_json(record),
            )
        )
        if target.status != "matched":
            self._match(target, record, first_raw, last_raw)
        # Every imported record counts under its contact's outcome, merged ones too: a LinkedIn
        # row merged into a matched Google contact is, for its owner, a matched LinkedIn row.
        setattr(report, target.status, getattr(report, target.status) + 1)
        return str(target.status)

    def _create(
        self,
        record: ContactRecord,
        first_raw: str,
        last_raw: str,
        first: str,
        last: str,
        company_key: str,
        emails: set[str],
        phones: set[str],
    ) -> _Contact:
        full = record.full_name or " ".join(x for x in (first_raw, last_raw) if x)
        contact_id = self.conn.execute(
            contact.insert()
            .values(
                org_id=self.org.id,
                member_id=self.owner.id,
                status="private",
                first_name=first_raw,
                last_name=last_raw,
                full_name=full,
                company=record.company,
                title=record.title,
                profile_url=record.profile_url,
                connected_on=record.connected_on,
            )
            .returning(contact.c.id)
        ).scalar_one()
        created = _Contact(contact_id, first, last, company_key, "private", set(), set())
        self.created.append(int(contact_id))
        self._add_details(created, emails, phones)
        self.book.add(created)
        return created

    def _add_details(self, target: _Contact, emails: set[str], phones: set[str]) -> None:
        new_emails = sorted(e for e in emails - target.emails if e not in self.book.by_email)
        new_phones = sorted(p for p in phones - target.phones if p not in self.book.by_phone)
        base = {"org_id": self.org.id, "member_id": self.owner.id, "contact_id": target.id}
        if new_emails:
            self.conn.execute(contact_email.insert(), [base | {"email": e} for e in new_emails])
        if new_phones:
            self.conn.execute(contact_phone.insert(), [base | {"phone": p} for p in new_phones])
        target.emails |= set(new_emails)
        target.phones |= set(new_phones)
        for e in new_emails:
            self.book.by_email[e] = target
        for p in new_phones:
            self.book.by_phone[p] = target

    def _match(self, target: _Contact, record: ContactRecord, first: str, last: str) -> None:
        keys = contact_keys(
            first,
            last,
            target.emails,
            [record.company] if record.company else [],
            full_name=record.full_name,
            companies=self.companies,
        )
        decision = self.index.match(keys)
        if decision.kind == "matched" and decision.person_id is not None:
            target.status = "matched"
            self.conn.execute(
                contact.update()
                .where(contact.c.id == target.id)
                .values(status="matched", person_id=int(decision.person_id), updated_at=self.now)
            )
            # A later source settled it (an email arrived): earlier suggestions are moot.
            self.conn.execute(
                possible_match.update()
                .where(
                    possible_match.c.org_id == self.org.id,
                    possible_match.c.contact_id == target.id,
                    possible_match.c.status == "open",
                )
                .values(status="superseded", decided_at=self.now)
            )
            self.ties.mark_explicit([(self.owner.id, int(decision.person_id))])
        elif decision.kind == "possible":
            target.status = "possible"
            self.conn.execute(
                contact.update().where(contact.c.id == target.id).values(status="possible")
            )
            for person_id, reason in decision.candidates:
                exists = self.conn.execute(
                    select(possible_match.c.id).where(
                        possible_match.c.org_id == self.org.id,
                        possible_match.c.contact_id == target.id,
                        possible_match.c.person_id == int(person_id),
                    )
                ).first()
                if exists is None:
                    self.conn.execute(
                        possible_match.insert().values(
                            org_id=self.org.id,
                            contact_id=target.id,
                            person_id=int(person_id),
                            reason=reason[:300],
                        )
                    )


def _record_json(record: ContactRecord) -> dict[str, Any]:
    return {
        "first_name": record.first_name,
        "last_name": record.last_name,
        "full_name": record.full_name,
        "emails": list(record.emails),
        "phones": list(record.phones),
        "company": record.company,
        "title": record.title,
        "profile_url": record.profile_url,
        "connected_on": record.connected_on.isoformat() if record.connected_on else None,
    }


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
    matching = load_matching(store, org)
    for number, (path, contact_file) in enumerate(zip(files, parsed, strict=True), start=1):
        source = SourceReport(str(path), contact_file.format, contact_file.attempted)
        with store.write() as conn:
            import_contact_records(conn, org, owner, contact_file.records, source, matching, region)
        report.sources.append(source)
        progress("Contacts", number, len(files))
    store.analyze_after(sum(s.imported for s in report.sources))
    return report


@dataclass(frozen=True)
class Matching:
    """The directory as contact matching reads it: loaded once, used by many imports."""

    companies: CompanyIndex
    index: MatchIndex


def load_matching(store: Store, org: Org) -> Matching:
    with store.read() as conn:
        companies = load_company_index(conn, org)
        return Matching(companies, load_match_index(conn, org, companies))


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
    book = _AddressBook(conn, org, owner)
    _FileImport(conn, org, owner, book, matching.index, matching.companies, region).run(
        records, report
    )
