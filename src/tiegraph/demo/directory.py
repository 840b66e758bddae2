"""Writer of the demo's directory.jsonl (docs/directory-format.md): companies, then persons."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from tiegraph.demo.companies import Company
from tiegraph.demo.people import Person
from tiegraph.demo.world import World

FILE_NAME = "directory.jsonl"


def write_directory(path: Path, world: World) -> tuple[int, int]:
    """Write every company and person, streaming; return (companies, persons) written."""
    persons = 0
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for company in world.companies:
            handle.write(json.dumps(company_object(company), ensure_ascii=False) + "\n")
        for person in world.scan():
            handle.write(json.dumps(person_object(person), ensure_ascii=False) + "\n")
            persons += 1
    return len(world.companies), persons


def company_object(company: Company) -> dict[str, Any]:
    return {
        "type": "company",
        "id": company.external_id,
        "name": company.name,
        "domains": list(company.domains),
        "size": company.size,
        "industry": company.industry,
    }


def person_object(person: Person) -> dict[str, Any]:
    precision = person.date_precision
    phones = []
    if person.phone is not None:
        # A CRM holds numbers as typed: mostly E.164, some with spaces.
        spaced = person.index % 5 == 0
        phones.append(person.phone.international() if spaced else person.phone.e164)
    return {
        "type": "person",
        "id": person.external_id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "full_name": person.full_name,
        "emails": list(person.emails),
        "phones": phones,
        "profile_url": person.profile_url if person.profile_listed else None,
        "employment": [
            {
                "company_id": job.company.external_id,
                "company": job.company.name,
                "title": job.title,
                "start": _date(job.start, precision),
                "end": _date(job.end, precision) if job.end else None,
            }
            for job in person.jobs
        ],
        "education": [
            {
                "school": schooling.school,
                "degree": schooling.degree,
                "start": str(schooling.start_year),
                "end": str(schooling.end_year),
            }
            for schooling in person.education
        ],
    }


def _date(day: date, precision: str) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{day.year}-{day.month:02d}"
    return day.isoformat()
