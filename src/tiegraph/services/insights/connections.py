"""Company connections: everyone in the organization connected to a company, and how.

Personal connections are ties (and, for the viewer alone, their private contacts there).
Implicit ones come from the directory's histories: the member works or worked there, worked
elsewhere at the same time as people now there, or studied with them in overlapping years;
they carry a likelihood (core/likelihood.py) and are never shown as certain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core import likelihood
from tiegraph.errors import InvalidInputError
from tiegraph.services.directory.accounts import Account, find_account
from tiegraph.services.insights.connection_rows import (
    VIA_SHOWN,
    CompanyConnection,
    Via,
    people_by_id,
    personal_rows,
    private_contact_rows,
)
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.overlaps import account_overlaps
from tiegraph.store.schema import member

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
    name_or_domain: str | int | Account,
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
        rows += _implicit_rows(conn, org, account, members, wanted, today)
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


def _implicit_rows(
    conn: Connection,
    org: Org,
    account: Account,
    members: dict[int, Any],
    wanted: set[str],
    today: date,
) -> list[CompanyConnection]:
    """The implicit connections of these kinds, from the stored overlapping tenures
    (store/overlaps.py): the years and likelihoods are today's."""
    kinds = set()
    if wanted & {"employer", "former-employer"}:
        kinds |= {"tenure", "coworker"}
    if "colleague-former-employer" in wanted:
        kinds.add("colleague")
    if "school" in wanted:
        kinds.add("school")
    if not kinds:
        return []
    by_kind: dict[str, list[Any]] = {}
    for r in account_overlaps(conn, org.id, account.id, sorted(kinds), today):
        if r.member_person_id in members:
            by_kind.setdefault(r.kind, []).append(r)
    rows: list[Unnamed] = []
    if by_kind.get("tenure"):
        employer = _employer_rows(account, members, by_kind, today)
        rows += [r for r in employer if r[0].kind in wanted]
    if "colleague-former-employer" in wanted:
        rows += _group_implicit(
            [_overlap(r, r.place_name or "", r.place_size) for r in by_kind.get("colleague", [])],
            members,
            today,
            "colleague-former-employer",
            lambda r, years: likelihood.colleague(r.size or 1000, years),
            lambda r: f"at {r.company_name}",
        )
    if "school" in wanted:
        rows += _group_implicit(
            [_overlap(r, r.place, None) for r in by_kind.get("school", [])],
            members,
            today,
            "school",
            lambda r, years: likelihood.schoolmate(years),
            lambda r: f"at {r.company_name}",
        )
    return _named(conn, org, rows)


# A connection whose people are not named yet, and the ids of those people (its `via`, in
# order): every kind's people are read at once.
Unnamed = tuple[CompanyConnection, tuple[int, ...]]


def _named(conn: Connection, org: Org, rows: list[Unnamed]) -> list[CompanyConnection]:
    people = people_by_id(conn, org, {p for _, ids in rows for p in ids})
    return [
        replace(
            c,
            via=tuple(
                replace(v, email=people[p].email, name=people[p].name, title=people[p].title)
                for v, p in zip(c.via, ids, strict=True)
            ),
        )
        for c, ids in rows
    ]


def _unnamed(detail: str) -> Via:
    return Via("", "", "", detail)


def _employer_rows(
    account: Account,
    members: dict[int, Any],
    by_kind: dict[str, list[Any]],
    today: date,
) -> list[Unnamed]:
    """Members who work or worked at the company, with the people there who overlapped."""
    coworkers: dict[int, list[Any]] = {}
    for r in by_kind.get("coworker", []):
        coworkers.setdefault(r.member_row, []).append(r)
    tenures = by_kind["tenure"]
    overlapping = {  # by tenure: a member may have worked there twice
        t.member_row: _overlaps(coworkers.get(t.member_row, []), account.headcount, today)
        for t in tenures
        if t.m_end is not None and t.m_end < today
    }
    rows: list[Unnamed] = []
    for t in tenures:
        m = members[t.member_person_id]
        when = likelihood.span(t.m_start, t.m_end)
        if t.m_end is None or t.m_end >= today:
            since = f" since {t.m_start.year}" if t.m_start else ""
            works = CompanyConnection(
                m.email, m.name, "employer", 100, "known", f"works at {account.name}{since}", ()
            )
            rows.append((works, ()))
            continue
        found = overlapping[t.member_row]
        value = likelihood.any_of([v for v, _, _ in found])
        reason = f"worked at {account.name} {when}".rstrip()
        if found:
            reason += f"; {len(found)} of its people now were there at the time"
        shown = found[:VIA_SHOWN]  # only the people shown are read, not everyone now there
        worked = CompanyConnection(
            m.email,
            m.name,
            "former-employer",
            round(100 * value),
            likelihood.certainty(value),
            reason,
            tuple(_unnamed(f"overlapped {y:.1f} years") for _, _, y in shown),
        )
        rows.append((worked, tuple(r.person_id for _, r, _ in shown)))
    return rows


def _overlaps(pairs: list[Any], size: int, today: date) -> list[tuple[float, Any, float]]:
    """(likelihood, pair, years overlapping) of the pairs whose tenures overlapped by today,
    likeliest first."""
    found = []
    for r in pairs:
        years = likelihood.overlap_years(r.m_start, r.m_end, r.p_start, r.p_end, today)
        if years > 0:
            found.append((likelihood.colleague(size, years), r, years))
    found.sort(key=lambda x: -x[0])
    return found


@dataclass(frozen=True)
class _Overlap:
    """A member's job or school and one of someone now at the company, at the same place."""

    member_person: int
    m_start: date | None
    m_end: date | None
    person_id: int
    start_date: date | None
    end_date: date | None
    company_name: str
    size: int | None


def _overlap(r: Any, place: str, size: int | None) -> _Overlap:
    return _Overlap(
        r.member_person_id, r.m_start, r.m_end, r.person_id, r.p_start, r.p_end, place, size
    )


def _group_implicit(
    rows: Sequence[Any],
    members: dict[int, Any],
    today: date,
    kind: str,
    chance: Callable[[Any, float], float],
    where: Callable[[Any], str],
) -> list[Unnamed]:
    """One connection per member: the likelihood of knowing at least one of the people."""
    by_member: dict[int, list[tuple[float, Any, float]]] = {}
    for r in rows:
        years = likelihood.overlap_years(r.m_start, r.m_end, r.start_date, r.end_date, today)
        if years > 0:
            by_member.setdefault(r.member_person, []).append((chance(r, years), r, years))
    bests = {m: _best_per_person(found) for m, found in by_member.items()}
    result: list[Unnamed] = []
    for member_person, best in bests.items():
        values = [v for v, _, _ in best.values()]
        value = likelihood.any_of(values)
        # Only the people shown are read (a big account's hundreds of overlaps are not).
        shown = list(best.values())[:VIA_SHOWN]
        via = tuple(
            _unnamed(
                f"{where(r)} together {likelihood.span(r.start_date, r.end_date)}, "
                f"{years:.1f} years overlapping"
            )
            for _, r, years in shown
        )
        m = members[member_person]
        top = next(iter(best.values()))[1]
        reason = (
            f"{where(top)} {likelihood.span(top.m_start, top.m_end)} with "
            f"{len(best)} of its people now"
        )
        found = CompanyConnection(
            m.email, m.name, kind, round(100 * value), likelihood.certainty(value), reason, via
        )
        result.append((found, tuple(r.person_id for _, r, _ in shown)))
    return result


def _best_per_person(found: list[tuple[float, Any, float]]) -> dict[int, tuple[float, Any, float]]:
    """Each person's likeliest overlap with the member, likeliest first."""
    found.sort(key=lambda x: -x[0])
    best: dict[int, tuple[float, Any, float]] = {}
    for item in found:
        best.setdefault(item[1].person_id, item)
    return best
