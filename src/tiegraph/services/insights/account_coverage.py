"""How well the organization covers each account, as the viewer may see it: how many of its
people colleagues know strongly and at all, and its best connector (the colleague holding the
strongest tie there).

Read from stored scores through tie(org, company, ...) (the tie keeps its person's current
employer) and only over ties the viewer may see (services/org/sharing.py `ties_visible`): an
unshared tie adds to no count and names no connector for anyone but its member.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, select

from tiegraph.core.strength import label_of
from tiegraph.core.strength_params import DEFAULT_PARAMS
from tiegraph.services.activity.tie_scores import shown_sql, shown_strength_sql
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, person, tie


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


def covered_by(org: Org, viewer: Member | None, company_id: Any) -> ColumnElement[bool]:
    """A condition: some colleague the viewer may see knows someone at `company_id` (a
    column of the enclosing query): the companies found in one pass over the ties' index."""
    ties = _visible_ties(org, viewer).with_only_columns(tie.c.company_id)
    found: ColumnElement[bool] = company_id.in_(ties)
    return found


def coverage_summary(org: Org, viewer: Member | None) -> Any:
    """Per company: people known strongly and at all (a subquery to sort accounts by)."""
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
    """The coverage of these accounts (one page of the list): only their ties are read, and
    counted and ranked in SQL."""
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
