"""Writing activity: who is a member, who is a person, one row per message, interactions per tie."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, select

from tiegraph.core.emails import normalize_email
from tiegraph.core.strength import Touch
from tiegraph.services.activity.correspondents import Correspondents
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, allocate_ids, driver_moment, first_per_key, insert_plain
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    activity_item,
    interaction,
    member,
    member_address,
    person_email,
    person_phone,
)

TouchpointRow = tuple[int, str, str, int, int]
"""A Touchpoint as a plain tuple, as the mail reader hands them over (mail_touchpoints.py)."""


class Touchpoint(NamedTuple):
    """One interaction to write: a member and the other side's address (email or E.164 phone)."""

    member_id: int
    address: str
    direction: str  # out | in
    participants: int
    duration_seconds: int = 0


class Activity(NamedTuple):
    """One message, meeting occurrence or call, with the interactions it makes.

    Named tuples, not dataclasses: a big mailbox makes hundreds of thousands of them.
    """

    channel: str  # email | meeting | call
    source_key: str
    occurred_at: datetime  # timezone-aware
    touchpoints: tuple[TouchpointRow, ...]  # Touchpoints, or plain tuples laid out as they are
    fingerprint: str = ""
    thread_reply: bool = False  # a message answering one the store already holds


NewInteraction = tuple[int, int, Touch]
"""An interaction just written with a resolved person: (member id, person id, its touch)."""


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
    for start in range(0, len(values), IN_CHUNK):
        yield values[start : start + IN_CHUNK]


class Resolver:
    """Maps addresses to members and persons, querying the store in chunks and caching answers."""

    def __init__(self, conn: Connection, org: Org) -> None:
        self.conn, self.org = conn, org
        self.member_of: dict[str, int] = {}  # any address of a member -> member id
        self.member_person: dict[int, int | None] = {}
        rows = conn.execute(
            select(member_address.c.email, member.c.id, member.c.person_id)
            .join(member, same_org(member, member_address.c.member_id))
            .where(member_address.c.org_id == org.id, member.c.archived_at.is_(None))
        )
        for r in rows:
            self.member_of[r.email] = r.id
            self.member_person[r.id] = r.person_id
        self._persons: dict[str, int | None] = {}
        self._emails: dict[str, str | None] = {}
        self.correspondents = Correspondents(conn, org)
        # Ties whose interactions, kept under an address before it had a person, now count.
        self.rebuild: set[tuple[int, int]] = set()

    def use(self, conn: Connection) -> None:
        """Read and write through `conn` (the next transaction of a long ingest) from now on;
        what the last one wrote is committed, so the answers remembered still hold."""
        self.conn = conn
        self.correspondents.conn = conn

    def email(self, raw: str) -> str | None:
        """`normalize_email`, remembered: the same few addresses fill most headers."""
        try:
            return self._emails[raw]
        except KeyError:
            normal = self._emails[raw] = normalize_email(raw)
            return normal

    def persons(self, addresses: Iterable[str]) -> dict[str, int | None]:
        """Person id per address (an email, or an E.164 phone starting '+'); None if unknown."""
        known = self._persons
        wanted = sorted({a for a in addresses if a not in known})
        if not wanted:
            return known
        emails = [a for a in wanted if not a.startswith("+")]
        phones = [a for a in wanted if a.startswith("+")]
        for a in wanted:
            known[a] = None
        for address in emails:
            member_id = self.member_of.get(address)
            if member_id is not None:
                known[address] = self.member_person.get(member_id)
        self._lookup(emails, person_email, "email")
        self._lookup(phones, person_phone, "phone")
        made = self.correspondents.make(a for a in emails if known[a] is None)
        if made:
            known.update(made)
            self.rebuild |= resolve_pending(self.conn, self.org, made)
        return known

    def _lookup(self, keys: Sequence[str], table: Table, column: str) -> None:
        where = {"org_id": self.org.id}
        found = first_per_key(
            self.conn, table, column, ("person_id",), where, keys, order_by="person_id"
        )
        for key, (person_id,) in found.items():
            if self._persons.get(key) is None:
                self._persons[key] = person_id


def _existing(conn: Connection, org: Org, channel: str, keys: Sequence[str]) -> dict[str, Any]:
    """(id, fingerprint) of the activities of `channel` already stored, by source key."""
    where = {"org_id": org.id, "channel": channel}
    columns = ("id", "fingerprint")
    return first_per_key(conn, activity_item, "source_key", columns, where, keys)


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
    persons = resolver.persons(t[1] for a in batch.values() for t in a.touchpoints)
    result.rebuild |= resolver.rebuild
    resolver.rebuild = set()
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
            elif activity.fingerprint and seen[1] != activity.fingerprint:
                _replace(conn, org, seen[0], activity, persons, result)
                result.replaced += 1
            else:
                result.duplicates += 1
        _insert(conn, org, fresh, import_job_id, persons, result)
    return result


ITEM_COLUMNS = ("id", "org_id", "channel", "source_key", "fingerprint", "occurred_at")
INTERACTION_COLUMNS = (
    "org_id",
    "activity_id",
    "member_id",
    "person_id",
    "address",
    "channel",
    "direction",
    "occurred_at",
    "participants",
    "duration_seconds",
    "thread_reply",
)


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
    ids = allocate_ids(conn, activity_item, len(fresh))
    moment = driver_moment(conn)
    stored = [(i, a, moment(a.occurred_at)) for i, a in zip(ids, fresh, strict=True)]
    items = [(i, org.id, a.channel, a.source_key, a.fingerprint, at, job) for i, a, at in stored]
    insert_plain(conn, activity_item, (*ITEM_COLUMNS, "import_job_id"), items)
    result.activities += len(fresh)
    rows = _interaction_rows(org.id, stored, persons, result)
    result.interactions += insert_plain(conn, interaction, INTERACTION_COLUMNS, rows)


def _interaction_rows(
    org_id: int,
    stored: list[tuple[int, Activity, Any]],
    persons: dict[str, int | None],
    result: WriteResult,
) -> list[tuple[Any, ...]]:
    """The interaction rows of (activity id, activity, its time as stored); what resolved
    ties fold in goes to `result`.

    Builders give each (member, address) once per activity, so no row breaks the unique key.
    """
    rows: list[tuple[Any, ...]] = []
    new = result.new
    unresolved = 0
    for activity_id, activity, stored_at in stored:
        channel, reply = activity.channel, activity.thread_reply
        touch: Any = None  # the touches of one message are alike: one Touch serves them
        last_shape = None
        for member_id, address, direction, participants, seconds in activity.touchpoints:
            person_id = persons.get(address)
            rows.append(
                (
                    org_id,
                    activity_id,
                    member_id,
                    person_id,
                    address,
                    channel,
                    direction,
                    stored_at,
                    participants,
                    seconds,
                    reply,
                )
            )
            if person_id is None:
                unresolved += 1
                continue
            shape = (direction, max(participants, 1), seconds)
            if shape != last_shape:
                fields: Any = (activity.occurred_at, channel, *shape, reply)
                touch, last_shape = Touch(*fields), shape
            new.append((member_id, person_id, touch))
    result.unresolved += unresolved
    return rows


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
        # in UTC: SQLite keeps a datetime's wall time and drops its zone
        .values(fingerprint=activity.fingerprint, occurred_at=activity.occurred_at.astimezone(UTC))
    )
    replaced = WriteResult()
    stored = [(activity_id, activity, driver_moment(conn)(activity.occurred_at))]
    rows = _interaction_rows(org.id, stored, persons, replaced)
    insert_plain(conn, interaction, INTERACTION_COLUMNS, rows)
    result.interactions += len(rows)
    result.unresolved += replaced.unresolved
    result.rebuild |= {(r.member_id, r.person_id) for r in old if r.person_id is not None}
    result.rebuild |= {(m, p) for m, p, _ in replaced.new}


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
