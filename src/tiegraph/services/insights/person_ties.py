"""What a viewer may see of the organization's ties to each person, as gallery columns: the
strongest colleague, that tie's score and label, the last contact, how many colleagues know them.

Only ties the viewer may see count (services/org/sharing.py `ties_visible`): their own, and
those of colleagues who share their activity; a leaver's never. A tie counts as knowing when
its shown score (services/activity/tie_scores.py `shown_sql`) is above 0. Every number here is
read from stored scores in SQL, never refolded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from tiegraph.core.strength import label_of
from tiegraph.core.strength_params import DEFAULT_PARAMS
from tiegraph.services.activity.tie_scores import shown_sql, shown_strength_sql
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, tie

STRENGTHS = ("strong", "good", "known")  # filters: at least strong, at least good, known at all


@dataclass(frozen=True)
class PersonTies:
    """The viewer's view of one person's ties (None fields: nobody the viewer sees knows them)."""

    colleague_email: str | None = None
    colleague_name: str | None = None
    score: int | None = None
    label: str | None = None
    last_contact: datetime | None = None
    knowers: int = 0


def _visible_ties(org: Org, viewer: Member | None) -> Any:
    """Visible ties with their shown score, above 0."""
    score = shown_sql()
    return (
        select(
            tie.c.person_id,
            tie.c.last_at,
            score.label("score"),
            shown_strength_sql().label("strength"),
            member.c.email,
            member.c.name,
        )
        .join(member, same_org(member, tie.c.member_id))
        .where(tie.c.org_id == org.id, ties_visible(viewer), score > 0)
    )


def known_at_least(
    org: Org, viewer: Member | None, person_id: Any, strength: str
) -> ColumnElement[bool]:
    """A condition: a visible tie to `person_id` (a column of the enclosing query) is at least
    `strength` (STRENGTHS; known: any). The persons are found in one pass over the ties'
    index, not a lookup per row nor a count of all ties per person."""
    floor = {"strong": DEFAULT_PARAMS.strong_at, "good": DEFAULT_PARAMS.good_at}.get(strength, 1)
    ties = _visible_ties(org, viewer).where(shown_sql() >= floor)
    found: ColumnElement[bool] = person_id.in_(ties.with_only_columns(tie.c.person_id))
    return found


def summary(org: Org, viewer: Member | None) -> Any:
    """Per person: knowers, best score and last contact over the visible ties (a subquery to
    sort and filter a whole gallery by)."""
    ties = _visible_ties(org, viewer).subquery("visible_ties")
    return (
        select(
            ties.c.person_id,
            func.count().label("knowers"),
            func.max(ties.c.score).label("score"),
            func.max(ties.c.last_at).label("last_contact"),
        )
        .group_by(ties.c.person_id)
        .subquery("person_ties")
    )


def ties_of(
    conn: Connection, org: Org, viewer: Member | None, person_ids: Sequence[int]
) -> dict[int, PersonTies]:
    """The columns of these persons (one page of a gallery): only their ties are read."""
    found: dict[int, PersonTies] = {}
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), IN_CHUNK):
        query = _visible_ties(org, viewer).where(tie.c.person_id.in_(ids[start : start + IN_CHUNK]))
        best: dict[int, Any] = {}
        counts: dict[int, int] = {}
        last: dict[int, datetime] = {}
        for r in conn.execute(query):
            counts[r.person_id] = counts.get(r.person_id, 0) + 1
            if r.last_at is not None:
                at = r.last_at if r.last_at.tzinfo else r.last_at.replace(tzinfo=UTC)
                last[r.person_id] = max(last.get(r.person_id, at), at)
            held = best.get(r.person_id)
            if held is None or (r.score, r.strength, held.name) > (
                held.score,
                held.strength,
                r.name,
            ):
                best[r.person_id] = r
        for pid, r in best.items():
            found[pid] = PersonTies(
                r.email, r.name, int(r.score), label_of(int(r.score)), last.get(pid), counts[pid]
            )
    return found
