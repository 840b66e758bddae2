"""The data of bench_import.py: a directory store of the demo's world and one large address book.

The directory is the demo generator's world (`tiegraph.demo.world.World`) at benchmark scale,
written straight into the store's tables the way `import_directory` leaves them (companies and
their domains, persons with normalized emails and every job), in batches: importing a million
persons through the service would take most of an hour and measure something else. (Its
matching index, which import_directory also leaves saved, bench_import.py builds itself.)

The address book is one Google Contacts CSV of one member: directory persons and people only
that member knows (`World.private_person`), each row drawn with the noise of one of the demo's
four sources (`tiegraph.demo.contacts.entry`: nicknames, dropped accents, case, typos, company
spellings, outdated employers, missing emails, ...), 2% saved twice. The truth file says which
directory person each row is ("" for the member's private people).
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table

from tiegraph.core.companies import normalize_company
from tiegraph.core.emails import normalize_email
from tiegraph.demo import google
from tiegraph.demo.contacts import ContactEntry, entry
from tiegraph.demo.network import Acquaintance
from tiegraph.demo.people import Person
from tiegraph.demo.scale import DemoScale
from tiegraph.demo.world import World
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import open_store
from tiegraph.store.bulk import insert_rows
from tiegraph.store.schema import company, company_domain, employment, person, person_email

BATCH = 50_000
# How often each source's noise shapes a row: LinkedIn rows mostly lack an email.
SOURCE_MIX = (("linkedin", 0.35), ("google", 0.35), ("outlook", 0.15), ("vcard", 0.15))
IN_DIRECTORY = 0.75  # the rest are people only the member knows
MEMBERS = 25


@dataclass(frozen=True)
class Sizes:
    persons: int
    companies: int
    contacts: int
    seed: int

    @property
    def name(self) -> str:
        return f"p{self.persons}-c{self.contacts}-s{self.seed}"


def build(folder: Path, sizes: Sizes) -> None:
    """Write `directory.db`, `contacts.csv` and `truth.csv` into `folder` (made here)."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    scale = DemoScale(members=MEMBERS, persons=sizes.persons, companies=sizes.companies)
    world = World(sizes.seed, scale)
    rng = random.Random(sizes.seed)
    wanted = _picks(rng, sizes)
    store = open_store(f"sqlite:///{folder / 'directory.db'}")
    org = resolve_org(store, None)
    picked: dict[int, Person] = {}
    with store.write() as conn:
        _load(conn, company, _companies(org.id, world))
        _load(conn, company_domain, _domains(org.id, world))
        for persons, emails, jobs in _person_batches(org.id, world, wanted, picked):
            _load(conn, person, persons)
            _load(conn, person_email, emails)
            _load(conn, employment, jobs)
            print(f"\r  {persons[-1]['id']:,} persons", end="", flush=True)
    print(f"\n  directory written in {time.perf_counter() - started:.0f} s")
    owner = world.members[0]
    add_member(store, org, email=owner.email, name=owner.name)
    store.analyze()
    store.dispose()
    rows = _entries(rng, world, [picked[i] for i in sorted(wanted)], sizes.contacts)
    locators = google.write_google(folder / "contacts.csv", rows, rng)
    with (folder / "truth.csv").open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(("locator", "person_id", "noise"))
        for row, locator in zip(rows, locators, strict=True):
            out.writerow((locator, row.person_id, ";".join(row.noise)))
    print(f"  {len(rows):,} contacts written, {time.perf_counter() - started:.0f} s in all")


def _picks(rng: random.Random, sizes: Sizes) -> set[int]:
    """Indexes of the directory persons in the address book (never a colleague)."""
    count = min(round(sizes.contacts * IN_DIRECTORY), sizes.persons - MEMBERS)
    return set(rng.sample(range(MEMBERS, sizes.persons), count))


def _load(conn: Connection, table: Table, rows: Any) -> None:
    insert_rows(conn, table, rows, size=BATCH)


def _companies(org_id: int, world: World) -> Iterator[dict[str, Any]]:
    for c in world.companies:
        yield {
            "id": c.index + 1,
            "org_id": org_id,
            "external_id": c.external_id,
            "name": c.name,
            "name_key": normalize_company(c.name) or c.name.casefold(),
            "size": c.size,
            "industry": c.industry,
        }


def _domains(org_id: int, world: World) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for c in world.companies:
        for domain in c.domains:
            if domain not in seen:
                seen.add(domain)
                yield {"org_id": org_id, "company_id": c.index + 1, "domain": domain}


def _person_batches(
    org_id: int, world: World, wanted: set[int], picked: dict[int, Person]
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]]:
    """Rows of persons, their emails and jobs, as services/directory/importer.py writes them."""
    today = date.today()
    persons: list[dict[str, Any]] = []
    emails: list[dict[str, Any]] = []
    jobs: list[dict[str, Any]] = []
    for p in world.scan():
        if p.index in wanted:
            picked[p.index] = p
        pid = p.index + 1
        current = [j for j in p.jobs if j.end is None or j.end >= today]
        job = max(current, key=lambda j: j.start) if current else None
        persons.append(
            {
                "id": pid,
                "org_id": org_id,
                "external_id": p.external_id,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "full_name": p.full_name,
                "profile_url": p.profile_url if p.profile_listed else "",
                "company_id": job.company.index + 1 if job else None,
                "title": job.title if job else "",
                "origin": "directory",
            }
        )
        for address in dict.fromkeys(filter(None, map(normalize_email, p.emails))):
            emails.append({"org_id": org_id, "person_id": pid, "email": address})
        for j in p.jobs:
            jobs.append(
                {
                    "org_id": org_id,
                    "person_id": pid,
                    "company_id": j.company.index + 1,
                    "title": j.title,
                    "start_date": j.start,
                    "end_date": j.end,
                }
            )
        if len(persons) == BATCH:
            yield persons, emails, jobs
            persons, emails, jobs = [], [], []
    if persons:
        yield persons, emails, jobs


def _entries(
    rng: random.Random, world: World, known: list[Person], total: int
) -> list[ContactEntry]:
    """The address book's rows, in the shuffled order of a Google export."""
    people = list(known)
    people += [world.private_person(0, k) for k in range(max(0, total - len(known)))]
    sources = [s for s, _ in SOURCE_MIX]
    weights = [w for _, w in SOURCE_MIX]
    end = world.scale.end_date
    rows: list[ContactEntry] = []
    for p in people:
        source = rng.choices(sources, weights)[0]
        connected = end - timedelta(days=rng.randrange(1, 6000))
        acquaintance = Acquaintance(p, "other", "", "", (source,), connected)
        rows.append(entry(acquaintance, source, rng))
        if len(rows) < total and source == "google" and rng.random() < 0.02:
            rows.append(entry(acquaintance, source, rng, duplicate=True))
    rng.shuffle(rows)
    return rows[:total]
