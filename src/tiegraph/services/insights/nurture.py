"""Nurture: a member's contacts worth turning into connections, and connections cooling off.

Visibility (DESIGN.md §2.13, services/org/sharing.py): a nurture list is about one member's ties,
so, until the member leaves, it is visible to that member, to the operator (no viewer), and
to a colleague only while the member shares their activity. Anyone else is refused with one line
that names no tie. Only directory persons are ever listed: interactions with addresses not
resolved to a person (a private contact, a stranger) have no tie and are never read, and
colleagues (members are persons too) are left out, as nurture is about people outside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, select

from tiegraph.core.nurture import (
    DEFAULT_NURTURE,
    NurtureParams,
    Suggestion,
    TieActivity,
    cooling_reason,
    one_sided_reason,
    suggest,
)
from tiegraph.core.reasons import said
from tiegraph.core.strength import Touch, shown
from tiegraph.errors import ForbiddenError
from tiegraph.services.activity.nurture_store import is_stored
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.activity.touches import TOUCH_COLUMNS, aware, touch_of
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store import Store
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    company,
    interaction,
    member,
    nurture_suggestion,
    person,
    person_email,
    tie,
)

LIMIT = 20


@dataclass(frozen=True)
class NurtureItem:
    """One suggestion, with the person it is about and the tie's score today (or as of)."""

    kind: str  # warming | one_sided | cooling
    person_email: str
    person_name: str
    company: str
    title: str
    score: int
    label: str
    reason: str
    priority: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "person": {
                "email": self.person_email,
                "name": self.person_name,
                "company": self.company,
                "title": self.title,
            },
            "score": self.score,
            "label": self.label,
            "certainty": "measured",
            "reasons": said(self.kind, self.reason),
            "priority": self.priority,
        }


@dataclass(frozen=True)
class NurtureList:
    """Contacts worth turning into connections (warming, one-sided) and connections cooling
    off, each list most urgent first."""

    member_email: str
    member_name: str
    as_of: date
    contacts: tuple[NurtureItem, ...] = field(default_factory=tuple)
    connections: tuple[NurtureItem, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": {"email": self.member_email, "name": self.member_name},
            "as_of": self.as_of.isoformat(),
            "contacts": [i.as_dict() for i in self.contacts],
            "connections": [i.as_dict() for i in self.connections],
        }


def nurture(
    store: Store,
    org: Org,
    target: Member,
    *,
    viewer: Member | None = None,
    as_of: date | None = None,
    limit: int = LIMIT,
    params: NurtureParams = DEFAULT_NURTURE,
) -> NurtureList:
    """The member's nurture suggestions: at most `limit` of each list (0: all).

    Without `as_of` (or with today or later), as of now: the stored suggestions
    (services/activity/nurture_store.py, as of the last refresh of each tie: its last ingest or
    the daily rescore) worded now, scored from the stored tie states; with an earlier date,
    classified and scored from the interactions before that date (midnight UTC starting it).
    Raises ForbiddenError when the viewer may not see this member's ties.
    """
    now = datetime.now(UTC)
    past = as_of is not None and as_of < now.date()
    cutoff = datetime.combine(as_of, time.min, tzinfo=UTC) if as_of and past else now
    # As of a past date, the member's pace then may stream every interaction of the span
    # (services/activity/member_activity.py `paces_before`): a server-side cursor.
    with store.read(streaming=past) as conn:
        if not _may_see(conn, org, target, viewer):
            raise ForbiddenError(
                f"you cannot see {target.email}'s nurture list: "
                "their activity is not shared with you"
            )
        facts: dict[int, Any] = {}  # the stored path reads the persons with the suggestions
        if past or params != DEFAULT_NURTURE or not is_stored(conn, org):
            found, explicit = live_suggestions(conn, org, target, cutoff, params)
        else:
            found, facts = stored_suggestions(conn, org, target, cutoff)
            explicit = {pid: bool(r.explicit) for pid, r in facts.items()}
        contacts = [s for s in found if s.kind != "cooling"]
        connections = [s for s in found if s.kind == "cooling"]
        if limit:
            contacts, connections = contacts[:limit], connections[:limit]
        chosen = contacts + connections
        items = _describe(conn, org, target, chosen, explicit, cutoff if past else None, facts)
    return NurtureList(
        target.email,
        target.name,
        cutoff.date(),
        tuple(i for i in items if i.kind != "cooling"),
        tuple(i for i in items if i.kind == "cooling"),
    )


def _may_see(conn: Connection, org: Org, target: Member, viewer: Member | None) -> bool:
    # Not even the member themselves or the operator: a leaver's ties are never shown.
    row = conn.execute(
        select(member.c.id).where(
            member.c.org_id == org.id, member.c.id == target.id, ties_visible(viewer)
        )
    ).first()
    return row is not None


def live_suggestions(
    conn: Connection, org: Org, target: Member, moment: datetime, params: NurtureParams
) -> tuple[list[Suggestion], dict[int, bool]]:
    """The member's suggestions classified from their touches as of `moment`, most urgent
    first, and which of the ties are explicit."""
    ties = _tie_activity(conn, org, target, moment - params.lookback_days * timedelta(days=1))
    found = suggest(ties.values(), moment, params)
    return found, {pid: t.explicit for pid, t in ties.items()}


def stored_suggestions(
    conn: Connection, org: Org, target: Member, now: datetime
) -> tuple[list[Suggestion], dict[int, Any]]:
    """The member's stored suggestions, worded as of `now`, most urgent first, and by person
    what `_describe` shows of them (name, title, company, the tie's volume and explicit mark):
    the directory persons `_tie_activity` reads, in one query."""
    colleagues = select(member.c.person_id).where(
        member.c.org_id == org.id, member.c.person_id.is_not(None)
    )
    found = nurture_suggestion
    rows = conn.execute(
        select(
            found.c.person_id,
            found.c.kind,
            found.c.priority,
            found.c.words,
            found.c.last_at,
            found.c.rhythm_days,
            person.c.first_name,
            person.c.full_name,
            person.c.title,
            company.c.name.label("company"),
            tie.c.explicit,
            tie.c.volume,
        )
        .join(
            tie,
            and_(
                tie.c.org_id == found.c.org_id,
                tie.c.member_id == found.c.member_id,
                tie.c.person_id == found.c.person_id,
            ),
        )
        .join(person, same_org(person, found.c.person_id))
        .outerjoin(company, same_org(company, person.c.company_id))
        .where(
            found.c.org_id == org.id,
            found.c.member_id == target.id,
            person.c.org_id == org.id,
            person.c.archived_at.is_(None),
            found.c.person_id.not_in(colleagues),
        )
    ).all()
    suggestions = [Suggestion(r.person_id, r.kind, _worded(r, now), r.priority) for r in rows]
    suggestions.sort(key=lambda s: (-s.priority, s.person_id))
    return suggestions, {r.person_id: r for r in rows}


def _worded(row: Any, now: datetime) -> str:
    if row.kind == "one_sided":
        return one_sided_reason(row.first_name, row.words)
    if row.kind == "cooling" and row.last_at is not None:
        return cooling_reason(row.rhythm_days, now - aware(row.last_at))
    return str(row.words)


def _tie_activity(
    conn: Connection, org: Org, target: Member, since: datetime
) -> dict[int, TieActivity]:
    """The member's ties to directory persons, with their touches since `since`.

    Two queries: the tie rows, then every interaction of them in one set-based query that
    walks the interaction index (org, person, member, occurred_at) once per tie; a member's
    year of interactions is small enough to group here.
    """
    colleagues = select(member.c.person_id).where(
        member.c.org_id == org.id, member.c.person_id.is_not(None)
    )
    ties = (
        select(tie.c.person_id, tie.c.explicit, person.c.first_name)
        .join(person, same_org(person, tie.c.person_id))
        .where(
            tie.c.org_id == org.id,
            tie.c.member_id == target.id,
            person.c.org_id == org.id,
            person.c.archived_at.is_(None),
            tie.c.person_id.not_in(colleagues),
        )
    )
    heads = {r.person_id: (r.first_name, bool(r.explicit)) for r in conn.execute(ties)}
    rows = conn.execute(
        select(*TOUCH_COLUMNS).where(
            interaction.c.org_id == org.id,
            interaction.c.person_id.in_(ties.with_only_columns(tie.c.person_id)),
            interaction.c.member_id == target.id,
            interaction.c.occurred_at >= since,
        )
    )
    touches: dict[int, list[Touch]] = {}
    for r in rows:
        touches.setdefault(r.person_id, []).append(touch_of(r))
    return {
        pid: TieActivity(pid, heads[pid][0], tuple(found), heads[pid][1])
        for pid, found in touches.items()
        if pid in heads
    }


def _describe(
    conn: Connection,
    org: Org,
    target: Member,
    chosen: list[Suggestion],
    explicit: dict[int, bool],
    past: datetime | None,
    facts: dict[int, Any],
) -> list[NurtureItem]:
    """Suggestions with their person's directory entry and the tie's score; `facts`: the
    entries and tie volumes already read (by `stored_suggestions`), by person."""
    ids = [s.person_id for s in chosen]
    people: dict[int, Any] = dict(facts)
    emails: dict[int, str] = {}
    states: dict[int, Any] = dict(facts)
    before: dict[int, list[Touch]] = {}  # as of a past date: each tie's every touch before it
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        emails.update(_emails(conn, org, chunk))
        unknown = [i for i in chunk if i not in facts]
        if unknown:
            people.update(_people(conn, org, unknown))
            states.update(_states(conn, org, target, unknown))
        if past is not None:
            before.update(_touches_before(conn, org, target, chunk, past))
    if past is None:
        scorer = TieScorer(conn, org, datetime.now(UTC))
        scorer.load([target.id])
    else:
        scorer = TieScorer.before(conn, org, past, [target.id])
    items = []
    for s in chosen:
        known = explicit.get(s.person_id, False)
        if past is None:
            scored = _scored_now(conn, org, target, scorer, states.get(s.person_id), known)
        else:
            touches = before.get(s.person_id, [])
            then = scorer.score_touches(target.id, touches, known)
            scored = then.score, then.label
        p = people[s.person_id]
        items.append(
            NurtureItem(
                kind=s.kind,
                person_email=emails.get(s.person_id, ""),
                person_name=p.full_name,
                company=p.company or "",
                title=p.title,
                score=scored[0],
                label=scored[1],
                reason=s.reason,
                priority=s.priority,
            )
        )
    return items


def _scored_now(
    conn: Connection, org: Org, target: Member, scorer: TieScorer, stored: Any, explicit: bool
) -> tuple[int, str]:
    """A tie's score and label today: from its stored volume (no reasons worded: the list
    shows none of the tie's), or, for a tie without one yet, from its state."""
    if stored is not None and stored.volume is not None:
        value, label, _ = shown(float(stored.volume), scorer.paces[target.id][1], explicit)
        return value, label
    state = None
    if stored is not None:
        state = conn.execute(
            select(tie.c.state).where(
                tie.c.org_id == org.id,
                tie.c.member_id == target.id,
                tie.c.person_id == stored.person_id,
            )
        ).scalar_one_or_none()
    scored = scorer.score(target.id, state, explicit)
    return scored.score, scored.label


def _touches_before(
    conn: Connection, org: Org, target: Member, ids: list[int], cutoff: datetime
) -> dict[int, list[Touch]]:
    """All the touches of these ties before `cutoff`, not only the lookback's: the tie's score
    then is who-knows' as of that date."""
    rows = conn.execute(
        select(interaction).where(
            interaction.c.org_id == org.id,
            interaction.c.person_id.in_(ids),
            interaction.c.member_id == target.id,
            interaction.c.occurred_at < cutoff,
        )
    )
    found: dict[int, list[Touch]] = {}
    for r in rows:
        found.setdefault(r.person_id, []).append(touch_of(r))
    return found


def _states(conn: Connection, org: Org, target: Member, ids: list[int]) -> dict[int, Any]:
    rows = conn.execute(
        select(tie.c.person_id, tie.c.volume).where(
            tie.c.org_id == org.id, tie.c.member_id == target.id, tie.c.person_id.in_(ids)
        )
    )
    return {r.person_id: r for r in rows}


def _people(conn: Connection, org: Org, ids: list[int]) -> dict[int, Any]:
    rows = conn.execute(
        select(person.c.id, person.c.full_name, person.c.title, company.c.name.label("company"))
        .select_from(person)
        .outerjoin(company, same_org(company, person.c.company_id))
        .where(person.c.org_id == org.id, person.c.id.in_(ids))
    )
    return {r.id: r for r in rows}


def _emails(conn: Connection, org: Org, ids: list[int]) -> dict[int, str]:
    rows = conn.execute(
        select(person_email.c.person_id, func.min(person_email.c.email).label("email"))
        .where(person_email.c.org_id == org.id, person_email.c.person_id.in_(ids))
        .group_by(person_email.c.person_id)
    )
    return {r.person_id: r.email for r in rows}
