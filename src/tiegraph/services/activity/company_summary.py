"""The accounts' read model: each member's strongest tie at each company (`company_knower`) and
each company's people known through shared ties (`company_coverage`), refreshed for the
companies whose inputs changed, in the transaction that changed them (through
services/activity/summaries.py `refresh`, which unites what a write changed).

Inputs: ties (score, company, explicit, last touch), members' pace factors, persons' archiving,
members' activity sharing and archiving. `company_knower` holds every member's rows (who may
see one is decided when it is read: services/org/sharing.py `ties_visible`), so sharing and
leaving change only `company_coverage`. A refresh deletes and rebuilds the companies' rows
from the ties: run twice, or after a crash rolled back a first run, it leaves the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal, or_, select

from tiegraph.core.strength import DEFAULT_PARAMS
from tiegraph.services.activity.shown import shown_sql, shown_strength_sql
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import company_coverage, company_knower, member, person, tie

Companies = Iterable[int | None] | None  # None: every company of the organization


def refresh_companies(conn: Connection, org: Org, company_ids: Companies = None) -> None:
    """Rebuild both tables' rows of these companies (all of the organization's with None)."""
    if company_ids is None:
        _refresh(conn, org, None)
        return
    ids = sorted({c for c in company_ids if c is not None})
    for start in range(0, len(ids), IN_CHUNK):
        _refresh(conn, org, ids[start : start + IN_CHUNK])


def companies_of_persons(conn: Connection, org: Org, person_ids: Iterable[int]) -> set[int]:
    """The companies these persons' ties are at now (to refresh before and after they move)."""
    return _companies_of(conn, org, tie.c.person_id, person_ids)


def _companies_of(
    conn: Connection, org: Org, column: ColumnElement[int], values: Iterable[int]
) -> set[int]:
    """The companies of the ties whose `column` is one of `values`, read in chunks."""
    ids = sorted(set(values))
    found: set[int] = set()
    for start in range(0, len(ids), IN_CHUNK):
        found.update(
            conn.execute(
                select(tie.c.company_id)
                .where(
                    tie.c.org_id == org.id,
                    column.in_(ids[start : start + IN_CHUNK]),
                    tie.c.company_id.is_not(None),
                )
                .distinct()
            ).scalars()
        )
    return found


def summaries_missing(conn: Connection, org: Org) -> bool:
    """Whether the organization has company ties but no summary yet (a store migrated to 0024
    and not rescored since)."""
    has_ties = conn.execute(
        select(tie.c.member_id)
        .where(tie.c.org_id == org.id, tie.c.company_id.is_not(None))
        .limit(1)
    ).first()
    if has_ties is None:
        return False
    summary = conn.execute(
        select(company_knower.c.member_id).where(company_knower.c.org_id == org.id).limit(1)
    ).first()
    return summary is None


def _refresh(conn: Connection, org: Org, ids: list[int] | None) -> None:
    for table in (company_knower, company_coverage):
        stale = table.delete().where(table.c.org_id == org.id)
        if ids is not None:
            stale = stale.where(table.c.company_id.in_(ids))
        conn.execute(stale)
    conn.execute(company_knower.insert().from_select(KNOWER_COLUMNS, _knowers(org, ids)))
    conn.execute(
        company_coverage.insert().from_select(
            ["org_id", "company_id", "strong", "known"], _coverage(org, ids)
        )
    )


KNOWER_COLUMNS = ["org_id", "company_id", "member_id", "people", "known", "person_id"]
KNOWER_COLUMNS += ["score", "strength"]


def _ties(org: Org, ids: list[int] | None) -> Any:
    """The ties at these companies of persons not archived, with their shown score."""
    query = (
        select(
            tie.c.company_id,
            tie.c.member_id,
            tie.c.person_id,
            shown_sql().label("score"),
            shown_strength_sql().label("strength"),
        )
        .join(member, and_(member.c.org_id == tie.c.org_id, member.c.id == tie.c.member_id))
        .join(person, and_(person.c.org_id == tie.c.org_id, person.c.id == tie.c.person_id))
        .where(
            tie.c.org_id == org.id, tie.c.company_id.is_not(None), person.c.archived_at.is_(None)
        )
    )
    return query if ids is None else query.where(tie.c.company_id.in_(ids))


def _knowers(org: Org, ids: list[int] | None) -> Any:
    """Per company and member: the ties that have something to show (a score, a touch or a
    contact: services/insights/account_knowers.py), how many, and the strongest."""
    shown = shown_sql()
    ties = (
        _ties(org, ids)
        .where(or_(shown > 0, tie.c.last_at.is_not(None), tie.c.explicit.is_(True)))
        .subquery("ties")
    )
    pair = (ties.c.company_id, ties.c.member_id)
    ranked = select(
        ties,
        func.row_number()
        .over(
            partition_by=pair,
            order_by=(ties.c.score.desc(), ties.c.strength.desc(), ties.c.person_id),
        )
        .label("rank"),
        func.count().over(partition_by=pair).label("people"),
        func.sum(case((ties.c.score > 0, 1), else_=0)).over(partition_by=pair).label("known"),
    ).subquery("ranked")
    return select(
        literal(org.id, company_knower.c.org_id.type),
        ranked.c.company_id,
        ranked.c.member_id,
        ranked.c.people,
        ranked.c.known,
        ranked.c.person_id,
        ranked.c.score,
        ranked.c.strength,
    ).where(ranked.c.rank == 1)


def _coverage(org: Org, ids: list[int] | None) -> Any:
    """Per company: its people known strongly and at all through shared ties."""
    shown = shown_sql()
    ties = (
        _ties(org, ids)
        .where(member.c.archived_at.is_(None), member.c.activity_sharing.is_(True), shown > 0)
        .subquery("shared")
    )
    strong = case((ties.c.score >= DEFAULT_PARAMS.strong_at, ties.c.person_id))
    return select(
        literal(org.id, company_coverage.c.org_id.type),
        ties.c.company_id,
        func.count(func.distinct(strong)),
        func.count(func.distinct(ties.c.person_id)),
    ).group_by(ties.c.company_id)
