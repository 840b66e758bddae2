"""The deterministic model of the demo world: companies, persons, members and their teams."""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from functools import cached_property

from tiegraph.demo import names
from tiegraph.demo.companies import Company, build_companies, private_company
from tiegraph.demo.people import Job, Person, PersonFactory, company_email, profile_url
from tiegraph.demo.phones import phone_for_slot
from tiegraph.demo.scale import DemoScale
from tiegraph.demo.text import address_part, stream

_TEAM_COUNTRY = {"America/New_York": "US", "America/Los_Angeles": "US", "Europe/London": "GB"}


@dataclass(frozen=True, slots=True)
class Member:
    """A colleague in the demo organization; also a person of the directory."""

    number: int
    person: Person
    role: str  # admin | member
    team: int
    zone: str
    country: str  # where the member's phone dials from: national numbers are local to it

    @property
    def email(self) -> str:
        return self.person.work_email

    @property
    def local_part(self) -> str:
        return self.email.split("@", 1)[0]

    @property
    def name(self) -> str:
        return self.person.full_name


class World:
    """Every fact of the demo, each from its own random stream.

    `scan()` makes the directory persons once, in order, giving every address a unique
    spelling and indexing who worked where; after it, `person(i)` remakes any person alone.
    """

    def __init__(self, seed: int, scale: DemoScale) -> None:
        self.seed = seed
        self.scale = scale
        end = scale.end_date
        months = end.year * 12 + end.month - 1 - scale.months
        self.window_start = date(months // 12, months % 12 + 1, end.day)
        self.companies, weights = build_companies(seed, scale)
        schools = list(names.SCHOOLS)
        stream(seed, "schools").shuffle(schools)
        self.factory = PersonFactory(scale, self.companies, weights, schools)
        self._phone_step = _coprime_step(scale.persons, seed)
        self._overrides: dict[int, tuple[str, str, str]] = {}
        self.emails: set[str] = set()
        self.company_people = [array("i") for _ in self.companies]
        self.current_company = array("i", [-1]) * scale.persons
        self.school_people: dict[str, array[int]] = {}
        self._scanned = False

    # --- directory persons -------------------------------------------------------------------

    def scan(self) -> Iterator[Person]:
        """Every directory person in index order (members first), made unique and indexed."""
        for index in range(self.scale.persons):
            person = self._unique_addresses(self._make(index))
            self._index(person)
            yield person
        self._scanned = True

    def person(self, index: int) -> Person:
        if not self._scanned:
            raise RuntimeError("World.scan() must run before persons are remade")
        person = self._make(index)
        override = self._overrides.get(index)
        if override is None:
            return person
        work, personal, old = override
        return replace(person, work_email=work, personal_email=personal, old_email=old)

    def _make(self, index: int) -> Person:
        rng = stream(self.seed, "person", index)
        phone = None
        if rng.random() < 0.6:
            phone = phone_for_slot(index * self._phone_step % self.scale.persons)
        return self.factory.make(rng, index, member=index < self.scale.members, phone=phone)

    def _unique_addresses(self, person: Person) -> Person:
        addresses = (person.work_email, person.personal_email, person.old_email)
        unique = (self._claim(addresses[0]), self._claim(addresses[1]), self._claim(addresses[2]))
        if unique == addresses:
            return person
        self._overrides[person.index] = unique
        work, personal, old = unique
        return replace(person, work_email=work, personal_email=personal, old_email=old)

    def _claim(self, address: str) -> str:
        if not address:
            return ""
        local, domain = address.split("@")
        candidate, serial = address, 2
        while candidate in self.emails:
            candidate = f"{local}{serial}@{domain}"
            serial += 1
        self.emails.add(candidate)
        return candidate

    def _index(self, person: Person) -> None:
        seen: set[int] = set()
        for job in person.jobs:
            if job.company.index not in seen:
                seen.add(job.company.index)
                self.company_people[job.company.index].append(person.index)
        current = person.current_job
        if current is not None:
            self.current_company[person.index] = current.company.index
        for schooling in person.education:
            self.school_people.setdefault(schooling.school, array("i")).append(person.index)

    # --- members -----------------------------------------------------------------------------

    @cached_property
    def members(self) -> list[Member]:
        teams = self.teams
        members = []
        for number in range(self.scale.members):
            zone = names.MEMBER_TEAMS[teams[number] % len(names.MEMBER_TEAMS)][1]
            members.append(
                Member(
                    number=number,
                    person=self.person(number),
                    role="admin" if number == 0 else "member",
                    team=teams[number],
                    zone=zone,
                    country=_TEAM_COUNTRY.get(zone, "DE"),
                )
            )
        return members

    @cached_property
    def teams(self) -> list[int]:
        """The team of each member: teams of four to eight colleagues."""
        rng = stream(self.seed, "teams")
        teams: list[int] = []
        team = 0
        while len(teams) < self.scale.members:
            teams.extend([team] * rng.randint(4, 8))
            team += 1
        teams = teams[: self.scale.members]
        if teams.count(teams[-1]) == 1 and teams[-1] > 0:
            teams[-1] -= 1  # nobody is a team of one
        return teams

    @cached_property
    def internal_ties(self) -> dict[tuple[int, int], str]:
        """Strength of each pair of members who work together (lower number first)."""
        rng = stream(self.seed, "internal-ties")
        members, teams = self.scale.members, self.teams
        ties: dict[tuple[int, int], str] = {}
        for a in range(members):
            for b in range(a + 1, members):
                if teams[a] == teams[b]:
                    ties[a, b] = rng.choices(("strong", "good", "weak"), (0.25, 0.5, 0.25))[0]
        for a in range(members):
            others = [
                b for b in rng.sample(range(members), min(members, 4)) if teams[b] != teams[a]
            ]
            for b in others[:2]:
                ties.setdefault((min(a, b), max(a, b)), rng.choice(("good", "weak", "weak")))
        return dict(sorted(ties.items()))

    def colleagues(self, number: int) -> list[tuple[int, str]]:
        """The members `number` works with, and how closely."""
        return [
            (b if a == number else a, strength)
            for (a, b), strength in self.internal_ties.items()
            if number in (a, b)
        ]

    # --- private networks ----------------------------------------------------------------------

    def private_person(self, member: int, k: int) -> Person:
        """Someone member `member` knows who is not in the directory (never added to it)."""
        rng = stream(self.seed, "private", member, k)
        culture = rng.choices(names.CULTURES, [c.weight for c in names.CULTURES])[0]
        first, last = rng.choice(culture.first_names), rng.choice(culture.last_names)
        draw = rng.random()
        company: Company | None = None
        if draw < 0.45:
            company = self.factory.draw_company(rng, allow_own=False)
        elif draw < 0.7:
            company = private_company(self.seed, member, k)
        work = ""
        jobs: tuple[Job, ...] = ()
        if company is not None:
            work = company_email(company, first, last)
            serial = 2
            while work in self.emails:  # someone else of that name in the directory
                local, domain = company_email(company, first, last).split("@")
                work, serial = f"{local}.{serial}@{domain}", serial + 1
            title = rng.choice(rng.choice(list(names.TITLES.values()))[rng.randint(0, 3)])
            start = date(rng.randint(2008, self.scale.end_date.year - 1), rng.randint(1, 12), 1)
            jobs = (Job(company, title, start, None),)
        personal = ""
        if not work or rng.random() < 0.4:
            local = f"{address_part(first)}.{address_part(last)}{rng.randint(1, 99)}"
            personal = f"{local}@{rng.choice(names.PRIVATE_DOMAINS)}"
        slot = self.scale.persons + member + k * self.scale.members
        phone = phone_for_slot(slot) if rng.random() < 0.7 else None
        return Person(
            index=-1,
            external_id="",
            first_name=first,
            last_name=last,
            culture=culture.code,
            zone=culture.zone,
            work_email=work,
            personal_email=personal,
            old_email="",
            phone=phone,
            profile_url=profile_url(rng, first, last),
            profile_listed=False,
            jobs=jobs,
            education=(),
            date_precision="month",
        )


def _coprime_step(modulus: int, seed: int) -> int:
    """A multiplier coprime to `modulus`: i * step % modulus deals each person a distinct slot."""
    step = 2654435761 + seed * 2
    while math.gcd(step, modulus) != 1:
        step += 1
    return step
