"""Directory import: persons and companies with their history, idempotent by external id."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, select, update

from tiegraph.core.companies import normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.core.phones import normalize_phone
from tiegraph.errors import InvalidInputError
from tiegraph.formats.directory import iter_directory
from tiegraph.formats.records import (
    CompanyRecord,
    EmploymentRecord,
    NoRecordsError,
    PersonRecord,
    RowError,
)
from tiegraph.services.activity.ties import TieUpdater, follow_employers
from tiegraph.services.activity.writes import resolve_pending
from tiegraph.services.directory.adopt import adopt_persons
from tiegraph.services.directory.index import load_matching
from tiegraph.services.org.orgs import Org
from tiegraph.services.progress import ProgressCallback, no_progress
from tiegraph.store import Store
from tiegraph.store.bulk import BATCH_SIZE, insert_ignore, insert_rows, upsert_rows
from tiegraph.store.distribution import same_org
from tiegraph.store.overlaps import refresh_overlaps
from tiegraph.store.schema import (
    company,
    company_domain,
    education,
    employment,
    person,
    person_email,
    person_phone,
)


@dataclass
class DirectoryReport:
    files: list[str] = field(default_factory=list)
    companies: int = 0
    persons_created: int = 0
    persons_updated: int = 0
    rejected: list[RowError] = field(default_factory=list)

    @property
    def persons(self) -> int:
        return self.persons_created + self.persons_updated

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "companies": self.companies,
            "persons": self.persons,
            "persons_created": self.persons_created,
            "persons_updated": self.persons_updated,
            "rejected": [
                {"file": r.file, "locator": r.locator, "reason": r.reason} for r in self.rejected
            ],
        }

    def summary(self) -> str:
        return (
            f"Directory: {self.persons} persons ({self.persons_created} new, "
            f"{self.persons_updated} updated), {self.companies} companies, "
            f"{len(self.rejected)} rejected"
        )


class _CompanyIds:
    """External ids and name keys of the org's companies, creating companies named only by name."""

    def __init__(self, conn: Connection, org: Org) -> None:
        self.conn, self.org = conn, org
        self.by_external: dict[str, int] = {}
        self.by_key: dict[str, int] = {}
        self.key_of: dict[int, str] = {}
        self.inferred: set[int] = set()
        rows = conn.execute(
            select(
                company.c.id, company.c.external_id, company.c.name_key, company.c.inferred
            ).where(company.c.org_id == org.id)
        )
        for r in rows:
            if r.inferred:
                self.inferred.add(r.id)
            if r.external_id:
                self.by_external[r.external_id] = r.id
            self.by_key.setdefault(r.name_key, r.id)
            self.key_of[r.id] = r.name_key

    def upsert(self, records: Sequence[CompanyRecord]) -> None:
        self._adopt_inferred(records)
        rows = [
            {
                "org_id": self.org.id,
                "external_id": c.external_id,
                "name": c.name,
                "name_key": normalize_company(c.name) or c.name.casefold(),
                "size": c.size,
                "industry": c.industry,
            }
            for c in records
        ]
        upsert_rows(self.conn, company, rows, key=("org_id", "external_id"))
        ids = self.conn.execute(
            select(company.c.id, company.c.external_id, company.c.name_key).where(
                company.c.org_id == self.org.id,
                company.c.external_id.in_([c.external_id for c in records]),
            )
        )
        for r in ids:
            self.by_external[r.external_id] = r.id
            self.by_key[r.name_key] = r.id
            self.key_of[r.id] = r.name_key
        domains = [
            {"org_id": self.org.id, "company_id": self.by_external[c.external_id], "domain": d}
            for c in records
            for d in dict.fromkeys(x.strip().lower() for x in c.domains if x.strip())
        ]
        insert_ignore(self.conn, company_domain, domains, key=("org_id", "domain"))

    def _adopt_inferred(self, records: Sequence[CompanyRecord]) -> None:
        """A company made from a mail domain is the directory's company with that domain: it
        takes the directory's external id (and then its name), keeping its persons and ties."""
        owner = {
            d.strip().lower(): c.external_id
            for c in records
            if c.external_id not in self.by_external
            for d in c.domains
            if d.strip()
        }
        if not owner:
            return
        rows = self.conn.execute(
            select(company.c.id, company_domain.c.domain)
            .join(company_domain, same_org(company, company_domain.c.company_id))
            .where(
                company.c.org_id == self.org.id,
                company.c.inferred.is_(True),
                company.c.external_id.is_(None),
                company_domain.c.domain.in_(sorted(owner)),
            )
            .order_by(company.c.id)
        )
        for r in rows:
            external = owner[r.domain]
            if external in self.by_external:
                continue
            self.conn.execute(
                update(company)
                .where(company.c.id == r.id)
                .values(external_id=external, inferred=False)
            )
            self.by_external[external] = r.id

    def resolve(self, external_id: str, name: str) -> int | None:
        if external_id:
            return self.by_external.get(external_id)
        key = normalize_company(name) or name.strip().casefold()
        if not key:
            return None
        if key not in self.by_key:
            self.by_key[key] = self.conn.execute(
                company.insert()
                .values(org_id=self.org.id, name=name.strip(), name_key=key)
                .returning(company.c.id)
            ).scalar_one()
        found = self.by_key[key]
        if found in self.inferred:  # made from a mail domain: the directory names it now
            self.conn.execute(
                update(company)
                .where(company.c.id == found)
                .values(name=name.strip(), inferred=False)
            )
            self.inferred.discard(found)
        return found


def _current_job(p: PersonRecord) -> EmploymentRecord | None:
    # Only a job not yet ended makes a current employer: someone who left is not the
    # account's person any more (their history still matches and connects).
    today = date.today()
    current = [e for e in p.employment if e.end is None or e.end >= today]
    current.sort(key=lambda e: e.start.toordinal() if e.start else 0)
    return current[-1] if current else None


def _person_row(org: Org, p: PersonRecord, companies: _CompanyIds) -> dict[str, Any]:
    job = _current_job(p)
    full = p.full_name or " ".join(x for x in (p.first_name, p.last_name) if x)
    return {
        "org_id": org.id,
        "external_id": p.external_id,
        "first_name": p.first_name,
        "last_name": p.last_name,
        "full_name": full,
        "profile_url": p.profile_url,
        "company_id": companies.resolve(job.company_id, job.company) if job else None,
        "title": job.title if job else "",
        "origin": "directory",
    }


class _PersonWriter:
    """Writes persons in batches: the row, its emails and phones, its employment and education."""

    def __init__(
        self, conn: Connection, org: Org, companies: _CompanyIds, report: DirectoryReport, file: str
    ) -> None:
        self.conn, self.org, self.companies, self.report = conn, org, companies, report
        self.file = file
        self.ties = TieUpdater(conn, org)

    def use(self, conn: Connection) -> None:
        """Write through `conn` (the next transaction) from now on."""
        self.conn = conn
        self.ties = TieUpdater(conn, self.org)

    def write(self, records: Sequence[PersonRecord]) -> None:
        records = list({p.external_id: p for p in records}.values())  # last one in a batch wins
        externals = [p.external_id for p in records]
        existing = self._ids(externals)
        adopt_persons(self.conn, self.org, records, existing, self._company_key)
        rows = [_person_row(self.org, p, self.companies) for p in records]
        # A member adopted above keeps origin "member": the directory adds facts, not identity.
        updated = [c for c in rows[0] if c not in ("org_id", "external_id", "origin")]
        upsert_rows(self.conn, person, rows, key=("org_id", "external_id"), update=updated)
        ids = self._ids(externals)
        self.report.persons_updated += len(existing)
        self.report.persons_created += len(records) - len(existing)
        self._write_children(records, ids)

    def _company_key(self, p: PersonRecord) -> str:
        job = _current_job(p)
        if job is None:
            return ""
        if job.company_id:
            company_id = self.companies.by_external.get(job.company_id)
            return self.companies.key_of.get(company_id, "") if company_id else ""
        return normalize_company(job.company)

    def _ids(self, externals: Iterable[str]) -> dict[str, int]:
        rows = self.conn.execute(
            select(person.c.id, person.c.external_id).where(
                person.c.org_id == self.org.id, person.c.external_id.in_(list(externals))
            )
        )
        return {r.external_id: r.id for r in rows}

    def _write_children(self, records: Sequence[PersonRecord], ids: dict[str, int]) -> None:
        org_id = self.org.id
        person_ids = list(ids.values())
        emails, phones, jobs, schools = [], [], [], []
        for p in records:
            pid = ids[p.external_id]
            for e in dict.fromkeys(filter(None, (normalize_email(x) for x in p.emails))):
                emails.append({"org_id": org_id, "person_id": pid, "email": e})
            for ph in dict.fromkeys(filter(None, (normalize_phone(x) for x in p.phones))):
                phones.append({"org_id": org_id, "person_id": pid, "phone": ph})
            for job in p.employment:
                company_id = self.companies.resolve(job.company_id, job.company)
                if company_id is None:
                    self.report.rejected.append(
                        RowError(
                            self.file,
                            p.locator,
                            f"person {p.external_id}: unknown company "
                            f"{job.company_id or job.company!r}",
                        )
                    )
                    continue
                jobs.append(
                    {
                        "org_id": org_id,
                        "person_id": pid,
                        "company_id": company_id,
                        "title": job.title,
                        "start_date": job.start,
                        "end_date": job.end,
                    }
                )
            for school in p.education:
                schools.append(
                    {
                        "org_id": org_id,
                        "person_id": pid,
                        "school": school.school,
                        "school_key": normalize_company(school.school) or school.school.casefold(),
                        "degree": school.degree,
                        "start_date": school.start,
                        "end_date": school.end,
                    }
                )
        insert_ignore(self.conn, person_email, emails, key=("org_id", "email", "person_id"))
        insert_ignore(self.conn, person_phone, phones, key=("org_id", "phone", "person_id"))
        # Interactions kept under these addresses until now belong to these persons.
        addresses = {str(r["email"]): cast(int, r["person_id"]) for r in emails}
        addresses.update({str(r["phone"]): cast(int, r["person_id"]) for r in phones})
        self.ties.rebuild(resolve_pending(self.conn, self.org, addresses))
        # Employment and education are the directory's to state: a re-import replaces them.
        for table in (employment, education):
            self.conn.execute(
                table.delete().where(table.c.org_id == org_id, table.c.person_id.in_(person_ids))
            )
        insert_rows(self.conn, employment, jobs)
        insert_rows(self.conn, education, schools)
        follow_employers(self.conn, self.org, person_ids)
        refresh_overlaps(self.conn, self.org.id, person_ids)


def import_directory(
    store: Store,
    org: Org,
    files: Sequence[Path],
    *,
    progress: ProgressCallback = no_progress,
) -> DirectoryReport:
    """Import directory files, each in transactions of about a second (Store.transactions), so
    that other writers get the store in between. Persons and companies are keyed by external
    id: a rerun after a crash completes what the crashed run committed."""
    report = DirectoryReport()
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None
        report.files.append(str(path))
        _import_file(store, org, data, str(path), report, progress)
    store.analyze_after(report.persons_created + report.persons_updated)
    # Contact imports read the directory through its matching index: built and saved here,
    # once, rather than by the next import (a million persons: about 18 s).
    progress("Matching index", 0, 1)
    load_matching(store, org)
    progress("Matching index", 1, 1)
    return report


def _import_file(
    store: Store,
    org: Org,
    data: bytes,
    file: str,
    report: DirectoryReport,
    progress: ProgressCallback,
) -> None:
    companies: _CompanyIds | None = None
    writer: _PersonWriter | None = None
    seen = 0
    try:
        for conn, turn in store.transactions(iter_directory(data, file=file)):
            if companies is None or writer is None:
                companies = _CompanyIds(conn, org)
                writer = _PersonWriter(conn, org, companies, report, file)
            else:  # what the last transaction wrote is known; this one writes through `conn`
                companies.conn = conn
                writer.use(conn)
            seen += _import_turn(turn, companies, writer, report)
            progress(f"Directory {Path(file).name}", seen, 0)
    except NoRecordsError as exc:
        raise InvalidInputError(f"{exc}: expected a directory file (JSON Lines or CSV)") from None
    progress(f"Directory {Path(file).name}", seen, seen)


def _import_turn(
    records: Iterable[CompanyRecord | PersonRecord | RowError],
    companies: _CompanyIds,
    writer: _PersonWriter,
    report: DirectoryReport,
) -> int:
    """Write one transaction's records; returns how many it read."""
    pending_companies: list[CompanyRecord] = []
    pending_persons: list[PersonRecord] = []
    seen = 0
    for record in records:
        seen += 1
        if isinstance(record, RowError):
            report.rejected.append(record)
        elif isinstance(record, CompanyRecord):
            pending_companies.append(record)
            report.companies += 1
            if len(pending_companies) >= BATCH_SIZE:
                companies.upsert(pending_companies)
                pending_companies.clear()
        else:
            pending_persons.append(record)
            if len(pending_persons) >= BATCH_SIZE:
                if pending_companies:
                    companies.upsert(pending_companies)
                    pending_companies.clear()
                writer.write(pending_persons)
                pending_persons.clear()
    if pending_companies:
        companies.upsert(pending_companies)
    if pending_persons:
        writer.write(pending_persons)
    writer.ties.flush()
    return seen
