"""The demo's persons: names, careers across companies, schools, addresses and phones."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from datetime import date

from tiegraph.demo import names
from tiegraph.demo.companies import Company
from tiegraph.demo.phones import Phone
from tiegraph.demo.scale import DemoScale
from tiegraph.demo.text import address_part, slug

_FUNCTIONS = tuple(names.TITLES)
_JOB_COUNTS = ((1, 2, 3, 4), (0.30, 0.34, 0.22, 0.14))
_ZONE_OF_PHONE = {"GB": "Europe/London", "FR": "Europe/Paris", "AU": "Australia/Sydney"}
_US_ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles")


@dataclass(frozen=True, slots=True)
class Job:
    company: Company
    title: str
    start: date
    end: date | None  # None: current


@dataclass(frozen=True, slots=True)
class Schooling:
    school: str
    degree: str
    start_year: int
    end_year: int


@dataclass(frozen=True, slots=True)
class Person:
    """A person of the directory (index >= 0) or of one member's private network (index -1)."""

    index: int
    external_id: str
    first_name: str
    last_name: str
    culture: str
    zone: str
    work_email: str
    personal_email: str
    old_email: str  # an address at a previous employer, "" when none
    phone: Phone | None
    profile_url: str
    profile_listed: bool  # whether the directory knows the profile URL
    jobs: tuple[Job, ...]  # oldest first
    education: tuple[Schooling, ...]
    date_precision: str  # how the directory writes this person's dates: year | month | day

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def emails(self) -> tuple[str, ...]:
        return tuple(e for e in (self.work_email, self.personal_email, self.old_email) if e)

    @property
    def current_job(self) -> Job | None:
        return self.jobs[-1] if self.jobs and self.jobs[-1].end is None else None

    @property
    def previous_job(self) -> Job | None:
        """The latest job at another company than the current one: an address book's stale entry."""
        return _previous_job(self.jobs)

    @property
    def address(self) -> str:
        """The address this person writes mail from."""
        return self.work_email or self.personal_email or self.old_email


class PersonFactory:
    """Makes person `index` from its own random stream, so persons can be made in any order."""

    def __init__(
        self, scale: DemoScale, companies: list[Company], weights: list[float], schools: list[str]
    ) -> None:
        self.scale = scale
        self.companies = companies
        self._cumulative: list[float] = []
        running = 0.0
        for weight in weights:
            running += weight
            self._cumulative.append(running)
        self._schools = schools
        self._culture_weights = [culture.weight for culture in names.CULTURES]

    def make(self, rng: random.Random, index: int, *, member: bool, phone: Phone | None) -> Person:
        culture = rng.choices(names.CULTURES, self._culture_weights)[0]
        if member and rng.random() < 0.5:
            culture = names.CULTURES[0]  # the members' company sits in the US
        first, last = rng.choice(culture.first_names), rng.choice(culture.last_names)
        first_year = rng.randint(1990, self.scale.end_date.year - (4 if member else 1))
        jobs = self._career(rng, first_year, member)
        current = jobs[-1] if jobs[-1].end is None else None
        previous = _previous_job(jobs)
        personal = ""
        if rng.random() < (0.35 if current else 0.75):
            personal = _personal_email(rng, first, last)
        old = ""
        if previous is not None and previous.company.index != 0 and rng.random() < 0.3:
            old = company_email(previous.company, first, last)
        work = ""
        if current is not None:
            work = company_email(current.company, first, last, None if member else rng)
        return Person(
            index=index,
            external_id=f"P{index:07d}",
            first_name=first,
            last_name=last,
            culture=culture.code,
            zone=_zone(rng, culture, phone),
            work_email=work,
            personal_email=personal,
            old_email=old,
            phone=phone,
            profile_url=profile_url(rng, first, last),
            profile_listed=rng.random() < 0.8,
            jobs=jobs,
            education=self._education(rng, first_year, member),
            date_precision=rng.choices(("month", "year", "day"), (0.8, 0.12, 0.08))[0],
        )

    def draw_company(self, rng: random.Random, *, allow_own: bool = True) -> Company:
        """A company by weight: big companies come up far more often (heavy tail)."""
        while True:
            point = rng.random() * self._cumulative[-1]
            index = min(bisect.bisect_right(self._cumulative, point), len(self.companies) - 1)
            if allow_own or index != 0:
                return self.companies[index]

    def _career(self, rng: random.Random, first_year: int, member: bool) -> tuple[Job, ...]:
        end = self.scale.end_date
        start = date(first_year, rng.randint(1, 12), rng.randint(1, 28))
        span = _months_between(start, end)
        count = min(rng.choices(*_JOB_COUNTS)[0], 1 + span // 20)
        cuts = sorted(rng.sample(range(6, span - 2), count - 1)) if count > 1 else []
        starts = [start] + [_add_months(start, cut, rng.randint(1, 28)) for cut in cuts]
        function = rng.choice(_FUNCTIONS)
        level = rng.choice((0, 0, 1)) if first_year > 2012 else rng.choice((0, 1, 1))
        jobs: list[Job] = []
        for k, job_start in enumerate(starts):
            last = k == count - 1
            promoted = k > 0 and rng.random() < 0.2
            if last and member:
                company = self.companies[0]
            elif promoted:
                company = jobs[-1].company
            else:
                company = self.draw_company(rng, allow_own=not last)
            if k > 0:
                overlap = 0 if promoted else rng.choice((-2, -1, 0, 0, 1, 2, 3))
                previous_end = max(_add_months(job_start, overlap, 1), jobs[-1].start)
                jobs[-1] = Job(jobs[-1].company, jobs[-1].title, jobs[-1].start, previous_end)
            title = self._title(rng, function, level, company, member and last)
            job_end = None if last and (member or rng.random() < 0.9) else end
            if last and job_end is not None:
                job_end = min(_add_months(job_start, rng.randint(3, 40), 28), end)
                job_end = min(job_end, _add_months(end, -1, 15))
                job_end = max(job_end, job_start)
            jobs.append(Job(company, title, job_start, job_end))
            level = min(3, level + (1 if rng.random() < (0.9 if promoted else 0.45) else 0))
        return tuple(jobs)

    def _title(
        self, rng: random.Random, function: str, level: int, company: Company, member_job: bool
    ) -> str:
        if member_job:
            return rng.choice(names.MEMBER_TITLES)
        if company.size < 60 and rng.random() < 0.08:
            return rng.choice(names.FOUNDER_TITLES)
        return rng.choice(names.TITLES[function][level])

    def _education(
        self, rng: random.Random, first_year: int, member: bool
    ) -> tuple[Schooling, ...]:
        if rng.random() > (0.9 if member else 0.55):
            return ()
        end_year = first_year - rng.choice((0, 0, 1))
        start_year = end_year - rng.choice((3, 4, 4, 5))
        schools = [Schooling(self._school(rng), rng.choice(names.BACHELORS), start_year, end_year)]
        later = first_year + rng.randint(2, 8)
        if rng.random() < 0.25 and later + 2 <= self.scale.end_date.year:
            degree = rng.choice(names.MASTERS)
            schools.append(Schooling(self._school(rng), degree, later, later + rng.choice((1, 2))))
        return tuple(schools)

    def _school(self, rng: random.Random) -> str:
        # A few schools are where many people went: classmates are conversation starters.
        return self._schools[int(len(self._schools) * rng.random() ** 1.8)]


def company_email(company: Company, first: str, last: str, rng: random.Random | None = None) -> str:
    """The address a company gives a person; with `rng`, sometimes on its second domain."""
    domain = company.domains[0]
    if rng is not None and len(company.domains) > 1 and rng.random() < 0.15:
        domain = company.domains[1]
    return f"{email_local(company.email_pattern, first, last)}@{domain}"


def email_local(pattern: str, first: str, last: str) -> str:
    given, family = address_part(first) or "x", address_part(last) or "x"
    return {
        "first.last": f"{given}.{family}",
        "flast": f"{given[0]}{family}",
        "f.last": f"{given[0]}.{family}",
        "first": given,
        "first_last": f"{given}_{family}",
        "firstl": f"{given}{family[0]}",
    }[pattern]


def profile_url(rng: random.Random, first: str, last: str) -> str:
    return f"https://www.linkedin.com/in/{slug(first)}-{slug(last)}-{rng.getrandbits(32):08x}"


def _personal_email(rng: random.Random, first: str, last: str) -> str:
    given, family = address_part(first) or "x", address_part(last) or "x"
    number = rng.randint(60, 99)
    local = rng.choice(
        (
            f"{given}.{family}",
            f"{given}{family}",
            f"{given}.{family}{number}",
            f"{given[0]}{family}{number * 7}",
        )
    )
    return f"{local}@{rng.choice(names.PERSONAL_DOMAINS)}"


def _previous_job(jobs: tuple[Job, ...]) -> Job | None:
    if not jobs or jobs[-1].end is not None:
        return jobs[-1] if jobs else None
    current = jobs[-1].company.index
    return next((job for job in reversed(jobs) if job.company.index != current), None)


def _zone(rng: random.Random, culture: names.Culture, phone: Phone | None) -> str:
    if phone is None:
        return culture.zone
    if phone.country == "US":
        return rng.choice(_US_ZONES)
    return _ZONE_OF_PHONE[phone.country]


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _add_months(day: date, months: int, day_of_month: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, day_of_month)
