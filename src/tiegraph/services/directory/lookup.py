"""Finding one directory person by email and one company by name or domain, for commands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from tiegraph.core.companies import normalize_company
from tiegraph.core.emails import email_domain
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.org.members import Member, checked_email
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import persons_shared, persons_visible
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, company_domain, person, person_email


@dataclass(frozen=True)
class DirectoryPerson:
    id: int
    email: str
    name: str
    first_name: str
    title: str
    company: str


@dataclass(frozen=True)
class DirectoryCompany:
    id: int
    name: str
    domains: tuple[str, ...]


def no_person(email: str) -> NotFoundError:
    """The one answer for an address that is not a directory person, whatever else it is.

    A member's private contact must look exactly like an address nobody knows.
    """
    return NotFoundError(
        f"no directory person with email {email}; one of your own private contacts can be "
        "added to the directory from your private network"
    )


def find_person(
    conn: Connection,
    org: Org,
    raw_email: str,
    viewer: Member | None = None,
    *,
    shared_only: bool = False,
) -> DirectoryPerson:
    """The directory person (not archived) with this email that `viewer` may see, or
    `no_person`; with `shared_only`, one every member may see (for what all share)."""
    email = checked_email(raw_email)
    row = conn.execute(
        select(person.c.id, person.c.full_name, person.c.first_name, person.c.title, company.c.name)
        .join(person_email, same_org(person, person_email.c.person_id))
        .outerjoin(company, same_org(company, person.c.company_id))
        .where(
            person_email.c.org_id == org.id,
            person_email.c.email == email,
            person.c.archived_at.is_(None),
            persons_shared() if shared_only else persons_visible(viewer),
        )
        .order_by(person.c.id)
    ).first()
    if row is None:
        raise no_person(email)
    return DirectoryPerson(
        id=row.id,
        email=email,
        name=row.full_name or email,
        first_name=row.first_name or (row.full_name or "").split(" ")[0],
        title=row.title or "",
        company=row.name or "",
    )


def lookup_person(
    store: Store, org: Org, raw_email: str, viewer: Member | None = None
) -> DirectoryPerson:
    """`find_person` in a read of its own (the web app's links by email)."""
    with store.read() as conn:
        return find_person(conn, org, raw_email, viewer)


def find_company(conn: Connection, org: Org, name_or_domain: str) -> DirectoryCompany:
    """The company with this name (as normalized) or domain; an ambiguous name is an error."""
    wanted = name_or_domain.strip()
    if not wanted:
        raise InvalidInputError("an account needs a company name or domain")
    ids = _by_domain(conn, org, wanted)
    if not ids:
        key = normalize_company(wanted) or wanted.casefold()
        ids = [
            r.id
            for r in conn.execute(
                select(company.c.id)
                .where(
                    company.c.org_id == org.id,
                    company.c.name_key == key,
                    company.c.archived_at.is_(None),
                )
                .order_by(company.c.id)
            )
        ]
    found = [_company(conn, org, i) for i in ids]
    if not found:
        raise NotFoundError(f"no company named {wanted!r} or with that domain in the directory")
    if len(found) > 1:
        names = "; ".join(f"{c.name} ({', '.join(c.domains) or 'no domain'})" for c in found)
        raise InvalidInputError(f"{wanted!r} names {len(found)} companies: {names}; give a domain")
    return found[0]


def company_by_id(conn: Connection, org: Org, company_id: int) -> DirectoryCompany:
    """The company (not archived) with this id in the organization, or NotFoundError."""
    found = conn.execute(
        select(company.c.id).where(
            company.c.org_id == org.id, company.c.id == company_id, company.c.archived_at.is_(None)
        )
    ).first()
    if found is None:
        raise NotFoundError(f"no account (company) {company_id}")
    return _company(conn, org, company_id)


def _by_domain(conn: Connection, org: Org, wanted: str) -> list[int]:
    domain = email_domain(wanted) if "@" in wanted else wanted.lower().rstrip(".")
    if "." not in domain or " " in domain:
        return []
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = conn.execute(
        select(company_domain.c.domain, company_domain.c.company_id)
        .join(company, same_org(company, company_domain.c.company_id))
        .where(
            company_domain.c.org_id == org.id,
            company_domain.c.domain.in_(candidates),
            company.c.archived_at.is_(None),
        )
    ).all()
    by_domain = {r.domain: r.company_id for r in rows}
    return next(([by_domain[c]] for c in candidates if c in by_domain), [])


def _company(conn: Connection, org: Org, company_id: int) -> DirectoryCompany:
    row = conn.execute(
        select(company.c.id, company.c.name).where(
            company.c.org_id == org.id, company.c.id == company_id
        )
    ).one()
    domains = conn.execute(
        select(company_domain.c.domain)
        .where(company_domain.c.org_id == org.id, company_domain.c.company_id == company_id)
        .order_by(company_domain.c.domain)
    )
    return DirectoryCompany(row.id, row.name, tuple(d.domain for d in domains))
