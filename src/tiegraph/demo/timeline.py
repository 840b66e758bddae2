"""Activity items of the demo (messages, meetings, calls) and the clock that times them."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from tiegraph.demo import phrases


@dataclass(frozen=True, slots=True)
class Party:
    """Someone on a message or meeting: a member or a person (directory or private)."""

    email: str
    name: str
    zone: str
    member: bool = False

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0]


@dataclass(frozen=True, slots=True)
class Message:
    message_id: str
    sent: datetime  # aware, in the sender's time zone
    sender: Party
    to: tuple[Party, ...]
    cc: tuple[Party, ...]
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    body: str

    @property
    def interactions(self) -> int:
        """Sender-recipient pairs with a member on at least one side."""
        recipients = self.to + self.cc
        if self.sender.member:
            return len(recipients)
        return sum(1 for party in recipients if party.member)


@dataclass(frozen=True, slots=True)
class Meeting:
    uid: str
    summary: str
    start: datetime  # aware, in `zone`
    minutes: int
    zone: str  # the TZID the invitation uses, "UTC" for times in Z
    organizer: Party
    attendees: tuple[tuple[Party, str], ...]  # (attendee, PARTSTAT)
    weekly: int = 0  # occurrences of a weekly series before exceptions; 0: a single meeting
    exdates: tuple[datetime, ...] = ()
    count_rule: bool = False  # the series ends by COUNT rather than UNTIL

    @property
    def occurrences(self) -> int:
        return self.weekly - len(self.exdates) if self.weekly else 1

    @property
    def interactions(self) -> int:
        """Participant pairs with a member on at least one side, over every occurrence."""
        parties = [self.organizer] + [party for party, _ in self.attendees]
        members = sum(1 for party in parties if party.member)
        others = len(parties) - members
        return (members * (members - 1) // 2 + members * others) * self.occurrences


@dataclass(frozen=True, slots=True)
class Call:
    member: str
    other: str  # the other party's number as the phone logged it
    start: datetime  # aware, in the member's zone
    seconds: int
    direction: str  # in | out | missed


@cache
def zone(name: str) -> tzinfo:
    return UTC if name == "UTC" else ZoneInfo(name)


class Clock:
    """Working days of the activity window, and times within them."""

    def __init__(self, start: date, end: date) -> None:
        # The last day is left out: its working hours in America are already past `end` in UTC.
        days = (start + timedelta(days=n) for n in range((end - start).days - 1))
        self.days = [day for day in days if day.weekday() < 5]
        self.end = datetime(end.year, end.month, end.day, tzinfo=UTC)

    def moment(self, rng: random.Random, zone_name: str, *, first_weeks: int = 0) -> datetime:
        """A time in working hours; `first_weeks` keeps it within the window's first weeks."""
        days = self.days[: first_weeks * 5] if first_weeks else self.days
        day = days[rng.randrange(len(days))]
        minutes = rng.randrange(8 * 60, 18 * 60)
        return datetime(
            day.year, day.month, day.day, minutes // 60, minutes % 60, rng.randrange(60),
            tzinfo=zone(zone_name),
        )  # fmt: skip

    def slot(self, rng: random.Random, zone_name: str, *, first_weeks: int = 0) -> datetime:
        """A meeting start: on the hour or half hour, 9:00 to 16:30."""
        moment = self.moment(rng, zone_name, first_weeks=first_weeks)
        return moment.replace(hour=rng.randrange(9, 17), minute=rng.choice((0, 30)), second=0)

    def after(self, rng: random.Random, when: datetime, mean_hours: float) -> datetime | None:
        """A reply's time: minutes to days later, moved out of the night; None past the end."""
        later = when + timedelta(hours=max(0.07, rng.expovariate(1.0 / mean_hours)))
        if not 7 <= later.hour < 20:
            morning = later if later.hour < 7 else later + timedelta(days=1)
            later = morning.replace(hour=8, minute=rng.randrange(60), second=later.second)
        return later if later < self.end else None

    def within(self, when: datetime) -> bool:
        return when < self.end


class Ids:
    """Message-IDs and UIDs unique to one stream of activity (a member, a pair, a team)."""

    def __init__(self, seed: int, key: str) -> None:
        self._prefix = f"{seed}/{key}/"
        self._count = 0

    def message_id(self, domain: str) -> str:
        return f"{self._digest().upper()}@mail.{domain}"

    def uid(self, domain: str) -> str:
        digest = self._digest()
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}@{domain}"

    def _digest(self) -> str:
        self._count += 1
        key = f"{self._prefix}{self._count}".encode()
        return hashlib.blake2b(key, digest_size=10).hexdigest()


def thread(
    rng: random.Random,
    ids: Ids,
    clock: Clock,
    starter: Party,
    others: tuple[Party, ...],
    *,
    replies: int,
    cc: tuple[Party, ...] = (),
    subject: str,
    start: datetime,
) -> list[Message]:
    """A conversation: `starter` writes to `others`, then the first of them and the starter take
    turns `replies` times (0: nobody answers). References and In-Reply-To chain correctly."""
    messages: list[Message] = []
    sender, recipients, when = starter, others, start
    for turn in range(replies + 1):
        previous = messages[-1] if messages else None
        message_id = ids.message_id(sender.email.split("@", 1)[1])
        references = ((*previous.references, previous.message_id))[-20:] if previous else ()
        messages.append(
            Message(
                message_id=message_id,
                sent=when.astimezone(zone(sender.zone)),
                sender=sender,
                to=recipients,
                cc=cc,
                in_reply_to=previous.message_id if previous else "",
                references=references,
                subject=("Re: " if turn else "") + subject,
                body=body(rng, sender, recipients),
            )
        )
        if turn == replies:
            break
        next_time = clock.after(rng, when, mean_hours=6.0)
        if next_time is None:
            break
        when = next_time
        if sender is starter:
            sender, recipients = others[0], (starter,)
        else:
            sender, recipients = starter, others
    return messages


def follow_ups(
    rng: random.Random, ids: Ids, clock: Clock, sender: Party, to: tuple[Party, ...], *,
    count: int, subject: str, start: datetime,
) -> list[Message]:  # fmt: skip
    """One-way mail: the sender writes, then nudges, and nobody answers."""
    messages: list[Message] = []
    when: datetime | None = start
    for _ in range(count):
        if when is None:
            break
        previous = messages[-1] if messages else None
        references = ((*previous.references, previous.message_id))[-20:] if previous else ()
        messages.append(
            Message(
                message_id=ids.message_id(sender.email.split("@", 1)[1]),
                sent=when.astimezone(zone(sender.zone)),
                sender=sender,
                to=to,
                cc=(),
                in_reply_to=previous.message_id if previous else "",
                references=references,
                subject=("Re: " if previous else "") + subject,
                body=body(rng, sender, to),
            )
        )
        when = clock.after(rng, when, mean_hours=24.0 * 5)
    return messages


def body(rng: random.Random, sender: Party, to: tuple[Party, ...]) -> str:
    name = to[0].first_name if len(to) == 1 else "all"
    greeting = rng.choice(phrases.GREETINGS).format(name=name)
    line = rng.choice(phrases.LINES)
    return f"{greeting}\n\n{line}\n\n{rng.choice(phrases.CLOSINGS)},\n{sender.first_name}\n"


def partstat(rng: random.Random) -> str:
    return rng.choices(
        ("ACCEPTED", "TENTATIVE", "DECLINED", "NEEDS-ACTION"), (0.75, 0.07, 0.08, 0.10)
    )[0]
