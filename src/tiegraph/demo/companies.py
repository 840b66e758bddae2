"""The demo's companies: names as registered, reserved domains, heavy-tailed sizes."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace

from tiegraph.demo import names
from tiegraph.demo.scale import DemoScale
from tiegraph.demo.text import slug, stream

# Address patterns a company's mail server hands out, with how common each one is.
EMAIL_PATTERNS = (
    ("first.last", 0.55),
    ("flast", 0.14),
    ("f.last", 0.08),
    ("first", 0.08),
    ("first_last", 0.07),
    ("firstl", 0.08),
)
_CULTURE_OF_COUNTRY = {
    "US": "en", "GB": "en", "DE": "de", "CH": "de", "FR": "fr", "NL": "nl", "ES": "es",
    "IT": "it", "JP": "ja", "IN": "in", "BR": "pt", "NG": "ng",
}  # fmt: skip
_FAMILY_JOINS = ("& Partners", "& Co.", "& Sons", "Brothers", "& Associates")
_ZIPF_EXPONENT = 1.0  # a few companies hold thousands of directory persons, most a handful
JOBS_PER_PERSON = 2.3  # the mean of the career model in people.py, for sizing


@dataclass(frozen=True, slots=True)
class Company:
    """One company of the directory (index >= 0) or of a private network only (index -1)."""

    index: int
    external_id: str
    name: str  # as registered and as the directory writes it: "Acme Corporation"
    brand: str  # what people call it: "Acme"
    descriptor: str  # "Logistics" in "Bluefield Logistics GmbH", or ""
    legal: str  # "GmbH", or ""
    domains: tuple[str, ...]
    size: int  # employees
    industry: str
    country: str
    email_pattern: str


def build_companies(seed: int, scale: DemoScale) -> tuple[list[Company], list[float]]:
    """All directory companies (index 0 is the members' own) and each one's weight for jobs."""
    rng = stream(seed, "companies")
    ranks = list(range(scale.companies - 1))
    rng.shuffle(ranks)
    weights = [0.0] + [1.0 / (rank + 1) ** _ZIPF_EXPONENT for rank in ranks]
    total = sum(weights)
    # The members' company: about as many former employees in the directory as members.
    weights[0] = total * (0.6 * scale.members) / (scale.persons * JOBS_PER_PERSON)
    taken_names = {scale.organization}
    taken_domains = {scale.domain}
    companies = [_organization(scale)]
    for index in range(1, scale.companies):
        expected = scale.persons * JOBS_PER_PERSON * weights[index] / total
        company_rng = stream(seed, "company", index)
        companies.append(_company(company_rng, index, expected, taken_names, taken_domains))
    return companies, weights


def private_company(seed: int, member: int, k: int) -> Company:
    """A small company of someone in a member's private network, unknown to the directory."""
    rng = stream(seed, "private-company", member, k)
    company = _company(rng, -1, rng.uniform(0.5, 3), set(), set(), private=True)
    # No directory domain ends in .example.net: a private company never passes for a known one.
    domain = company.domains[0].removesuffix(".example") + ".example.net"
    return replace(company, domains=(domain,))


def _organization(scale: DemoScale) -> Company:
    brand = scale.organization.split()[0]
    return Company(
        index=0,
        external_id="C000000",
        name=scale.organization,
        brand=brand,
        descriptor=" ".join(scale.organization.split()[1:]),
        legal="",
        domains=(scale.domain, f"{slug(scale.organization)}.example"),
        size=max(40, scale.members * 4),
        industry="Software",
        country="US",
        email_pattern="first.last",
    )


def _company(
    rng: random.Random,
    index: int,
    expected_people: float,
    taken_names: set[str],
    taken_domains: set[str],
    *,
    private: bool = False,
) -> Company:
    country = rng.choices(list(names.COMPANY_COUNTRIES), [w for w, _ in _countries()])[0]
    industry = rng.choice(list(names.INDUSTRIES))
    legal = rng.choice(names.COMPANY_COUNTRIES[country][1])
    for attempt in range(50):
        brand, descriptor = _brand(rng, country, industry, private)
        if attempt > 20:
            descriptor = f"{descriptor} {rng.choice(('Global', 'International', 'Holdings'))}"
        name = " ".join(part for part in (brand, descriptor.strip(), legal) if part)
        if name not in taken_names:
            break
    taken_names.add(name)
    return Company(
        index=index,
        external_id=f"C{index:06d}" if index >= 0 else "",
        name=name,
        brand=brand,
        descriptor=descriptor.strip(),
        legal=legal,
        domains=_domains(rng, brand, descriptor, country, taken_domains),
        size=_employees(rng, expected_people),
        industry=industry,
        country=country,
        email_pattern=rng.choices(*zip(*EMAIL_PATTERNS, strict=True))[0],
    )


def _countries() -> list[tuple[float, tuple[str, ...]]]:
    return list(names.COMPANY_COUNTRIES.values())


def _brand(rng: random.Random, country: str, industry: str, private: bool) -> tuple[str, str]:
    style = rng.random()
    descriptor = rng.choice(names.INDUSTRIES[industry])
    if private or style < 0.15:
        culture = next(c for c in names.CULTURES if c.code == _CULTURE_OF_COUNTRY[country])
        family = rng.choice(culture.last_names)
        family = family[0].upper() + family[1:]
        join = rng.choice(_FAMILY_JOINS) if rng.random() < 0.5 else descriptor
        return family, join
    if style < 0.55:
        brand = rng.choice(names.BRANDS)
    else:
        brand = rng.choice(names.BRAND_HEADS) + rng.choice(names.BRAND_TAILS)
    return brand, descriptor if rng.random() < 0.7 else ""


def _domains(
    rng: random.Random, brand: str, descriptor: str, country: str, taken: set[str]
) -> tuple[str, ...]:
    base = slug(brand).replace("-", "")
    full = slug(f"{brand} {descriptor.lstrip('&')}")
    candidates = [
        f"{base}.example" if rng.random() < 0.6 else f"{full}.example",
        f"{full.replace('-', '')}.example",
        f"{base}.example.com",
        f"{base}-{country.lower()}.example",
        f"{base}group.example",
    ]
    count = rng.choices((1, 2, 3), (0.55, 0.35, 0.10))[0]
    domains: list[str] = []
    for candidate in candidates:
        domain = candidate
        serial = 2
        while domain in taken:
            domain = candidate.replace(".example", f"{serial}.example", 1)
            serial += 1
        if domain not in domains:
            domains.append(domain)
            taken.add(domain)
        if len(domains) == count:
            break
    return tuple(domains)


def _employees(rng: random.Random, expected_people: float) -> int:
    """Employees: the directory knows a few percent of a company's staff."""
    size = max(2.0, expected_people * math.exp(rng.gauss(math.log(12), 0.7)))
    if size > 1000:
        return int(round(size, -2))
    return round(size) if size < 100 else int(round(size, -1))
