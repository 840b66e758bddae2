"""How well the organization covers each account, as the viewer may see it: how many of its
people colleagues know strongly and at all, and its best connector (the colleague holding the
strongest tie there).

Only over ties the viewer may see (services/org/sharing.py `ties_visible`): an unshared tie adds
to no count and names no connector for anyone but its member. A member's view reads the stored
summary (services/activity/company_summary.py): the counts through shared ties, to which a
viewer not sharing their activity adds their own ties' people (one member's rows), and the best
connector among the stored strongest tie of each member the viewer may see. The operator's
view (`viewer=None`, unshared ties included) and the sort of a viewer not sharing are counted
from the ties (`_visible_ties`), as the summary is checked against in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, or_, select

from tiegraph.core.strength import label_of
from tiegraph.core.strength_params import DEFAULT_PARAMS
from tiegraph.services.activity.tie_scores import shown_sql, shown_strength_sql
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company_coverage, company_knower, member, person, tie


@dataclass(frozen=True)
class Coverage:
    """An account's coverage: people known strongly, people known at all, the best connector."""

    strong: int = 0
    known: int = 0
    member_email: str | None = None
    member_name: str | None = None
    score: int | None = None
    label: str | None = None


def _visible_ties(org: Org, viewer: Member | None) -> Any:
    """The visible ties of current people of any account, with their shown score, above 0."""
    score = shown_sql()
    return (
        select(
            tie.c.company_id,
            tie.c.person_id,
            score.label("score"),
            shown_strength_sql().label("strength"),
            member.c.email,
            member.c.name,
        )
        .join(member, same_org(member, tie.c.member_id))
        .join(person, same_org(person, tie.c.person_id))
        .where(
            tie.c.org_id == org.id,
            tie.c.company_id.is_not(None),
            person.c.archived_at.is_(None),
            ties_visible(viewer),
            score > 0,
        )
    )


def _stored(viewer: Member | None) -> bool:
    """Whether the viewer's view is the stored summary's alone: a member sharing activity."""
    return viewer is not None and viewer.activity_sharing


def covered_by(org: Org, viewer: Member | None, company_id: Any) -> ColumnElement[bool]:
    """A condition: some colleague the viewer may see knows someone at `company_id` (a
    column of the enclosing query)."""
    if viewer is None:
        ties = _visible_ties(org, viewer).with_only_columns(tie.c.company_id)
        live: ColumnElement[bool] = company_id.in_(ties)
        return live
    shared = select(company_coverage.c.company_id).where(company_coverage.c.org_id == org.id)
    if viewer.activity_sharing:
        found: ColumnElement[bool] = company_id.in_(shared)
        return found
    own = _own_ties(org, viewer).with_only_columns(tie.c.company_id)
    return or_(company_id.in_(shared), company_id.in_(own))


def coverage_summary(org: Org, viewer: Member | None) -> Any:
    """Per company: people known strongly and at all (a subquery to sort accounts by)."""
    if _stored(viewer):
        return (
            select(company_coverage).where(company_coverage.c.org_id == org.id).subquery("coverage")
        )
    ties = _visible_ties(org, viewer).subquery("visible_ties")
    strong = case((ties.c.score >= DEFAULT_PARAMS.strong_at, ties.c.person_id))
    return (
        select(
            ties.c.company_id,
            func.count(func.distinct(strong)).label("strong"),
            func.count(func.distinct(ties.c.person_id)).label("known"),
        )
        .group_by(ties.c.company_id)
        .subquery("coverage")
    )


def coverage_of(
    conn: Connection, org: Org, viewer: Member | None, company_ids: Sequence[int]
) -> dict[int, Coverage]:
    """The coverage of these accounts (one page of the list), as the viewer may see it."""
    if viewer is None:
        return _counted(conn, org, viewer, company_ids)
    ids = sorted(set(company_ids))
    found: dict[int, Coverage] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        counts = {
            r.company_id: [r.strong, r.known]
            for r in conn.execute(
                select(company_coverage).where(
                    company_coverage.c.org_id == org.id, company_coverage.c.company_id.in_(chunk)
                )
            )
        }
        if not viewer.activity_sharing:
            for company_id, (strong, known) in _own_extra(conn, org, viewer, chunk).items():
                held = counts.setdefault(company_id, [0, 0])
                held[0], held[1] = held[0] + strong, held[1] + known
        for r in _best_connectors(conn, org, viewer, chunk):
            strong, known = counts.get(r.company_id, (0, 0))
            found[r.company_id] = Coverage(
                strong, known, r.email, r.name, int(r.score), label_of(int(r.score))
            )
    return found


def _best_connectors(
    conn: Connection, org: Org, viewer: Member, company_ids: list[int]
) -> list[Any]:
    """Per company, the visible member whose strongest tie there is the strongest."""
    rank = func.row_number().over(
        partition_by=company_knower.c.company_id,
        order_by=(company_knower.c.score.desc(), company_knower.c.strength.desc(), member.c.name),
    )
    ranked = (
        select(
            company_knower.c.company_id,
            company_knower.c.score,
            member.c.email,
            member.c.name,
            rank.label("rank"),
        )
        .join(member, member.c.id == company_knower.c.member_id)
        .where(
            company_knower.c.org_id == org.id,
            company_knower.c.company_id.in_(company_ids),
            company_knower.c.score > 0,
            ties_visible(viewer),
        )
        .subquery("ranked")
    )
    return list(conn.execute(select(ranked).where(ranked.c.rank == 1)))


def _own_ties(org: Org, viewer: Member) -> Any:
    """The viewer's own ties at accounts with a shown score above 0 (one member's rows)."""
    return _visible_ties(org, viewer).where(tie.c.member_id == viewer.id)


def _own_extra(
    conn: Connection, org: Org, viewer: Member, company_ids: list[int]
) -> dict[int, tuple[int, int]]:
    """What a viewer not sharing activity adds to the shared counts: people they know whom no
    shared tie knows (at all, or strongly for the strong count)."""
    own = conn.execute(_own_ties(org, viewer).where(tie.c.company_id.in_(company_ids))).all()
    if not own:
        return {}
    shared: dict[tuple[int, int], int] = {}
    persons = sorted({r.person_id for r in own})
    score = shown_sql()
    for start in range(0, len(persons), IN_CHUNK):
        rows = conn.execute(
            select(tie.c.company_id, tie.c.person_id, func.max(score).label("score"))
            .join(member, member.c.id == tie.c.member_id)
            .where(
                tie.c.org_id == org.id,
                tie.c.person_id.in_(persons[start : start + IN_CHUNK]),
                member.c.archived_at.is_(None),
                member.c.activity_sharing.is_(True),
            )
            .group_by(tie.c.company_id, tie.c.person_id)
        )
        shared.update({(r.company_id, r.person_id): int(r.score) for r in rows})
    extra: dict[int, tuple[int, int]] = {}
    strong_at = DEFAULT_PARAMS.strong_at
    for r in own:
        best = shared.get((r.company_id, r.person_id), 0)
        strong, known = extra.get(r.company_id, (0, 0))
        extra[r.company_id] = (
            strong + (r.score >= strong_at and best < strong_at),
            known + (best <= 0),
        )
    return extra


def _counted(
    conn: Connection, org: Org, viewer: Member | None, company_ids: Sequence[int]
) -> dict[int, Coverage]:
    """The coverage of these accounts counted and ranked from their ties in SQL (the
    operator's view, and what the stored summary must equal)."""
    found: dict[int, Coverage] = {}
    ids = sorted(set(company_ids))
    for start in range(0, len(ids), IN_CHUNK):
        ties = (
            _visible_ties(org, viewer)
            .where(tie.c.company_id.in_(ids[start : start + IN_CHUNK]))
            .subquery("visible_ties")
        )
        strong = case((ties.c.score >= DEFAULT_PARAMS.strong_at, ties.c.person_id))
        counts = {
            r.company_id: (r.strong, r.known)
            for r in conn.execute(
                select(
                    ties.c.company_id,
                    func.count(func.distinct(strong)).label("strong"),
                    func.count(func.distinct(ties.c.person_id)).label("known"),
                ).group_by(ties.c.company_id)
            )
        }
        rank = (
            func.row_number()
            .over(
                partition_by=ties.c.company_id,
                order_by=(ties.c.score.desc(), ties.c.strength.desc(), ties.c.name),
            )
            .label("rank")
        )
        ranked = select(ties, rank).subquery("ranked")
        for r in conn.execute(select(ranked).where(ranked.c.rank == 1)):
            strong_count, known = counts[r.company_id]
            found[r.company_id] = Coverage(
                strong_count, known, r.email, r.name, int(r.score), label_of(int(r.score))
            )
    return found
