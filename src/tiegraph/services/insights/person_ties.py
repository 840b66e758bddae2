"""What a viewer may see of the organization's ties to each person, as gallery columns: the
strongest colleague, that tie's score and label, the last contact, how many colleagues know them.

Only ties the viewer may see count (services/org/sharing.py `ties_visible`): their own, and
those of colleagues who share their activity; a leaver's never. A tie counts as knowing when
its shown score (services/activity/tie_scores.py `shown_sql`) is above 0. What every member
may see is stored per person (person_tie_summary, kept by services/activity/person_summary.py);
a viewer who does not share their activity has their own ties merged in here, from their own
rows only.
Without a viewer (the operator's view) every active member's ties are read as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, literal, or_, select, union_all

from tiegraph.core.strength import label_of
from tiegraph.core.strength_params import DEFAULT_PARAMS
from tiegraph.core.tie_summary import ScoredTie, Summary, stronger, summarize
from tiegraph.services.activity.tie_scores import shown_sql, shown_strength_sql
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, tie
from tiegraph.store.schema import person_tie_summary as summary_table

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
            tie.c.member_id,
            tie.c.last_at,
            score.label("score"),
            shown_strength_sql().label("strength"),
            member.c.email,
            member.c.name,
        )
        .join(member, same_org(member, tie.c.member_id))
        .where(tie.c.org_id == org.id, ties_visible(viewer), score > 0)
    )


def _own_unshared(viewer: Member | None) -> bool:
    """Whether the viewer sees ties of their own that the stored summary leaves out (they do
    not share their activity): those are merged in from their own rows."""
    return viewer is not None and not viewer.activity_sharing


def _own_ties(org: Org, viewer: Member) -> Any:
    return _visible_ties(org, viewer).where(tie.c.member_id == viewer.id)


def known_at_least(
    org: Org, viewer: Member | None, person_id: Any, strength: str
) -> ColumnElement[bool]:
    """A condition: a visible tie to `person_id` (a column of the enclosing query) is at least
    `strength` (STRENGTHS; known: any): the stored strongest score's index range, and the
    viewer's own unshared ties."""
    floor = {"strong": DEFAULT_PARAMS.strong_at, "good": DEFAULT_PARAMS.good_at}.get(strength, 1)
    if viewer is None:
        ties = _visible_ties(org, viewer).where(shown_sql() >= floor)
        return person_id.in_(ties.with_only_columns(tie.c.person_id))  # type: ignore[no-any-return]
    stored = select(summary_table.c.person_id).where(
        summary_table.c.org_id == org.id, summary_table.c.score >= floor
    )
    found: ColumnElement[bool] = person_id.in_(stored)
    if _own_unshared(viewer):
        own = _own_ties(org, viewer).where(shown_sql() >= floor)
        found = or_(found, person_id.in_(own.with_only_columns(tie.c.person_id)))
    return found


def summary(org: Org, viewer: Member | None) -> Any:
    """Per person: knowers, best score and last contact over the visible ties (a subquery to
    sort a whole gallery by)."""
    if viewer is None:
        ties = _visible_ties(org, viewer).subquery("visible_ties")
        knowers: Any = func.count()
    else:
        stored = select(
            summary_table.c.person_id,
            summary_table.c.knowers,
            summary_table.c.score,
            summary_table.c.last_at,
        ).where(summary_table.c.org_id == org.id)
        if not _own_unshared(viewer):  # the stored rows themselves, joined by their key
            return stored.subquery("person_ties")
        own = _own_ties(org, viewer).subquery("own_ties")
        mine = select(own.c.person_id, literal(1).label("knowers"), own.c.score, own.c.last_at)
        ties = union_all(stored, mine).subquery("visible_ties")
        knowers = func.sum(ties.c.knowers)
    return (
        select(
            ties.c.person_id,
            knowers.label("knowers"),
            func.max(ties.c.score).label("score"),
            func.max(ties.c.last_at).label("last_at"),
        )
        .group_by(ties.c.person_id)
        .subquery("person_ties")
    )


def ties_of(
    conn: Connection, org: Org, viewer: Member | None, person_ids: Sequence[int]
) -> dict[int, PersonTies]:
    """The columns of these persons (one page of a gallery): only their rows are read."""
    found: dict[int, PersonTies] = {}
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        held: dict[int, Summary] = {}
        if viewer is not None:
            held = _stored(conn, org, chunk)
        ties = []
        if viewer is None or _own_unshared(viewer):
            own = _visible_ties(org, viewer) if viewer is None else _own_ties(org, viewer)
            ties = [_scored(r) for r in conn.execute(own.where(tie.c.person_id.in_(chunk)))]
        for pid, s in _merged(held, ties).items():
            best = s.best
            found[pid] = PersonTies(
                best.member_email,
                best.member_name,
                best.score,
                label_of(best.score),
                s.last_at,
                s.knowers,
            )
    return found


def _scored(r: Any) -> ScoredTie:
    return ScoredTie(
        r.person_id, r.member_id, r.name, int(r.score), r.strength, _utc(r.last_at), r.email
    )


def _stored(conn: Connection, org: Org, person_ids: Sequence[int]) -> dict[int, Summary]:
    s = summary_table
    rows = conn.execute(
        select(s, member.c.email, member.c.name)
        .join(member, same_org(member, s.c.member_id))
        .where(s.c.org_id == org.id, s.c.person_id.in_(person_ids))
    )
    return {
        r.person_id: Summary(
            r.person_id,
            r.knowers,
            ScoredTie(r.person_id, r.member_id, r.name, r.score, r.strength, None, r.email),
            _utc(r.last_at),
        )
        for r in rows
    }


def _merged(held: dict[int, Summary], ties: Sequence[ScoredTie]) -> dict[int, Summary]:
    """The stored summaries with more ties folded in (the same rule: core/tie_summary.py)."""
    found = dict(held)
    for pid, more in summarize(ties).items():
        before = found.get(pid)
        if before is None:
            found[pid] = more
            continue
        last = max((t for t in (before.last_at, more.last_at) if t is not None), default=None)
        best = more.best if stronger(more.best, before.best) else before.best
        found[pid] = Summary(pid, before.knowers + more.knowers, best, last)
    return found


def _utc(at: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without their zone; everything is stored in UTC.
    return at if at is None or at.tzinfo else at.replace(tzinfo=UTC)
