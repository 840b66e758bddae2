"""A member's activity with the people they know: threads, meetings and calls by tie strength."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from tiegraph.demo import phrases
from tiegraph.demo.network import Acquaintance, Network
from tiegraph.demo.phones import Phone
from tiegraph.demo.text import poisson, stream
from tiegraph.demo.timeline import (
    Call,
    Clock,
    Ids,
    Meeting,
    Message,
    Party,
    follow_ups,
    partstat,
    thread,
    zone,
)
from tiegraph.demo.world import Member, World


@dataclass(frozen=True, slots=True)
class _Rates:
    """What one tie of a strength class brings per month (at activity factor 1)."""

    threads: float
    two_way: float  # share of threads that get answers
    replies: tuple[int, int]
    calls: float
    meetings: float  # single 1:1 meetings
    series: float  # chance of a weekly 1:1 series


RATES = {
    "strong": _Rates(3.0, 0.9, (1, 5), 2.0, 0.8, 0.35),
    "good": _Rates(0.8, 0.65, (1, 3), 0.25, 0.0, 0.0),
    "weak": _Rates(0.2, 0.3, (1, 2), 0.03, 0.0, 0.0),
}
SMALL_MEETINGS, LARGE_MEETINGS = 2.0, 0.8  # per member and month
NEWSLETTERS, GROUP_MAIL = 1.2, 0.8


@dataclass
class Activity:
    messages: list[Message] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def extend(self, other: Activity) -> None:
        self.messages += other.messages
        self.meetings += other.meetings
        self.calls += other.calls


def member_party(member: Member) -> Party:
    return Party(member.email, member.name, member.zone, member=True)


def external_activity(world: World, network: Network, factor: float) -> Activity:
    """Everything between one member and the persons they have ties with."""
    member = network.member
    context = _Context(
        rng=stream(world.seed, "activity", member.number),
        ids=Ids(world.seed, f"m{member.number}"),
        clock=Clock(world.window_start, world.scale.end_date),
        me=member_party(member),
        member=member,
        months=factor * world.scale.months,
        organization=world.scale.organization,
    )
    ties = network.ties
    parties = [Party(tie.address, tie.person.full_name, tie.person.zone) for tie in ties]
    activity = Activity()
    for tie, party in zip(ties, parties, strict=True):
        _tie_activity(context, tie, party, activity)
    _group_meetings(context, ties, parties, activity)
    _mass_mail(context, ties, parties, activity)
    return activity


@dataclass(frozen=True, slots=True)
class _Context:
    rng: random.Random
    ids: Ids
    clock: Clock
    me: Party
    member: Member
    months: float  # months of activity times the activity factor
    organization: str


def _tie_activity(context: _Context, tie: Acquaintance, party: Party, activity: Activity) -> None:
    rng, me, clock, rates = context.rng, context.me, context.clock, RATES[tie.tie]
    for _ in range(poisson(rng, rates.threads * context.months)):
        start, subject = clock.moment(rng, me.zone), rng.choice(phrases.SUBJECTS)
        if rng.random() < rates.two_way:
            starter, other = (me, party) if rng.random() < 0.55 else (party, me)
            activity.messages += thread(
                rng, context.ids, clock, starter, (other,),
                replies=rng.randint(*rates.replies), subject=subject, start=start,
            )  # fmt: skip
        elif rng.random() < 0.6:
            activity.messages += follow_ups(
                rng, context.ids, clock, me, (party,),
                count=rng.randint(1, 3), subject=subject, start=start,
            )  # fmt: skip
        else:
            activity.messages += follow_ups(
                rng, context.ids, clock, party, (me,),
                count=rng.randint(1, 2), subject=subject, start=start,
            )  # fmt: skip
    phone = tie.person.phone
    if phone is not None:
        for _ in range(poisson(rng, rates.calls * context.months)):
            activity.calls.append(_call(context, phone_written(rng, phone, context.member)))
    if rng.random() < min(1.0, rates.series * context.months / 6):
        activity.meetings.append(
            weekly_series(context.rng, context.ids, clock, me, ((party, "ACCEPTED"),),
                          rng.choice(phrases.MEETINGS_ONE_ON_ONE), me.zone)
        )  # fmt: skip
    for _ in range(poisson(rng, rates.meetings * context.months)):
        activity.meetings.append(
            _meeting(context, rng.choice(phrases.MEETINGS_ONE_ON_ONE), [party])
        )


def _group_meetings(
    context: _Context, ties: tuple[Acquaintance, ...], parties: list[Party], activity: Activity
) -> None:
    rng = context.rng
    close = [i for i, tie in enumerate(ties) if tie.tie in ("strong", "good")]
    for _ in range(poisson(rng, SMALL_MEETINGS * context.months) if close else 0):
        anchor = ties[rng.choice(close)]
        company = anchor.person.current_job.company.index if anchor.person.current_job else -2
        # A customer meeting: people of the anchor's company first, then anyone close.
        same = [i for i, tie in enumerate(ties) if _works_at(tie, company)]
        chosen = list(dict.fromkeys(rng.sample(same, min(len(same), rng.randint(1, 5)))))
        if len(chosen) < 2:
            chosen += rng.sample(close, min(len(close), rng.randint(1, 3)))
        summary = rng.choice(phrases.MEETINGS_SMALL).format(org=context.organization)
        activity.meetings.append(
            _meeting(context, summary, [parties[i] for i in dict.fromkeys(chosen)])
        )
    for _ in range(poisson(rng, LARGE_MEETINGS * context.months)):
        chosen = rng.sample(range(len(ties)), min(len(ties), rng.randint(9, 39)))
        if chosen:
            summary = rng.choice(phrases.MEETINGS_LARGE)
            activity.meetings.append(_meeting(context, summary, [parties[i] for i in chosen]))


def _mass_mail(
    context: _Context, ties: tuple[Acquaintance, ...], parties: list[Party], activity: Activity
) -> None:
    """Newsletters the member sends to many, and group mail others send to the member."""
    rng, me = context.rng, context.me
    sends_newsletters = rng.random() < 0.6
    for _ in range(poisson(rng, NEWSLETTERS * context.months) if sends_newsletters and ties else 0):
        recipients = tuple(rng.sample(parties, min(len(parties), rng.randint(30, 200))))
        split = len(recipients) if rng.random() < 0.7 else rng.randint(1, 5)
        subject = rng.choice(phrases.NEWSLETTER_SUBJECTS).format(org=context.organization)
        activity.messages += thread(
            rng, context.ids, context.clock, me, recipients[:split], cc=recipients[split:],
            replies=0, subject=subject, start=context.clock.moment(rng, me.zone),
        )  # fmt: skip
    weak = [party for party, tie in zip(parties, ties, strict=True) if tie.tie != "strong"]
    for _ in range(poisson(rng, GROUP_MAIL * context.months) if len(weak) > 3 else 0):
        sender, *others = rng.sample(weak, min(len(weak), rng.randint(3, 15)))
        cut = rng.randint(0, len(others))
        activity.messages += thread(
            rng, context.ids, context.clock, sender, (me, *others[:cut]), cc=tuple(others[cut:]),
            replies=1 if rng.random() < 0.25 else 0, subject=rng.choice(phrases.GROUP_SUBJECTS),
            start=context.clock.moment(rng, me.zone),
        )  # fmt: skip


def _works_at(tie: Acquaintance, company: int) -> bool:
    job = tie.person.current_job
    return job is not None and job.company.index == company and tie.tie != "weak"


def _meeting(context: _Context, summary: str, guests: list[Party]) -> Meeting:
    """A single meeting, organized by the member or, sometimes, by the first guest."""
    rng, me = context.rng, context.me
    if rng.random() < 0.7 or not guests:
        organizer, zone_name = me, me.zone
        attendees = tuple((guest, partstat(rng)) for guest in guests)
    else:
        organizer, zone_name = guests[0], "UTC"  # invitations from outside come in UTC
        own = rng.choices(("ACCEPTED", "TENTATIVE", "DECLINED"), (0.85, 0.05, 0.1))[0]
        attendees = ((me, own), *((guest, partstat(rng)) for guest in guests[1:]))
    start = context.clock.slot(rng, me.zone).astimezone(zone(zone_name))
    return Meeting(
        uid=context.ids.uid(organizer.email.split("@", 1)[1]),
        summary=summary,
        start=start,
        minutes=rng.choice((30, 30, 45, 60, 60, 90)),
        zone=zone_name,
        organizer=organizer,
        attendees=attendees,
    )


def weekly_series(
    rng: random.Random,
    ids: Ids,
    clock: Clock,
    organizer: Party,
    attendees: tuple[tuple[Party, str], ...],
    summary: str,
    zone_name: str,
) -> Meeting:
    """A weekly meeting over the window, sometimes ended early, with a skipped week or two."""
    first = clock.slot(rng, zone_name, first_weeks=4)
    weeks = 1
    while clock.within(first + timedelta(weeks=weeks)):
        weeks += 1
    count = weeks if rng.random() < 0.6 else max(2, weeks - rng.randint(1, 8))
    skipped = rng.sample(range(1, count), min(count - 1, rng.randint(0, 2)))
    return Meeting(
        uid=ids.uid(organizer.email.split("@", 1)[1]),
        summary=summary,
        start=first,
        minutes=rng.choice((25, 30, 45)),
        zone=zone_name,
        organizer=organizer,
        attendees=attendees,
        weekly=count,
        exdates=tuple(first + timedelta(weeks=week) for week in sorted(skipped)),
        count_rule=rng.random() < 0.5,
    )


def _call(context: _Context, other: str) -> Call:
    rng = context.rng
    direction = rng.choices(("out", "in", "missed"), (0.5, 0.38, 0.12))[0]
    seconds = 0 if direction == "missed" else int(min(5400, 20 + rng.lognormvariate(5.5, 0.9)))
    return Call(
        context.me.email, other, context.clock.moment(rng, context.me.zone), seconds, direction
    )


def phone_written(rng: random.Random, phone: Phone, member: Member) -> str:
    """The number as the member's phone logged it: local numbers in national form, sometimes."""
    if phone.country == member.country and rng.random() < 0.4:
        return phone.national()
    return phone.international() if rng.random() < 0.1 else phone.e164
