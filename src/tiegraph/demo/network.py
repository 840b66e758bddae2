"""Whom each member knows: the address book, its sources, and the latent strength of each tie."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tiegraph.demo.people import Person, Schooling, email_local
from tiegraph.demo.text import stream
from tiegraph.demo.world import Member, World

SOURCES = ("linkedin", "google", "outlook", "vcard")
# Origin of an acquaintance -> how likely it is to be a close tie rather than a name in a list.
_CLOSENESS = {"account": 4.0, "former": 3.0, "school": 2.0, "private": 2.0, "other": 1.0}
_WEAK_OUTSIDE_BOOK = 0.2  # weak ties met only by mail, never saved in an address book


@dataclass(frozen=True, slots=True)
class Acquaintance:
    """One person a member knows, in the address book, in activity, or both."""

    person: Person
    origin: str  # colleague | former | account | school | other | private
    tie: str  # strong | good | weak | "" (a name in the address book, no activity)
    address: str  # the address activity with this person uses, "" without activity
    sources: tuple[str, ...]  # the member's exports that hold this person
    connected_on: date  # when the member connected on LinkedIn
    duplicate: bool = False  # saved twice in the member's Google contacts


@dataclass(frozen=True, slots=True)
class Network:
    member: Member
    sources: tuple[str, ...]  # the exports this member has
    people: tuple[Acquaintance, ...]

    @property
    def ties(self) -> tuple[Acquaintance, ...]:
        return tuple(person for person in self.people if person.tie)


def build_network(world: World, member: Member) -> Network:
    rng = stream(world.seed, "network", member.number)
    sources = tuple(
        source
        for source, chance in zip(SOURCES, (0.92, 0.6, 0.35, 0.35), strict=True)
        if rng.random() < chance
    ) or ("google",)
    median = world.scale.contacts_per_member
    book = min(max(30, round(rng.lognormvariate(math.log(median), 0.5))), 4 * median)
    private_count = round(book * rng.uniform(0.2, 0.35))
    others = world.scale.persons - world.scale.members
    picks = _directory_picks(world, member, rng, min(book - private_count, int(0.4 * others)))
    known = [(world.person(index), origin) for index, origin in picks.items()]
    known += [(world.private_person(member.number, k), "private") for k in range(private_count)]
    outside = _outside_book(world, rng, picks, member)
    ties = _ties(rng, known, len(outside))
    people = [
        _acquaintance(world, rng, person, origin, tie, sources)
        for (person, origin), tie in zip(known, ties, strict=True)
    ]
    people += [_acquaintance(world, rng, person, "other", "weak", ()) for person in outside]
    return Network(member, sources, tuple(people))


def _directory_picks(
    world: World, member: Member, rng: random.Random, wanted: int
) -> dict[int, str]:
    """Directory persons in the address book, by where the member knows them from."""
    members = world.scale.members
    budget = {
        "colleague": wanted,
        "former": wanted // 4,
        "account": wanted // 3,
        "school": max(2, wanted // 25),
        "other": wanted,
    }
    picks: dict[int, str] = {}
    used = dict.fromkeys(budget, 0)

    def add(index: int, origin: str) -> None:
        if len(picks) >= wanted or used[origin] >= budget[origin] or index in picks:
            return
        if index != member.number and (index >= members or origin == "colleague"):
            picks[index] = origin
            used[origin] += 1

    for other, _ in world.colleagues(member.number):
        add(other, "colleague")
    for other in rng.sample(range(members), min(members, max(2, members // 10))):
        add(other, "colleague")
    for job in member.person.jobs:
        for index in _sample(rng, world.company_people[job.company.index], rng.randint(5, 25)):
            add(index, "former")
    for _ in range(rng.randint(3, 10)):
        company = world.factory.draw_company(rng, allow_own=False).index
        for index in _sample(rng, world.company_people[company], rng.randint(5, 30)):
            if world.current_company[index] == company:
                add(index, "account")
    for schooling in member.person.education:
        for index in _sample(rng, world.school_people.get(schooling.school, ()), 10):
            if index >= members and _classmates(schooling, world.person(index)):
                add(index, "school")
    others = world.scale.persons - members
    while len(picks) < wanted:
        # Half are well-connected people many members know, half anyone at all.
        skew = 2.2 if rng.random() < 0.5 else 1.0
        add(members + int(others * rng.random() ** skew), "other")
    return picks


def _classmates(schooling: Schooling, person: Person) -> bool:
    return any(
        other.school == schooling.school
        and other.start_year <= schooling.end_year
        and schooling.start_year <= other.end_year
        for other in person.education
    )


def _outside_book(
    world: World, rng: random.Random, picks: dict[int, str], member: Member
) -> list[Person]:
    """Directory persons the member mails with but never saved."""
    count = round(rng.randint(40, 160) * _WEAK_OUTSIDE_BOOK)
    members, others = world.scale.members, world.scale.persons - world.scale.members
    chosen: dict[int, None] = {}
    for _ in range(count * 3):
        index = members + rng.randrange(others)
        if index not in picks and index != member.number:
            chosen[index] = None
        if len(chosen) == count:
            break
    people = [world.person(index) for index in chosen]
    return [person for person in people if person.address]


def _ties(rng: random.Random, known: list[tuple[Person, str]], outside: int) -> list[str]:
    """Latent strength of each known person's tie, in order: few strong, more good, many weak."""
    candidates = [
        position
        for position, (person, origin) in enumerate(known)
        if origin != "colleague" and person.address
    ]
    # Efraimidis-Spirakis: a weighted sample without replacement, close origins first.
    keys = {
        position: rng.random() ** (1.0 / _CLOSENESS[known[position][1]]) for position in candidates
    }
    candidates.sort(key=keys.__getitem__, reverse=True)
    strong, good = rng.randint(3, 8), rng.randint(10, 30)
    weak = max(0, rng.randint(40, 160) - outside)
    ties = [""] * len(known)
    for position in candidates[:strong]:
        ties[position] = "strong"
    for position in candidates[strong : strong + good]:
        ties[position] = "good"
    rest = candidates[strong + good :]
    for position in rng.sample(rest, min(len(rest), weak)):
        ties[position] = "weak"
    return ties


def _acquaintance(
    world: World,
    rng: random.Random,
    person: Person,
    origin: str,
    tie: str,
    member_sources: tuple[str, ...],
) -> Acquaintance:
    span = (world.scale.end_date - date(2009, 1, 1)).days
    connected_on = world.scale.end_date - timedelta(days=1 + int(span * rng.random() ** 1.6))
    sources = _sources(rng, origin, tie, member_sources) if member_sources else ()
    duplicate = "google" in sources and rng.random() < 0.02
    address = _address(world, rng, person, tie) if tie else ""
    return Acquaintance(person, origin, tie, address, sources, connected_on, duplicate)


def _sources(
    rng: random.Random, origin: str, tie: str, member_sources: tuple[str, ...]
) -> tuple[str, ...]:
    private = origin == "private"
    chance = {
        "linkedin": 0.55 if private else 0.85,
        "google": 0.8 if private else {"strong": 0.9, "good": 0.9, "weak": 0.55}.get(tie, 0.3),
        "outlook": 0.35 if private else (0.75 if tie else 0.25),
        "vcard": 0.75 if private else {"strong": 0.9, "good": 0.5, "weak": 0.15}.get(tie, 0.08),
    }
    chosen = tuple(source for source in member_sources if rng.random() < chance[source])
    return chosen or (rng.choice(member_sources),)


def _address(world: World, rng: random.Random, person: Person, tie: str) -> str:
    """Mostly the work address; sometimes a personal one, rarely one the directory lacks."""
    if person.personal_email and rng.random() < (0.25 if tie == "strong" else 0.08):
        return person.personal_email
    current = person.current_job
    if person.work_email and current is not None and rng.random() < 0.03:
        pattern = "flast" if current.company.email_pattern != "flast" else "first.last"
        local = email_local(pattern, person.first_name, person.last_name)
        alias = f"{local}@{person.work_email.split('@')[1]}"
        if alias not in world.emails:
            return alias
    return person.address


def _sample(rng: random.Random, people: Sequence[int], count: int) -> list[int]:
    """Up to `count` of `people`, drawn with replacement: no copy of a large company's list."""
    if len(people) <= count:
        return list(people)
    return [people[rng.randrange(len(people))] for _ in range(count)]
