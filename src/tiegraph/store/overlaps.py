"""The implicit company connections' read model: tenures that overlapped, kept with the histories.

company_overlap (store/schema.py) holds, per account, the pairs of a member's job or school and
someone now at the account's job or school that could have overlapped: both started, and each
ended (if at all) after the later start. How many years they did overlap, and so how likely
they met, depends on today while a tenure is open: services/insights/connections.py works it out
when read. The writers of the inputs — directory imports (histories, current employers), a
person archived or restored, a member added — call `refresh_overlaps` for the persons they
changed, in their transaction: every pair with such a person on either side is made again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    case,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import company, company_overlap, education, employment, member, person

KINDS = ("tenure", "coworker", "colleague", "school")
_COLUMNS = [c.name for c in company_overlap.columns]
Scope = tuple[Sequence[int], bool] | None  # persons, and whether they are the member side

_MINE = aliased(employment, name="mine")
_THEIRS = aliased(employment, name="theirs")
_MY_SCHOOL = aliased(education, name="my_school")
_THEIR_SCHOOL = aliased(education, name="their_school")


def refresh_overlaps(conn: Connection, org_id: int, person_ids: Iterable[int]) -> None:
    """Make again every pair with one of these persons on either side (their histories, their
    current employer, whether they are archived or a member may have changed)."""
    ids = sorted(set(person_ids))
    # Every pair has a member's side: before any member is linked to a person (a first
    # directory import) there is none to make, and SQLite, finding no member, would otherwise
    # pair every job of the organization with every other at its employer to find that out.
    no_members = conn.execute(_member_persons(org_id).limit(1)).first() is None
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        conn.execute(
            company_overlap.delete().where(
                company_overlap.c.org_id == org_id,
                or_(
                    company_overlap.c.member_person_id.in_(chunk),
                    company_overlap.c.person_id.in_(chunk),
                ),
            )
        )
        if no_members:
            continue
        # The member side and the other side apart: each is read from its own index.
        for query in _pairs(org_id, (chunk, True)) + _pairs(org_id, (chunk, False)):
            conn.execute(company_overlap.insert().from_select(_COLUMNS, query))


def rebuild_overlaps(conn: Connection, org_id: int) -> None:
    """The whole read model of the organization made again (the full recompute; migration
    0029 fills the table with it)."""
    conn.execute(company_overlap.delete().where(company_overlap.c.org_id == org_id))
    for query in _pairs(org_id, None):
        conn.execute(company_overlap.insert().from_select(_COLUMNS, query))


def account_overlaps(
    conn: Connection, org_id: int, company_id: int, kinds: Iterable[str], today: date
) -> list[Row[Any]]:
    """The account's stored pairs of these kinds, with the employer's name and size where
    they met, in the order the connections are built. Coworkers only beside a member's job
    there that has ended by `today` (a member there now is known to work there)."""
    co = company_overlap
    return list(
        conn.execute(
            select(
                co.c.kind,
                co.c.member_row,
                co.c.member_person_id,
                co.c.person_id,
                co.c.place,
                co.c.m_start,
                co.c.m_end,
                co.c.p_start,
                co.c.p_end,
                company.c.name.label("place_name"),
                company.c.size.label("place_size"),
            )
            .outerjoin(
                company, and_(company.c.org_id == co.c.org_id, company.c.id == co.c.place_id)
            )
            .where(
                co.c.org_id == org_id,
                co.c.company_id == company_id,
                co.c.kind.in_(kinds),
                or_(co.c.kind != "coworker", co.c.m_end < today),
            )
            .order_by(co.c.kind, co.c.member_person_id, *_READ_ORDER)
        )
    )


# The order the connections were built in before they were stored (equal likelihoods keep
# it): a member's jobs elsewhere one by one; the people now at the account by id otherwise.
_READ_ORDER = (
    case((company_overlap.c.kind == "colleague", company_overlap.c.member_row), else_=0),
    case(
        (company_overlap.c.kind.in_(("coworker", "school")), company_overlap.c.person_id), else_=0
    ),
    company_overlap.c.person_row,
    company_overlap.c.member_row,
)


def _member_persons(org_id: int) -> Select[Any]:
    """Every person a member row points at; who is an active member is decided when read."""
    return select(member.c.person_id).where(
        member.c.org_id == org_id, member.c.person_id.is_not(None)
    )


def _can_overlap(mine: Any, theirs: Any) -> ColumnElement[bool]:
    later = case(
        (mine.c.start_date > theirs.c.start_date, mine.c.start_date), else_=theirs.c.start_date
    )
    return and_(
        mine.c.start_date.is_not(None),
        theirs.c.start_date.is_not(None),
        or_(mine.c.end_date.is_(None), mine.c.end_date > later),
        or_(theirs.c.end_date.is_(None), theirs.c.end_date > later),
    )


def _scoped(mine: Any, theirs: Any, scope: Scope) -> ColumnElement[bool]:
    if scope is None:
        return true()
    ids, member_side = scope
    if member_side:
        return and_(mine.c.person_id.in_(ids))
    # Pairs with both sides in scope are the member side's.
    return and_(theirs.c.person_id.in_(ids), mine.c.person_id.not_in(ids))


def _pairs(org_id: int, scope: Scope) -> list[Select[Any]]:
    """The four kinds' rows, each a SELECT in company_overlap's column order."""
    selects = [_coworkers(org_id, scope), _colleagues(org_id, scope), _schoolmates(org_id, scope)]
    if scope is None or scope[1]:
        selects.insert(0, _tenures(org_id, scope))
    return selects


def _tenures(org_id: int, scope: Scope) -> Select[Any]:
    e = _MINE
    return select(
        e.c.org_id,
        e.c.company_id,
        literal("tenure"),
        e.c.id,
        e.c.id,
        e.c.person_id,
        e.c.person_id,
        e.c.company_id,
        literal(""),
        e.c.start_date,
        e.c.end_date,
        e.c.start_date,
        e.c.end_date,
    ).where(e.c.org_id == org_id, e.c.person_id.in_(_member_persons(org_id)), _scoped(e, e, scope))


def _beside(
    columns: list[Any], mine: Any, theirs: Any, same: str, org_id: int, scope: Scope
) -> Select[Any]:
    """`columns` of each member's row of `mine` beside a row of `theirs` with the same `same`
    (employer, school) of someone else, not archived, whose times could have overlapped."""
    return (
        select(*columns)
        .select_from(mine)
        .join(
            theirs,
            and_(
                theirs.c.org_id == mine.c.org_id,
                theirs.c[same] == mine.c[same],
                theirs.c.person_id != mine.c.person_id,
            ),
        )
        .join(
            person,
            and_(
                person.c.org_id == theirs.c.org_id,
                person.c.id == theirs.c.person_id,
                person.c.archived_at.is_(None),
            ),
        )
        .where(
            mine.c.org_id == org_id,
            mine.c.person_id.in_(_member_persons(org_id)),
            _can_overlap(mine, theirs),
            _scoped(mine, theirs, scope),
        )
    )


def _job_pairs(org_id: int, scope: Scope, kind: str, account: Any) -> Select[Any]:
    mine, theirs = _MINE, _THEIRS
    columns = [
        mine.c.org_id,
        account,
        literal(kind),
        mine.c.id,
        theirs.c.id,
        mine.c.person_id,
        theirs.c.person_id,
        mine.c.company_id,
        literal(""),
        mine.c.start_date,
        mine.c.end_date,
        theirs.c.start_date,
        theirs.c.end_date,
    ]
    return _beside(columns, mine, theirs, "company_id", org_id, scope)


def _coworkers(org_id: int, scope: Scope) -> Select[Any]:
    """A member's job at the account beside a job there of someone who is there now."""
    query = _job_pairs(org_id, scope, "coworker", _MINE.c.company_id)
    return query.where(person.c.company_id == _MINE.c.company_id)


def _colleagues(org_id: int, scope: Scope) -> Select[Any]:
    """A member's job elsewhere beside a job there of someone now at the account."""
    query = _job_pairs(org_id, scope, "colleague", person.c.company_id)
    return query.where(person.c.company_id.is_not(None), person.c.company_id != _MINE.c.company_id)


def _schoolmates(org_id: int, scope: Scope) -> Select[Any]:
    mine, theirs = _MY_SCHOOL, _THEIR_SCHOOL
    columns = [
        mine.c.org_id,
        person.c.company_id,
        literal("school"),
        mine.c.id,
        theirs.c.id,
        mine.c.person_id,
        theirs.c.person_id,
        null(),
        mine.c.school,
        mine.c.start_date,
        mine.c.end_date,
        theirs.c.start_date,
        theirs.c.end_date,
    ]
    query = _beside(columns, mine, theirs, "school_key", org_id, scope)
    return query.where(person.c.company_id.is_not(None))
