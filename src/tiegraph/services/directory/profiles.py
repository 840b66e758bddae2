"""Person and account profiles: a directory person's details and sources, a company's people."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, or_, select

from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.insights.account_coverage import (
    Coverage,
    coverage_of,
    coverage_summary,
    covered_by,
)
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import companies_visible, persons_seen_by, persons_visible
from tiegraph.services.paging import Page, checked_window, count_of
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    company,
    company_domain,
    contact,
    contact_source,
    education,
    employment,
    person,
    person_email,
    person_phone,
)

ACCOUNT_SORTS = ("name", "coverage")


@dataclass(frozen=True)
class Job:
    company_id: int
    company: str
    title: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Schooling:
    school: str
    degree: str
    start: date | None
    end: date | None


@dataclass(frozen=True)
class Source:
    """Where the viewer's own contact for this person came from (never another member's)."""

    contact_id: int
    format: str
    file: str


@dataclass(frozen=True)
class PersonSummary:
    id: int
    name: str
    title: str
    company_id: int | None
    company: str
    email: str
    archived: bool


@dataclass(frozen=True)
class PersonProfile:
    summary: PersonSummary
    origin: str
    profile_url: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    jobs: tuple[Job, ...] = ()
    schools: tuple[Schooling, ...] = ()
    sources: tuple[Source, ...] = field(default_factory=tuple)


def _summary_query(org_id: Any) -> Any:
    """Persons with what a row shows of them; `org_id`: a value, or a bound parameter."""
    first_email = (
        select(person_email.c.email)
        .where(person_email.c.org_id == org_id, person_email.c.person_id == person.c.id)
        .order_by(person_email.c.id)
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(
            person.c.id,
            person.c.full_name,
            person.c.title,
            person.c.company_id,
            company.c.name.label("company"),
            first_email.label("email"),
            person.c.archived_at,
            person.c.origin,
            person.c.profile_url,
        )
        .outerjoin(company, same_org(company, person.c.company_id))
        .where(person.c.org_id == org_id)
    )


def _summary(row: Any) -> PersonSummary:
    return PersonSummary(
        row.id,
        row.full_name,
        row.title,
        row.company_id,
        row.company or "",
        row.email or "",
        row.archived_at is not None,
    )


# A profile's statements, built once with bound parameters (org_id, person_id, viewer_id):
# building a select costs more than running it, and every person page runs seven.
_ORG: Any = bindparam("org_id")
_PERSON: Any = bindparam("person_id")
_PROFILE = _summary_query(_ORG).where(
    person.c.id == _PERSON, persons_seen_by(bindparam("viewer_id"))
)


def _values_of(table: Any, column: Any) -> Any:
    return (
        select(column.label("value"))
        .where(table.c.org_id == _ORG, table.c.person_id == _PERSON)
        .order_by(table.c.id)
    )


_EMAILS = _values_of(person_email, person_email.c.email)
_PHONES = _values_of(person_phone, person_phone.c.phone)
_JOBS = (
    select(employment, company.c.name.label("company"))
    .join(company, same_org(company, employment.c.company_id))
    .where(employment.c.org_id == _ORG, employment.c.person_id == _PERSON)
    .order_by(employment.c.end_date.is_(None).desc(), employment.c.start_date.desc())
)
_SCHOOLS = (
    select(education)
    .where(education.c.org_id == _ORG, education.c.person_id == _PERSON)
    .order_by(education.c.start_date)
)
# The viewer's contacts of this person first: a join lets SQLite scan every source row.
_MY_CONTACTS = select(contact.c.id).where(
    contact.c.org_id == _ORG,
    contact.c.person_id == _PERSON,
    contact.c.member_id == bindparam("viewer_id"),
)
_SOURCES = (
    select(contact_source.c.contact_id, contact_source.c.source_format, contact_source.c.file_name)
    .where(
        contact_source.c.org_id == _ORG,
        contact_source.c.contact_id.in_(bindparam("contact_ids", expanding=True)),
    )
    .order_by(contact_source.c.id)
)


def get_person(store: Store, org: Org, person_id: int, *, viewer: Member) -> PersonProfile:
    """A directory person as any member of the organization sees them, with the viewer's sources."""
    which = {"org_id": org.id, "person_id": person_id, "viewer_id": viewer.id}
    with store.read() as conn:
        row = conn.execute(_PROFILE, which).first()
        if row is None:
            raise NotFoundError(f"no directory person {person_id}")
        jobs = conn.execute(_JOBS, which).all()
        schools = conn.execute(_SCHOOLS, which).all()
        emails = tuple(conn.execute(_EMAILS, which).scalars())
        return PersonProfile(
            _summary(row),
            row.origin,
            row.profile_url,
            emails,
            tuple(conn.execute(_PHONES, which).scalars()),
            tuple(Job(r.company_id, r.company, r.title, r.start_date, r.end_date) for r in jobs),
            tuple(Schooling(r.school, r.degree, r.start_date, r.end_date) for r in schools),
            _sources(conn, which),
        )


def _sources(conn: Connection, which: dict[str, int]) -> tuple[Source, ...]:
    mine = list(conn.execute(_MY_CONTACTS, which).scalars())
    if not mine:
        return ()
    rows = conn.execute(_SOURCES, {"org_id": which["org_id"], "contact_ids": mine})
    return tuple(Source(r.contact_id, r.source_format, r.file_name) for r in rows)


def search_persons(
    store: Store,
    org: Org,
    *,
    query: str = "",
    company_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
    viewer: Member | None = None,
) -> Page[PersonSummary]:
    """Directory persons (not archived) whose name, title or email holds `query`, of those
    `viewer` may see."""
    limit, offset = checked_window(limit, offset)
    stmt = _summary_query(org.id).where(person.c.archived_at.is_(None), persons_visible(viewer))
    if company_id is not None:
        stmt = stmt.where(person.c.company_id == company_id)
    if query.strip():
        like = f"%{_escaped(query.strip().lower())}%"
        by_email = select(person_email.c.person_id).where(
            person_email.c.org_id == org.id, person_email.c.email.like(like, escape="\\")
        )
        stmt = stmt.where(
            or_(
                person.c.full_name.ilike(like, escape="\\"),
                person.c.title.ilike(like, escape="\\"),
                person.c.id.in_(by_email),
            )
        )
    with store.read() as conn:
        total = count_of(conn, stmt)
        rows = conn.execute(
            stmt.order_by(person.c.full_name, person.c.id).limit(limit).offset(offset)
        ).all()
    return Page([_summary(r) for r in rows], total, limit, offset)


def _escaped(text: str) -> str:
    return text.replace("\x00", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Account:
    """A company as the CRM sees it: an account with its flags."""

    id: int
    name: str
    size: int | None
    industry: str
    domains: tuple[str, ...]
    is_target: bool
    is_reference_customer: bool
    people: int
    created_at: datetime | None = None
    inferred: bool = False  # made from a correspondent's mail domain, not from a directory
    coverage: Coverage = field(default_factory=Coverage)  # as the viewer may see it


def _account(conn: Connection, org: Org, row: Any, viewer: Member | None) -> Account:
    return _accounts(conn, org, [row], viewer)[0]


def _accounts(
    conn: Connection, org: Org, rows: Sequence[Any], viewer: Member | None
) -> list[Account]:
    """Accounts of these company rows, with their domains, visible people and coverage: a
    query for each, not for each row."""
    ids = [r.id for r in rows]
    domains: dict[int, list[str]] = {}
    for d in conn.execute(
        select(company_domain.c.company_id, company_domain.c.domain)
        .where(company_domain.c.org_id == org.id, company_domain.c.company_id.in_(ids))
        .order_by(company_domain.c.domain)
    ):
        domains.setdefault(d.company_id, []).append(d.domain)
    people: dict[int, int] = dict(
        conn.execute(
            select(person.c.company_id, func.count())
            .where(
                person.c.org_id == org.id,
                person.c.company_id.in_(ids),
                person.c.archived_at.is_(None),
                persons_visible(viewer),
            )
            .group_by(person.c.company_id)
        ).all()
    )
    covers = coverage_of(conn, org, viewer, ids)
    return [
        Account(
            r.id,
            r.name,
            r.size,
            r.industry,
            tuple(domains.get(r.id, ())),
            bool(r.is_target),
            bool(r.is_reference_customer),
            people.get(r.id, 0),
            inferred=bool(r.inferred),
            coverage=covers.get(r.id, Coverage()),
        )
        for r in rows
    ]


def get_account(store: Store, org: Org, company_id: int, viewer: Member | None = None) -> Account:
    """An account as the viewer may see it (`companies_visible`); its people count and
    coverage likewise."""
    with store.read() as conn:
        row = conn.execute(
            select(company).where(
                company.c.org_id == org.id, company.c.id == company_id, companies_visible(viewer)
            )
        ).first()
        if row is None or row.archived_at is not None:
            raise NotFoundError(f"no account (company) {company_id}")
        return _account(conn, org, row, viewer)


def search_accounts(
    store: Store,
    org: Org,
    *,
    query: str = "",
    targets_only: bool = False,
    sort: str = "name",
    covered: bool = False,
    limit: int = 50,
    offset: int = 0,
    viewer: Member | None = None,
) -> Page[Account]:
    """Accounts as the viewer may see them, each with its coverage (account_coverage.py).

    `sort`: name, or coverage (people known strongly, then at all, most first); `covered`:
    only accounts where a colleague the viewer may see knows someone."""
    limit, offset = checked_window(limit, offset)
    if sort not in ACCOUNT_SORTS:
        raise InvalidInputError(f"sort {sort!r} is not one of {', '.join(ACCOUNT_SORTS)}")
    stmt = select(company).where(
        company.c.org_id == org.id, company.c.archived_at.is_(None), companies_visible(viewer)
    )
    if query.strip():
        stmt = stmt.where(company.c.name.ilike(f"%{_escaped(query.strip())}%", escape="\\"))
    if targets_only:
        stmt = stmt.where(company.c.is_target.is_(True))
    if covered:
        stmt = stmt.where(covered_by(org, viewer, company.c.id))
    order: list[Any] = [company.c.name, company.c.id]
    with store.read() as conn:
        total = count_of(conn, stmt)  # the coverage join changes no count: not counted
        if sort == "coverage":
            summary = coverage_summary(org, viewer)
            stmt = stmt.outerjoin(summary, summary.c.company_id == company.c.id)
            most = [summary.c.strong.desc().nulls_last(), summary.c.known.desc().nulls_last()]
            order = [*most, *order]
        rows = conn.execute(stmt.order_by(*order).limit(limit).offset(offset)).all()
        items = _accounts(conn, org, rows, viewer)
    return Page(items, total, limit, offset)


def set_account_flags(
    store: Store,
    org: Org,
    company_id: int,
    *,
    is_target: bool | None = None,
    is_reference_customer: bool | None = None,
) -> Account:
    """Flag an account as a target or a reference customer (None leaves a flag as it is)."""
    values = {
        k: v
        for k, v in (("is_target", is_target), ("is_reference_customer", is_reference_customer))
        if v is not None
    }
    get_account(store, org, company_id)
    if values:
        with store.write() as conn:
            conn.execute(
                company.update()
                .where(company.c.org_id == org.id, company.c.id == company_id)
                .values(**values)
            )
    return get_account(store, org, company_id)
