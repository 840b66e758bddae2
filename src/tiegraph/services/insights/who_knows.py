"""Who knows whom: for a person, the members who know them, strongest first, with reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select

from tiegraph.core.emails import normalize_email
from tiegraph.core.reasons import Reason
from tiegraph.core.strength import TieScore
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.activity.touches import touch_of
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import hidden_persons, sees_ties_of
from tiegraph.store import Store
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import contact, interaction, member, person, person_email, tie

TILE = 5  # the who-knows-whom tile shows at most five colleagues


@dataclass(frozen=True)
class Knower:
    member_email: str
    member_name: str
    score: int
    label: str
    reasons: tuple[str, ...]
    strength: float = 0.0  # unrounded: orders equal scores
    reason_items: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": {"email": self.member_email, "name": self.member_name},
            "score": self.score,
            "label": self.label,
            "certainty": "measured",
            "reasons": [r.as_dict() for r in self.reason_items],
        }

    @classmethod
    def of(cls, m: dict[str, Any], result: TieScore) -> Knower:
        """The member `m` (email, name) knowing a person with the tie `result`."""
        return cls(
            m["email"],
            m["name"],
            result.score,
            result.label,
            result.reasons,
            result.strength,
            result.reason_items,
        )


@dataclass(frozen=True)
class PersonKnowers:
    email: str
    name: str
    as_of: date
    knowers: tuple[Knower, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": {"email": self.email, "name": self.name},
            "as_of": self.as_of.isoformat(),
            "knowers": [k.as_dict() for k in self.knowers],
        }


def _day_end(day: date) -> datetime:
    """As of a date means with everything before that date: midnight UTC starting it."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def who_knows(
    store: Store,
    org: Org,
    emails: Sequence[str],
    *,
    as_of: date | None = None,
    limit: int = TILE,
    viewer: Member | None = None,
) -> list[PersonKnowers]:
    """One answer per email, in order; an email nobody knows gets an empty list, not an error.

    Without `as_of` the stored tie states are scored for today; with it, ties are recomputed
    from the interactions before that date. Either way a colleague who has gone quiet lately
    ranks lower (their pace, services/activity/member_activity.py), and the reasons say so. `viewer`
    hides ties of members who do not share their activity (a member always sees their own);
    without a viewer, the org-wide view.
    """
    today = datetime.now(UTC).date()
    day = as_of or today
    normalized = [normalize_email(e) or e.strip().lower() for e in emails]
    past = as_of if as_of is not None and as_of < today else None
    with store.read(streaming=past is not None) as conn:  # the past streams (yield_per)
        if past is None:
            persons, scored, members = _now(conn, org, normalized, datetime.now(UTC))
        else:
            persons = _persons(conn, org, normalized)
            ids = sorted({pid for pid, _ in persons.values()})
            scored = _scored_before(conn, org, ids, _day_end(past))
            members = _members(conn, org, {m for ties in scored.values() for m, _ in ties})
        hidden = hidden_persons(conn, org, (p for p, _ in persons.values()), viewer)
    persons = {e: p for e, p in persons.items() if p[0] not in hidden}
    answers = []
    for email in normalized:
        if email not in persons:
            answers.append(PersonKnowers(email, "", day))
            continue
        person_id, name = persons[email]
        knowers = []
        for member_id, result in scored.get(person_id, []):
            m = members.get(member_id)
            if m is None or not _visible(m, viewer):
                continue
            if result.score <= 0 and not result.reasons:
                continue
            knowers.append(Knower.of(m, result))
        knowers.sort(key=lambda k: (-k.score, -k.strength, k.member_name))
        answers.append(
            PersonKnowers(email, name, day, tuple(knowers[:limit] if limit else knowers))
        )
    return answers


def _visible(m: dict[str, Any], viewer: Member | None) -> bool:
    return sees_ties_of(viewer, m["id"], bool(m["activity_sharing"]))


def _persons(conn: Connection, org: Org, emails: Sequence[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    unique = sorted(set(emails))
    for start in range(0, len(unique), IN_CHUNK):
        rows = conn.execute(
            select(person_email.c.email, person.c.id, person.c.full_name)
            .join(person, same_org(person, person_email.c.person_id))
            .where(
                person_email.c.org_id == org.id,
                person_email.c.email.in_(unique[start : start + 900]),
                person.c.archived_at.is_(None),
            )
            .order_by(person.c.id)
        )
        for r in rows:
            found.setdefault(r.email, (r.id, r.full_name))
    return found


def _members(conn: Connection, org: Org, ids: set[int]) -> dict[int, dict[str, Any]]:
    """The members holding these ties (an organization may have thousands; a person few)."""
    found: dict[int, dict[str, Any]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), IN_CHUNK):
        rows = conn.execute(
            select(member.c.id, member.c.email, member.c.name, member.c.activity_sharing).where(
                member.c.org_id == org.id,
                member.c.archived_at.is_(None),
                member.c.id.in_(wanted[start : start + 900]),
            )
        )
        found.update({r.id: dict(r._mapping) for r in rows})
    return found


Scored = dict[int, list[tuple[int, TieScore]]]


# Who-knows of today in one statement, built once (building a select costs more than the
# round trip's server work): each tie with the member holding it and that member's stored pace
# (services/activity/tie_scores.py); by email, with the persons found.
_KNOWN = (
    tie.c.member_id,
    tie.c.state,
    tie.c.explicit,
    tie.c.volume,
    member.c.email.label("member_email"),
    member.c.name.label("member_name"),
    member.c.activity_sharing,
    member.c.pace,
    member.c.pace_factor,
)
_NOW = (
    select(person_email.c.email, person.c.id, person.c.full_name, *_KNOWN)
    .join(person, same_org(person, person_email.c.person_id))
    .outerjoin(tie, and_(tie.c.org_id == bindparam("org_id"), tie.c.person_id == person.c.id))
    .outerjoin(member, and_(member.c.id == tie.c.member_id, member.c.archived_at.is_(None)))
    .where(
        person_email.c.org_id == bindparam("org_id"),
        person_email.c.email.in_(bindparam("emails", expanding=True)),
        person.c.archived_at.is_(None),
    )
    .order_by(person.c.id)
)
_NOW_OF_PERSON = (
    select(*_KNOWN)
    .select_from(tie)
    .join(member, and_(member.c.id == tie.c.member_id, member.c.archived_at.is_(None)))
    .where(tie.c.org_id == bindparam("org_id"), tie.c.person_id == bindparam("person_id"))
)


class _Today:
    """Rows of `_KNOWN` scored for `now` by the one scorer (services/activity/tie_scores.py),
    with the paces and the median the rows carry, and the members holding them."""

    def __init__(self, org: Org, now: datetime) -> None:
        self.scorer = TieScorer(None, org, now)
        self.members: dict[int, dict[str, Any]] = {}

    def member(self, r: Any) -> dict[str, Any]:
        """The member holding the tie of row `r` (their pace known to the scorer)."""
        self.scorer.know(r.member_id, r.pace, r.pace_factor)
        return self.members.setdefault(
            r.member_id,
            {
                "id": r.member_id,
                "email": r.member_email,
                "name": r.member_name,
                "activity_sharing": r.activity_sharing,
            },
        )

    def score(self, r: Any) -> TieScore:
        self.member(r)
        return self.scorer.score_row(r)


def _now(
    conn: Connection, org: Org, emails: Sequence[str], now: datetime
) -> tuple[dict[str, tuple[int, str]], Scored, dict[int, dict[str, Any]]]:
    """Persons, their stored ties scored for `now`, and the members holding them: one query
    per 900 emails (on a server, each round trip costs more than the work)."""
    persons: dict[str, tuple[int, str]] = {}
    scored: Scored = {}
    seen: set[tuple[int, int]] = set()
    today = _Today(org, now)
    unique = sorted(set(emails))
    for start in range(0, len(unique), IN_CHUNK):
        rows = conn.execute(_NOW, {"org_id": org.id, "emails": unique[start : start + 900]})
        for r in rows:
            person_id, _ = persons.setdefault(r.email, (r.id, r.full_name))
            if person_id != r.id or r.member_email is None or (r.id, r.member_id) in seen:
                continue  # another person with this email, no tie, or a row seen via another email
            seen.add((r.id, r.member_id))
            scored.setdefault(r.id, []).append((r.member_id, today.score(r)))
    return persons, scored, today.members


def _scored_before(
    conn: Connection, org: Org, person_ids: Sequence[int], cutoff: datetime
) -> dict[int, list[tuple[int, TieScore]]]:
    touches: dict[tuple[int, int], list[Any]] = {}
    explicit: set[tuple[int, int]] = set()
    for start in range(0, len(person_ids), IN_CHUNK):
        chunk = person_ids[start : start + 900]
        rows = conn.execute(
            select(interaction).where(
                interaction.c.org_id == org.id,
                interaction.c.person_id.in_(chunk),
                interaction.c.occurred_at < cutoff,
            )
        )
        for r in rows:
            touches.setdefault((r.person_id, r.member_id), []).append(touch_of(r))
        explicit.update(
            (r.person_id, r.member_id)
            for r in conn.execute(
                select(contact.c.person_id, contact.c.member_id).where(
                    contact.c.org_id == org.id,
                    contact.c.person_id.in_(chunk),
                    contact.c.archived_at.is_(None),
                )
            )
        )
    scored: dict[int, list[tuple[int, TieScore]]] = {}
    keys = sorted(set(touches) | explicit)
    scorer = TieScorer.before(conn, org, cutoff, {m for _, m in keys} if touches else ())
    for key in keys:
        result = scorer.score_touches(key[1], touches.get(key, []), key in explicit)
        scored.setdefault(key[0], []).append((key[1], result))
    return scored


def _of_person(conn: Connection, org: Org, person_id: int) -> Sequence[Any]:
    return conn.execute(_NOW_OF_PERSON, {"org_id": org.id, "person_id": person_id}).all()


def knowers_of_person(
    store: Store, org: Org, person_id: int, *, viewer: Member | None, limit: int = TILE
) -> list[Knower]:
    """The members who know one directory person (by id), strongest first, as the viewer may see.

    The full who-knows list (`limit` 0: all; the person page's tile: `knowers_tile`); a person
    without an email is known by id alone. One query, as `who_knows`.
    """
    today = _Today(org, datetime.now(UTC))
    with store.read() as conn:
        rows = _of_person(conn, org, person_id)
    scored = [(r.member_id, today.score(r)) for r in rows]
    members = today.members
    knowers = [
        Knower.of(m, r)
        for member_id, r in scored
        if (m := members.get(member_id)) is not None
        and _visible(m, viewer)
        and (r.score > 0 or r.reasons)
    ]
    knowers.sort(key=lambda k: (-k.score, -k.strength, k.member_name))
    return knowers[:limit] if limit else knowers


def knowers_tile(
    store: Store, org: Org, person_id: int, *, viewer: Member | None
) -> tuple[list[Knower], int]:
    """The person page's tile: the `TILE` strongest knowers and how many there are in all,
    the same as `knowers_of_person`'s first five and its length, with only the five's reasons
    worded (the others are ranked by their shown score; one at 0 is worded to learn whether
    any reason makes it a knower)."""
    today = _Today(org, datetime.now(UTC))
    with store.read() as conn:
        rows = _of_person(conn, org, person_id)
    ranked = []
    for r in rows:
        if not _visible(today.member(r), viewer):
            continue
        result = today.scorer.unworded(r)
        if result.score <= 0:
            result = today.score(r)
            if not result.reasons:
                continue
        ranked.append((r, result))
    ranked.sort(key=lambda found: (-found[1].score, -found[1].strength, found[0].member_name))
    tile = [Knower.of(today.member(r), today.score(r)) for r, _ in ranked[:TILE]]
    return tile, len(ranked)
