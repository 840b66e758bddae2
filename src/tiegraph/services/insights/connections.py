"""Company connections: everyone in the organization connected to a company, and how.

Personal connections are ties (and, for the viewer alone, their private contacts there).
Implicit ones come from the directory's histories: the member works or worked there, worked
elsewhere at the same time as people now there, or studied with them in overlapping years;
they carry a likelihood (core/likelihood.py) and are never shown as certain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, and_, select
from sqlalchemy.orm import aliased

from tiegraph.core import likelihood
from tiegraph.errors import InvalidInputError
from tiegraph.services.directory.accounts import Account, find_account
from tiegraph.services.insights.connection_rows import (
    VIA_SHOWN,
    CompanyConnection,
    Via,
    first_emails,
    people_by_id,
    personal_rows,
    private_contact_rows,
)
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, education, employment, member, person

KINDS = (
    "personal",
    "employer",
    "former-employer",
    "colleague-former-employer",
    "reference-customer",
    "school",
)


@dataclass(frozen=True)
class CompanyConnections:
    account: Account
    connections: tuple[CompanyConnection, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account.as_dict(),
            "connections": [c.as_dict() for c in self.connections],
        }


def company_connections(
    store: Store,
    org: Org,
    name_or_domain: str | int,
    *,
    viewer: Member | None = None,
    kinds: tuple[str, ...] = (),
    min_strength: int = 0,
    title: str = "",
    worded: bool = True,
) -> CompanyConnections:
    """Everyone connected to the company, strongest and surest first, as the viewer may see.
    `worded=False`: personal connections' people without their ties' reasons (a page that
    shows the people's names only; connection_rows.py `personal_rows`)."""
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise InvalidInputError(f"--kind {unknown[0]!r} is not one of {', '.join(KINDS)}")
    wanted = set(kinds or KINDS)
    today = datetime.now(UTC).date()
    with store.read() as conn:
        account = find_account(conn, org, name_or_domain)
        members = _members(conn, org)
        rows: list[CompanyConnection] = []
        if wanted & {"personal", "reference-customer"}:
            personal = personal_rows(conn, org, account, members, viewer, worded=worded)
            personal += private_contact_rows(conn, org, account, viewer)
            if "personal" in wanted:
                rows += personal
            if "reference-customer" in wanted and account.is_reference_customer:
                rows += [_as_reference(c, account) for c in personal if c.via]
        if wanted & {"employer", "former-employer"}:
            rows += [
                r for r in _employer_rows(conn, org, account, members, today) if r.kind in wanted
            ]
        if "colleague-former-employer" in wanted:
            rows += _former_colleague_rows(conn, org, account, members, today)
        if "school" in wanted:
            rows += _school_rows(conn, org, account, members, today)
    rows = [r for r in (_titled(r, title) for r in rows) if r and r.strength >= min_strength]
    rows.sort(key=lambda r: (r.certainty != "known", -r.strength, r.member_name, r.kind))
    return CompanyConnections(account, tuple(rows))


def _members(conn: Connection, org: Org) -> dict[int, Any]:
    """Active members by their directory person id (histories hang on persons)."""
    rows = conn.execute(
        select(
            member.c.id,
            member.c.email,
            member.c.name,
            member.c.person_id,
            member.c.activity_sharing,
        ).where(member.c.org_id == org.id, member.c.archived_at.is_(None))
    )
    return {r.person_id: r for r in rows if r.person_id is not None}


def _titled(row: CompanyConnection, title: str) -> CompanyConnection | None:
    if not title:
        return row
    needle = title.casefold()
    via = tuple(v for v in row.via if needle in v.title.casefold())
    return CompanyConnection(**{**row.__dict__, "via": via}) if via else None


def _as_reference(row: CompanyConnection, account: Account) -> CompanyConnection:
    reason = (
        f"{account.name} is a reference customer; {row.member_name} can ask "
        f"{row.via[0].name} for a reference"
    )
    return CompanyConnection(**{**row.__dict__, "kind": "reference-customer", "reason": reason})


def _employer_rows(
    conn: Connection, org: Org, account: Account, members: dict[int, Any], today: date
) -> list[CompanyConnection]:
    """Members who work or worked at the company, with the people there who overlapped."""
    tenures = conn.execute(
        select(employment.c.person_id, employment.c.start_date, employment.c.end_date).where(
            employment.c.org_id == org.id,
            employment.c.company_id == account.id,
            employment.c.person_id.in_(list(members)),
        )
    ).all()
    if not tenures:
        return []
    now_there = _current_people(conn, org, account.id, account.id)
    overlapping = {  # by tenure: a member may have worked there twice
        i: _overlaps(
            t.start_date, t.end_date, now_there, account.headcount, today, exclude=t.person_id
        )
        for i, t in enumerate(tenures)
        if t.end_date is not None and t.end_date < today
    }
    # Only the people shown are read for their emails (not everyone now there).
    emails = first_emails(
        conn, org, {r.id for found in overlapping.values() for _, r, _ in found[:VIA_SHOWN]}
    )
    rows = []
    for i, t in enumerate(tenures):
        m = members[t.person_id]
        when = likelihood.span(t.start_date, t.end_date)
        if t.end_date is None or t.end_date >= today:
            rows.append(
                CompanyConnection(
                    m.email,
                    m.name,
                    "employer",
                    100,
                    "known",
                    f"works at {account.name}"
                    + (f" since {t.start_date.year}" if t.start_date else ""),
                    (),
                )
            )
            continue
        found = overlapping[i]
        value = likelihood.any_of([v for v, _, _ in found])
        reason = f"worked at {account.name} {when}".rstrip()
        if found:
            reason += f"; {len(found)} of its people now were there at the time"
        rows.append(
            CompanyConnection(
                m.email,
                m.name,
                "former-employer",
                round(100 * value),
                likelihood.certainty(value),
                reason,
                tuple(
                    Via(emails.get(r.id, ""), r.full_name, r.title, f"overlapped {y:.1f} years")
                    for _, r, y in found[:VIA_SHOWN]
                ),
            )
        )
    return rows


def _current_people(conn: Connection, org: Org, target_id: int, at_company: int) -> list[Any]:
    """People now at `target_id` with their tenures at `at_company` (names, titles)."""
    rows = conn.execute(
        select(
            person.c.id,
            person.c.full_name,
            person.c.title,
            employment.c.start_date,
            employment.c.end_date,
        )
        .join(
            employment,
            and_(employment.c.person_id == person.c.id, employment.c.company_id == at_company),
        )
        .where(
            person.c.org_id == org.id,
            person.c.company_id == target_id,
            person.c.archived_at.is_(None),
        )
    ).all()
    return list(rows)


def _overlaps(
    start: date | None, end: date | None, people: list[Any], size: int, today: date, *, exclude: int
) -> list[tuple[float, Any, float]]:
    """(likelihood, person, years overlapping) of the people whose tenure overlapped, likeliest
    first."""
    found = []
    for r in people:
        if r.id == exclude:
            continue
        years = likelihood.overlap_years(start, end, r.start_date, r.end_date, today)
        if years > 0:
            found.append((likelihood.colleague(size, years), r, years))
    found.sort(key=lambda x: -x[0])
    return found


# Built once: an alias's columns are worked out on first use, which costs more than the query.
_MY_SCHOOL = aliased(education, name="my_school")
_THEIR_SCHOOL = aliased(education, name="their_school")


def _former_colleague_rows(
    conn: Connection, org: Org, account: Account, members: dict[int, Any], today: date
) -> list[CompanyConnection]:
    """Members who worked elsewhere at the same time as people now at the company.

    Read from both ends by index and met in Python: the members' jobs, and the jobs of the
    people now there (a join through employment(org, company) reads every past employee of
    every company a member worked at: 46 ms on the demo's biggest account, 2 ms this way)."""
    mine = conn.execute(
        select(
            employment.c.id,
            employment.c.person_id,
            employment.c.company_id,
            employment.c.start_date,
            employment.c.end_date,
        ).where(
            employment.c.org_id == org.id,
            employment.c.person_id.in_(list(members)),
            employment.c.company_id != account.id,
        )
    ).all()
    if not mine:
        return []
    theirs: dict[int, list[Any]] = {}
    for r in conn.execute(
        select(
            employment.c.id,
            employment.c.person_id,
            employment.c.company_id,
            employment.c.start_date,
            employment.c.end_date,
        )
        .join(person, same_org(person, employment.c.person_id))
        .where(
            person.c.org_id == org.id,
            person.c.company_id == account.id,
            person.c.archived_at.is_(None),
            employment.c.org_id == org.id,
            # Only their jobs at the members' employers leave the database.
            employment.c.company_id.in_(sorted({m.company_id for m in mine})),
        )
    ):
        theirs.setdefault(r.company_id, []).append(r)
    there = {m.company_id for m in mine} & set(theirs)
    names = {
        r.id: r
        for r in conn.execute(
            select(company.c.id, company.c.name, company.c.size).where(
                company.c.org_id == org.id, company.c.id.in_(sorted(there))
            )
        )
    }
    rows = [
        _Overlap(
            m.person_id,
            m.start_date,
            m.end_date,
            t.person_id,
            t.start_date,
            t.end_date,
            names[m.company_id].name,
            names[m.company_id].size,
        )
        for m in sorted(mine, key=lambda m: (m.person_id, m.id))
        if m.company_id in names
        for t in sorted(theirs[m.company_id], key=lambda t: t.id)
        if t.person_id != m.person_id
    ]
    return _group_implicit(
        conn,
        org,
        rows,
        members,
        today,
        "colleague-former-employer",
        lambda r, years: likelihood.colleague(r.size or 1000, years),
        lambda r: f"at {r.company_name}",
    )


@dataclass(frozen=True)
class _Overlap:
    """A member's job and a job of someone now at the company, at the same employer."""

    member_person: int
    m_start: date | None
    m_end: date | None
    person_id: int
    start_date: date | None
    end_date: date | None
    company_name: str
    size: int | None


def _school_rows(
    conn: Connection, org: Org, account: Account, members: dict[int, Any], today: date
) -> list[CompanyConnection]:
    """Members who studied at the same school, in overlapping years, as people now there."""
    mine, theirs = _MY_SCHOOL, _THEIR_SCHOOL
    rows = conn.execute(
        select(
            mine.c.person_id.label("member_person"),
            mine.c.school.label("company_name"),
            mine.c.start_date.label("m_start"),
            mine.c.end_date.label("m_end"),
            theirs.c.person_id,
            theirs.c.start_date,
            theirs.c.end_date,
        )
        .join(
            theirs,
            and_(
                theirs.c.org_id == mine.c.org_id,
                theirs.c.school_key == mine.c.school_key,
                theirs.c.person_id != mine.c.person_id,
            ),
        )
        .join(person, same_org(person, theirs.c.person_id))
        .where(
            mine.c.org_id == org.id,
            mine.c.person_id.in_(list(members)),
            person.c.company_id == account.id,
            person.c.archived_at.is_(None),
        )
    ).all()
    return _group_implicit(
        conn,
        org,
        rows,
        members,
        today,
        "school",
        lambda r, years: likelihood.schoolmate(years),
        lambda r: f"at {r.company_name}",
    )


def _group_implicit(
    conn: Connection,
    org: Org,
    rows: Sequence[Any],
    members: dict[int, Any],
    today: date,
    kind: str,
    chance: Callable[[Any, float], float],
    where: Callable[[Any], str],
) -> list[CompanyConnection]:
    """One connection per member: the likelihood of knowing at least one of the people."""
    by_member: dict[int, list[tuple[float, Any, float]]] = {}
    for r in rows:
        years = likelihood.overlap_years(r.m_start, r.m_end, r.start_date, r.end_date, today)
        if years > 0:
            by_member.setdefault(r.member_person, []).append((chance(r, years), r, years))
    bests = {m: _best_per_person(found) for m, found in by_member.items()}
    # Only the people shown are read (a big account's hundreds of overlaps are not).
    people = people_by_id(
        conn,
        org,
        {r.person_id for best in bests.values() for _, r, _ in list(best.values())[:VIA_SHOWN]},
    )
    result = []
    for member_person, best in bests.items():
        values = [v for v, _, _ in best.values()]
        value = likelihood.any_of(values)
        via = tuple(
            Via(
                people[r.person_id].email,
                people[r.person_id].name,
                people[r.person_id].title,
                f"{where(r)} together {likelihood.span(r.start_date, r.end_date)}, "
                f"{years:.1f} years overlapping",
            )
            for _, r, years in list(best.values())[:VIA_SHOWN]
        )
        m = members[member_person]
        top = next(iter(best.values()))[1]
        reason = (
            f"{where(top)} {likelihood.span(top.m_start, top.m_end)} with "
            f"{len(best)} of its people now"
        )
        result.append(
            CompanyConnection(
                m.email, m.name, kind, round(100 * value), likelihood.certainty(value), reason, via
            )
        )
    return result


def _best_per_person(found: list[tuple[float, Any, float]]) -> dict[int, tuple[float, Any, float]]:
    """Each person's likeliest overlap with the member, likeliest first."""
    found.sort(key=lambda x: -x[0])
    best: dict[int, tuple[float, Any, float]] = {}
    for item in found:
        best.setdefault(item[1].person_id, item)
    return best
