"""A member's address-book entries per export, each with the noise that source typically adds."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from tiegraph.demo import noise
from tiegraph.demo.network import Acquaintance, Network
from tiegraph.demo.people import Person
from tiegraph.demo.text import ascii_fold, stream

# Per source: how often each kind of noise shows up, and how often an email is present.
_NOISE: dict[str, dict[str, float]] = {
    "linkedin": {
        "nickname": 0.12, "accents": 0.05, "case": 0.02, "typo": 0.01, "company": 0.3,
        "outdated": 0.03, "no_company": 0.04, "email": 0.1, "phone": 0.0, "second_email": 0.0,
    },
    "google": {
        "nickname": 0.3, "accents": 0.2, "case": 0.05, "typo": 0.03, "company": 0.45,
        "outdated": 0.15, "no_company": 0.15, "email": 0.85, "phone": 0.5, "second_email": 0.3,
    },
    "outlook": {
        "nickname": 0.25, "accents": 0.25, "case": 0.04, "typo": 0.03, "company": 0.45,
        "outdated": 0.15, "no_company": 0.1, "email": 0.9, "phone": 0.5, "second_email": 0.2,
    },
    "vcard": {
        "nickname": 0.3, "accents": 0.15, "case": 0.03, "typo": 0.03, "company": 0.4,
        "outdated": 0.2, "no_company": 0.3, "email": 0.7, "phone": 0.9, "second_email": 0.25,
    },
}  # fmt: skip
_NOTES = (
    "Met at the spring trade fair",
    "Intro via a colleague\nFollow up in Q3",
    "Prefers calls before 10am",
    "Board member; ask about the pilot",
    "Kids at the same school",
)


@dataclass(frozen=True, slots=True)
class ContactEntry:
    """One row or card of one export: what the file says, and the truth behind it."""

    person_id: str  # the directory person's external id, "" for the private network
    first_name: str
    last_name: str
    nickname: str
    emails: tuple[tuple[str, str], ...]  # (label, address): Work | Home | Other
    phones: tuple[tuple[str, str], ...]  # (label, number as written): Mobile | Work
    company: str
    title: str
    profile_url: str
    connected_on: date
    notes: str
    noise: tuple[str, ...]


def entries(network: Network, source: str, seed: int) -> list[ContactEntry]:
    """The entries of one export of one member, in the order that export writes them."""
    rng = stream(seed, "contacts", network.member.number, source)
    rows: list[ContactEntry] = []
    for acquaintance in network.people:
        if source not in acquaintance.sources:
            continue
        rows.append(_entry(acquaintance, source, rng))
        if source == "google" and acquaintance.duplicate:
            rows.append(_entry(acquaintance, source, rng, duplicate=True))
    if source == "linkedin":
        rows.sort(key=lambda row: row.connected_on, reverse=True)
    elif source == "google":
        rng.shuffle(rows)
    else:
        rows.sort(key=lambda row: (row.last_name.casefold(), row.first_name.casefold()))
    return rows


def entry(
    acquaintance: Acquaintance, source: str, rng: random.Random, *, duplicate: bool = False
) -> ContactEntry:
    """One entry of `source`'s export for this acquaintance, with that source's noise.

    Exposed for benchmarks that write address books of their own size (bench/import_data.py).
    """
    return _entry(acquaintance, source, rng, duplicate=duplicate)


def _entry(
    acquaintance: Acquaintance, source: str, rng: random.Random, *, duplicate: bool = False
) -> ContactEntry:
    person = acquaintance.person
    odds = _NOISE[source]
    applied: list[str] = ["duplicate_entry"] if duplicate else []
    first, last, nick = _names(person, source, odds, rng, applied)
    job = person.current_job
    if person.previous_job and rng.random() < odds["outdated"]:
        job = person.previous_job
        applied.append("outdated_company")
    company, title = (job.company.name, job.title) if job else ("", "")
    if company and rng.random() < odds["no_company"]:
        company, title = "", ""
        applied.append("no_company")
    elif job and rng.random() < odds["company"]:
        company = noise.company_variant(job.company, rng)
        applied.append("company_variant")
    emails = _emails(person, source, odds, rng, applied, duplicate)
    phones: tuple[tuple[str, str], ...] = ()
    if person.phone and rng.random() < odds["phone"]:
        written = rng.choice(
            (person.phone.e164, person.phone.international(), person.phone.national())
        )
        phones = ((rng.choice(("Mobile", "Mobile", "Work")), written),)
    notes = rng.choice(_NOTES) if source != "linkedin" and rng.random() < 0.04 else ""
    return ContactEntry(
        person_id=person.external_id,
        first_name=first,
        last_name=last,
        nickname=nick,
        emails=emails,
        phones=phones,
        company=company,
        title=title,
        profile_url=person.profile_url,
        connected_on=acquaintance.connected_on,
        notes=notes,
        noise=tuple(applied),
    )


def _names(
    person: Person, source: str, odds: dict[str, float], rng: random.Random, applied: list[str]
) -> tuple[str, str, str]:
    first, last, nick = person.first_name, person.last_name, ""
    short = noise.nickname(first, rng)
    if short and rng.random() < odds["nickname"]:
        if source == "vcard" and rng.random() < 0.5:
            nick = short  # the card keeps the formal name and files the short one apart
        else:
            first = short
            applied.append("nickname")
    if ascii_fold(first + last) != first + last and rng.random() < odds["accents"]:
        first, last = noise.drop_accents(first), noise.drop_accents(last)
        applied.append("accents_dropped")
    if rng.random() < odds["case"]:
        first, last = noise.change_case(first, rng), noise.change_case(last, rng)
        applied.append("case_changed")
    if rng.random() < odds["typo"]:
        last = noise.typo(last, rng)
        applied.append("typo")
    return first, last, nick


def _emails(
    person: Person,
    source: str,
    odds: dict[str, float],
    rng: random.Random,
    applied: list[str],
    duplicate: bool,
) -> tuple[tuple[str, str], ...]:
    if duplicate and person.personal_email:
        return (("Home", person.personal_email),)
    if rng.random() >= odds["email"]:
        applied.append("no_email")
        return ()
    if source == "linkedin":
        # LinkedIn shows the address the account signed up with: often a personal one.
        address = person.personal_email or person.work_email or person.old_email
        return (("", address),) if address else ()
    stale = "outdated_company" in applied and person.old_email
    work = person.old_email if stale else person.work_email
    found: list[tuple[str, str]] = []
    if work:
        found.append(("Work", work))
    if person.personal_email and (not found or rng.random() < odds["second_email"]):
        found.append(("Home", person.personal_email))
    if not found:
        applied.append("no_email")
    return tuple(found)
