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

from sqlalchemy import Connection, case, func, select

from tiegraph.core.strength import label_of
from tiegraph.core.strength_params import DEFAULT_PARAMS
from tiegraph.services.activity.tie_scores import shown_sql, shown_strength_sql
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store.bulk import IN_CHUNK
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
        .join(member, member.c.id == tie.c.member_id)
        .join(person, person.c.id == tie.c.person_id)
        .where(
            tie.c.org_id == org.id,
            tie.c.company_id.is_not(None),
            person.c.archived_at.is_(None),
            ties_visible(viewer),
            score > 0,
        )
    )


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
    """The coverage of these accounts (one page of the list): only their ties are read."""
    found: dict[int, Coverage] = {}
    ids = sorted(set(company_ids))
    for start in range(0, len(ids), IN_CHUNK):
        query = _visible_ties(org, viewer).where(
            tie.c.company_id.in_(ids[start : start + IN_CHUNK])
        )
        strong: dict[int, set[int]] = {}
        known: dict[int, set[int]] = {}
        best: dict[int, Any] = {}
        for r in conn.execute(query):
            known.setdefault(r.company_id, set()).add(r.person_id)
            if r.score >= DEFAULT_PARAMS.strong_at:
                strong.setdefault(r.company_id, set()).add(r.person_id)
            held = best.get(r.company_id)
            if held is None or (r.score, r.strength, held.name) > (
                held.score,
                held.strength,
                r.name,
            ):
                best[r.company_id] = r
        for cid, r in best.items():
            found[cid] = Coverage(
                len(strong.get(cid, ())),
                len(known[cid]),
                r.email,
                r.name,
                int(r.score),
                label_of(int(r.score)),
            )
    return found
