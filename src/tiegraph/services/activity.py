"""Writing activity: who is a member, who is a person, one row per message, interactions per tie."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.emails import normalize_email
from tiegraph.services.orgs import Org
from tiegraph.store.bulk import insert_ignore, insert_returning
from tiegraph.store.schema import (
    activity_item,
    interaction,
    member,
    member_address,
    person_email,
    person_phone,
)

LOOKUP_CHUNK = 900  # below SQLite's older 999-variable limit, to stay portable


@dataclass(frozen=True, slots=True)
class Touchpoint:
    """One interaction to write: a member and the other side's address (email or E.164 phone)."""

    member_id: int
    address: str
    direction: str  # out | in
    participants: int
    duration_seconds: int = 0
    thread_reply: bool = False


@dataclass(frozen=True, slots=True)
class Activity:
    """One message, meeting occurrence or call, with the interactions it makes."""

    channel: str  # email | meeting | call
    source_key: str
    occurred_at: datetime
    touchpoints: tuple[Touchpoint, ...]
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class NewInteraction:
    """An interaction just written with a resolved person: what the tie model folds in."""

    member_id: int
    person_id: int
    channel: str
    direction: str
    occurred_at: datetime
    participants: int
    duration_seconds: int
    thread_reply: bool


@dataclass
class WriteResult:
    activities: int = 0
    duplicates: int = 0
    replaced: int = 0
    interactions: int = 0
    unresolved: int = 0
    new: list[NewInteraction] = field(default_factory=list)
    # Ties whose past changed (an edited event): rebuilt from their raw interactions.
    rebuild: set[tuple[int, int]] = field(default_factory=set)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), LOOKUP_CHUNK):
        yield values[start : start + LOOKUP_CHUNK]


class Resolver:
    """Maps addresses to members and persons, querying the store in chunks and caching answers."""

    def __init__(self, conn: Connection, org: Org) -> None:
        self.conn, self.org = conn, org
        self.member_of: dict[str, int] = {}  # any address of a member -> member id
        self.member_person: dict[int, int | None] = {}
        rows = conn.execute(
            select(member_address.c.email, member.c.id, member.c.person_id)
            .join(member, member.c.id == member_address.c.member_id)
            .where(member_address.c.org_id == org.id, member.c.archived_at.is_(None))
        )
        for r in rows:
            self.member_of[r.email] = r.id
            self.member_person[r.id] = r.person_id
        self._persons: dict[str, int | None] = {}
        self._emails: dict[str, str | None] = {}

    def email(self, raw: str) -> str | None:
        """`normalize_email`, remembered: the same few addresses fill most headers."""
        try:
            return self._emails[raw]
        except KeyError:
            normal = self._emails[raw] = normalize_email(raw)
            return normal

    def persons(self, addresses: Iterable[str]) -> dict[str, int | None]:
        """Person id per address (an email, or an E.164 phone starting '+'); None if unknown."""
        wanted = sorted({a for a in addresses if a not in self._persons})
        emails = [a for a in wanted if not a.startswith("+")]
        phones = [a for a in wanted if a.startswith("+")]
        for a in wanted:
            self._persons[a] = None
        for address in emails:
            member_id = self.member_of.get(address)
            if member_id is not None:
                self._persons[address] = self.member_person.get(member_id)
        self._lookup(emails, person_email, person_email.c.email)
        self._lookup(phones, person_phone, person_phone.c.phone)
        return self._persons

    def _lookup(self, keys: Sequence[str], table: Any, column: Any) -> None:
        for chunk in _chunks(keys):
            rows = self.conn.execute(
                select(column.label("key"), table.c.person_id)
                .where(table.c.org_id == self.org.id, column.in_(chunk))
                .order_by(table.c.person_id)
            )
            for r in rows:
                if self._persons.get(r.key) is None:
                    self._persons[r.key] = r.person_id


def _existing(conn: Connection, org: Org, channel: str, keys: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(
                activity_item.c.source_key, activity_item.c.id, activity_item.c.fingerprint
            ).where(
                activity_item.c.org_id == org.id,
                activity_item.c.channel == channel,
                activity_item.c.source_key.in_(chunk),
            )
        )
        found.update({r.source_key: r for r in rows})
    return found


def known_keys(conn: Connection, org: Org, channel: str, keys: Iterable[str]) -> set[str]:
    """Which of these source keys (e.g. Message-IDs) the store has already seen."""
    return set(_existing(conn, org, channel, sorted(set(keys))))


def write_activities(
    conn: Connection,
    org: Org,
    resolver: Resolver,
    activities: Sequence[Activity],
    *,
    import_job_id: int | None = None,
) -> WriteResult:
    """Store new activities and their interactions; an activity seen before counts as a duplicate.

    An activity whose fingerprint changed (an event edited upstream) has its interactions replaced.
    """
    result = WriteResult()
    batch: dict[tuple[str, str], Activity] = {}
    for activity in activities:
        key = (activity.channel, activity.source_key)
        if key in batch:
            result.duplicates += 1
        batch[key] = activity
    persons = resolver.persons(t.address for a in batch.values() for t in a.touchpoints)
    by_channel: dict[str, list[Activity]] = {}
    for activity in batch.values():
        by_channel.setdefault(activity.channel, []).append(activity)
    for channel, items in by_channel.items():
        existing = _existing(conn, org, channel, [a.source_key for a in items])
        fresh = []
        for activity in items:
            seen = existing.get(activity.source_key)
            if seen is None:
                fresh.append(activity)
            elif activity.fingerprint and seen.fingerprint != activity.fingerprint:
                _replace(conn, org, seen.id, activity, persons, result)
                result.replaced += 1
            else:
                result.duplicates += 1
        _insert(conn, org, fresh, import_job_id, persons, result)
    return result


def _insert(
    conn: Connection,
    org: Org,
    fresh: list[Activity],
    job: int | None,
    persons: dict[str, int | None],
    result: WriteResult,
) -> None:
    if not fresh:
        return
    rows = [
        {
            "org_id": org.id,
            "channel": a.channel,
            "source_key": a.source_key,
            "fingerprint": a.fingerprint,
            "occurred_at": a.occurred_at,
            "import_job_id": job,
        }
        for a in fresh
    ]
    ids = insert_returning(conn, activity_item, rows, ("id",))
    result.activities += len(fresh)
    pairs = zip((i for (i,) in ids), fresh, strict=True)
    _insert_interactions(conn, org, list(pairs), persons, result)


def _insert_interactions(
    conn: Connection,
    org: Org,
    items: list[tuple[int, Activity]],
    persons: dict[str, int | None],
    result: WriteResult,
) -> None:
    rows = []
    for activity_id, a in items:
        for t in a.touchpoints:
            person_id = persons.get(t.address)
            rows.append(
                {
                    "org_id": org.id,
                    "activity_id": activity_id,
                    "member_id": t.member_id,
                    "person_id": person_id,
                    "address": t.address,
                    "channel": a.channel,
                    "direction": t.direction,
                    "occurred_at": a.occurred_at,
                    "participants": t.participants,
                    "duration_seconds": t.duration_seconds,
                    "thread_reply": t.thread_reply,
                }
            )
            if person_id is None:
                result.unresolved += 1
            else:
                result.new.append(
                    NewInteraction(
                        t.member_id,
                        person_id,
                        a.channel,
                        t.direction,
                        a.occurred_at,
                        t.participants,
                        t.duration_seconds,
                        t.thread_reply,
                    )
                )
    # Builders give each (member, address) once per activity, so nothing is ignored here.
    result.interactions += insert_ignore(
        conn, interaction, rows, key=("org_id", "activity_id", "member_id", "address")
    )


def _replace(
    conn: Connection,
    org: Org,
    activity_id: int,
    activity: Activity,
    persons: dict[str, int | None],
    result: WriteResult,
) -> None:
    """Drop the interactions an edited event made before and write the new ones."""
    old = conn.execute(
        select(interaction.c.member_id, interaction.c.person_id).where(
            interaction.c.org_id == org.id, interaction.c.activity_id == activity_id
        )
    ).all()
    conn.execute(
        interaction.delete().where(
            interaction.c.org_id == org.id, interaction.c.activity_id == activity_id
        )
    )
    conn.execute(
        activity_item.update()
        .where(activity_item.c.id == activity_id)
        .values(fingerprint=activity.fingerprint, occurred_at=activity.occurred_at)
    )
    replaced = WriteResult()
    _insert_interactions(conn, org, [(activity_id, activity)], persons, replaced)
    result.interactions += replaced.interactions
    result.unresolved += replaced.unresolved
    result.rebuild |= {(r.member_id, r.person_id) for r in old if r.person_id is not None}
    result.rebuild |= {(n.member_id, n.person_id) for n in replaced.new}


def resolve_pending(conn: Connection, org: Org, addresses: dict[str, int]) -> set[tuple[int, int]]:
    """Give interactions kept under an unknown address the person that address now names.

    Returns the (member, person) ties that gained interactions, to be rebuilt.
    """
    pairs: set[tuple[int, int]] = set()
    keys = sorted(addresses)
    for chunk in _chunks(keys):
        rows = conn.execute(
            select(interaction.c.member_id, interaction.c.address)
            .where(
                interaction.c.org_id == org.id,
                interaction.c.person_id.is_(None),
                interaction.c.address.in_(chunk),
            )
            .distinct()
        ).all()
        for r in rows:
            person_id = addresses[r.address]
            conn.execute(
                interaction.update()
                .where(
                    interaction.c.org_id == org.id,
                    interaction.c.person_id.is_(None),
                    interaction.c.member_id == r.member_id,
                    interaction.c.address == r.address,
                )
                .values(person_id=person_id)
            )
            pairs.add((r.member_id, person_id))
    return pairs
