"""Activity among members: pair threads, 1:1s and team meetings, in every participant's files."""

from __future__ import annotations

from tiegraph.demo import phrases
from tiegraph.demo.activity import Activity, member_party, weekly_series
from tiegraph.demo.text import poisson, stream
from tiegraph.demo.timeline import Clock, Ids, Meeting, partstat, thread
from tiegraph.demo.world import World

# Per pair of members and month (at activity factor 1).
_PAIR_THREADS = {"strong": 4.0, "good": 1.5, "weak": 0.3}
_PAIR_MEETINGS = {"strong": 0.0, "good": 0.5, "weak": 0.0}
_TEAM_THREADS = 2.0


def internal_activity(world: World, number: int, factor: float) -> tuple[Activity, Activity]:
    """What member `number`'s mailbox and calendar hold of internal activity, and the part of it
    this member is the first holder of (so that shared items are counted once)."""
    held, first = Activity(), Activity()
    for other, strength in world.colleagues(number):
        low, high = min(number, other), max(number, other)
        pair = pair_activity(world, low, high, strength, factor)
        held.extend(pair)
        if number == low:
            first.extend(pair)
    team = world.teams[number]
    team_members = [m for m, t in enumerate(world.teams) if t == team]
    if len(team_members) > 1:
        shared = team_activity(world, team, team_members, factor)
        held.extend(shared)
        if number == team_members[0]:
            first.extend(shared)
    return held, first


def pair_activity(world: World, low: int, high: int, strength: str, factor: float) -> Activity:
    rng = stream(world.seed, "pair", low, high)
    ids = Ids(world.seed, f"p{low}-{high}")
    clock = Clock(world.window_start, world.scale.end_date)
    a, b = member_party(world.members[low]), member_party(world.members[high])
    months = world.scale.months * factor
    activity = Activity()
    for _ in range(poisson(rng, _PAIR_THREADS[strength] * months)):
        starter, other = (a, b) if rng.random() < 0.5 else (b, a)
        replies = rng.randint(1, 4) if rng.random() < 0.85 else 0
        activity.messages += thread(
            rng, ids, clock, starter, (other,), replies=replies,
            subject=rng.choice(phrases.INTERNAL_SUBJECTS), start=clock.moment(rng, starter.zone),
        )  # fmt: skip
    if strength == "strong" and rng.random() < min(1.0, 0.6 * factor):
        activity.meetings.append(
            weekly_series(rng, ids, clock, a, ((b, "ACCEPTED"),), "1:1", a.zone)
        )
    for _ in range(poisson(rng, _PAIR_MEETINGS[strength] * months)):
        start = clock.slot(rng, a.zone)
        activity.meetings.append(
            Meeting(
                uid=ids.uid(a.email.split("@", 1)[1]),
                summary=rng.choice(phrases.MEETINGS_INTERNAL),
                start=start,
                minutes=rng.choice((30, 45, 60)),
                zone=a.zone,
                organizer=a,
                attendees=((b, partstat(rng)),),
            )
        )
    return activity


def team_activity(world: World, team: int, numbers: list[int], factor: float) -> Activity:
    rng = stream(world.seed, "team", team)
    ids = Ids(world.seed, f"t{team}")
    clock = Clock(world.window_start, world.scale.end_date)
    parties = [member_party(world.members[number]) for number in numbers]
    lead = parties[0]
    attendees = tuple(
        (party, rng.choices(("ACCEPTED", "DECLINED", "TENTATIVE"), (0.85, 0.1, 0.05))[0])
        for party in parties[1:]
    )
    activity = Activity()
    activity.meetings.append(
        weekly_series(rng, ids, clock, lead, attendees, "Team weekly", lead.zone)
    )
    months = world.scale.months * factor
    for _ in range(poisson(rng, _TEAM_THREADS * months)):
        sender = rng.choice(parties)
        others = tuple(party for party in parties if party is not sender)
        activity.messages += thread(
            rng, ids, clock, sender, others, replies=rng.choice((0, 0, 1, 2)),
            subject=rng.choice(phrases.INTERNAL_SUBJECTS), start=clock.moment(rng, sender.zone),
        )  # fmt: skip
    return activity
