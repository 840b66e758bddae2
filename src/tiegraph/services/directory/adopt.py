"""A directory import adopts the persons already known without it: never a second person.

A member, a published contact or a correspondent (a person made from mail) that the directory
now describes gets the directory's external id, so that the import updates that row: its
emails, ties and interactions stay where they are. Found by email, or, for a correspondent,
by first name + last name + company when exactly one fits.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, select, update

from tiegraph.core.emails import normalize_email
from tiegraph.core.names import name_at_company
from tiegraph.formats.records import PersonRecord
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, person, person_email

NameKey = tuple[str, str, str]  # (first name, last name, company) as normalized


def adopt_persons(
    conn: Connection,
    org: Org,
    records: Sequence[PersonRecord],
    existing: dict[str, int],
    company_key: Callable[[PersonRecord], str],
) -> None:
    """Give persons without an external id the ids of the `records` that describe them.

    `existing` (external id -> person id) gains the adopted ones; `company_key` is a record's
    current employer as `normalize_company` keys it ("" for none).
    """
    _by_email(conn, org, records, existing)
    rest = [p for p in records if p.external_id not in existing]
    _by_name(conn, org, rest, existing, company_key)


def _by_email(
    conn: Connection, org: Org, records: Sequence[PersonRecord], existing: dict[str, int]
) -> None:
    by_email = {
        e: p.external_id
        for p in records
        if p.external_id not in existing
        for e in (normalize_email(x) for x in p.emails)
        if e
    }
    emails = sorted(by_email)
    for start in range(0, len(emails), IN_CHUNK):
        rows = conn.execute(
            select(person.c.id, person_email.c.email)
            .join(person_email, same_org(person, person_email.c.person_id))
            .where(
                person.c.org_id == org.id,
                person.c.external_id.is_(None),
                person_email.c.email.in_(emails[start : start + IN_CHUNK]),
            )
            .order_by(person.c.id)
        )
        for r in rows:
            external = by_email[r.email]
            if external not in existing and r.id not in existing.values():
                _adopt(conn, r.id, external)
                existing[external] = r.id


def _by_name(
    conn: Connection,
    org: Org,
    records: Sequence[PersonRecord],
    existing: dict[str, int],
    company_key: Callable[[PersonRecord], str],
) -> None:
    wanted: dict[NameKey, str] = {}
    for p in records:
        key = name_at_company(p.first_name, p.last_name, p.full_name, company_key(p))
        if key is not None:
            wanted[key] = p.external_id
    companies = sorted({k[2] for k in wanted})
    found: dict[NameKey, list[int]] = {}
    for start in range(0, len(companies), IN_CHUNK):
        rows = conn.execute(
            select(person.c.id, person.c.first_name, person.c.last_name, person.c.full_name)
            .add_columns(company.c.name_key)
            .join(company, same_org(company, person.c.company_id))
            .where(
                person.c.org_id == org.id,
                person.c.origin == "correspondence",
                person.c.external_id.is_(None),
                person.c.archived_at.is_(None),
                company.c.name_key.in_(companies[start : start + IN_CHUNK]),
            )
        )
        for r in rows:
            key = name_at_company(r.first_name, r.last_name, r.full_name, r.name_key)
            if key in wanted:
                found.setdefault(key, []).append(r.id)
    for key, ids in found.items():
        external = wanted[key]
        # Two correspondents of one name at one company: which one is meant is not known.
        if len(ids) == 1 and external not in existing:
            _adopt(conn, ids[0], external)
            existing[external] = ids[0]


def _adopt(conn: Connection, person_id: int, external_id: str) -> None:
    conn.execute(update(person).where(person.c.id == person_id).values(external_id=external_id))
    # A correspondent the directory describes is a directory person now; a member stays one.
    conn.execute(
        update(person)
        .where(person.c.id == person_id, person.c.origin == "correspondence")
        .values(origin="directory")
    )
