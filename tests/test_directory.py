"""Directory import: persons and companies with history, idempotent by external id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tiegraph.errors import InvalidInputError
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import create_org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import (
    company,
    company_domain,
    education,
    employment,
    person,
    person_email,
)

LINES = [
    {
        "type": "company",
        "id": "C1",
        "name": "Acme Corporation",
        "domains": ["acme.example"],
        "size": 2300,
    },
    {
        "type": "company",
        "id": "C2",
        "name": "Globex GmbH",
        "domains": ["globex.example", "GLOBEX.example"],
    },
    {
        "type": "person",
        "id": "P1",
        "first_name": "José",
        "last_name": "Núñez",
        "emails": ["jose.nunez@acme.example", "JNunez@Example.com"],
        "phones": ["+34 911 234 567"],
        "employment": [
            {"company_id": "C1", "title": "Head of Procurement", "start": "2021-04", "end": None},
            {"company_id": "C2", "title": "Buyer", "start": "2016-09", "end": "2021-03"},
        ],
        "education": [
            {"school": "Universidad Complutense de Madrid", "start": "2010", "end": "2014"}
        ],
    },
    {
        "type": "person",
        "id": "P2",
        "full_name": "Ana Lima",
        "emails": ["ana@globex.example"],
        "employment": [{"company": "Initech, Inc.", "title": "CTO", "start": "2019"}],
    },
]


def _write(path: Path, lines: list[object], extra: str = "") -> Path:
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n" + extra, encoding="utf-8")
    return path


def _count(store: Store, table: object) -> int:
    with store.read() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


def test_import_then_reimport_changes_nothing(store: Store, tmp_path: Path) -> None:
    org = resolve_org(store)
    path = _write(tmp_path / "dir.jsonl", LINES, "{broken json\n")
    report = import_directory(store, org, [path])
    assert (report.persons_created, report.persons_updated, report.companies) == (2, 0, 2)
    assert [r.locator for r in report.rejected] == ["line 5"]
    counts = {
        t.name: _count(store, t)
        for t in (person, person_email, company, company_domain, employment, education)
    }
    assert counts == {
        "person": 2,
        "person_email": 3,
        "company": 3,
        "company_domain": 2,
        "employment": 3,
        "education": 1,
    }
    again = import_directory(store, org, [path])
    assert (again.persons_created, again.persons_updated) == (0, 2)
    assert {
        t.name: _count(store, t)
        for t in (person, person_email, company, company_domain, employment, education)
    } == counts
    with store.read() as conn:
        row = conn.execute(
            select(person.c.title, company.c.name)
            .join(company, company.c.id == person.c.company_id)
            .where(person.c.external_id == "P1")
        ).one()
    assert tuple(row) == ("Head of Procurement", "Acme Corporation")


def test_member_added_first_is_the_same_person(store: Store, tmp_path: Path) -> None:
    org = resolve_org(store)
    add_member(store, org, email="ana@globex.example", name="Ana Lima")
    import_directory(store, org, [_write(tmp_path / "d.jsonl", LINES)])
    with store.read() as conn:
        rows = conn.execute(
            select(person.c.external_id, person.c.origin).order_by(person.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [("P2", "member"), ("P1", "directory")]


def test_organizations_do_not_share_a_directory(store: Store, tmp_path: Path) -> None:
    path = _write(tmp_path / "d.jsonl", LINES)
    import_directory(store, resolve_org(store), [path])
    other = create_org(store, "other")
    report = import_directory(store, other, [path])
    assert report.persons_created == 2  # the same external ids are new in another organization
    assert _count(store, person) == 4


def test_file_without_directory_records_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    with pytest.raises(InvalidInputError, match="expected a directory file"):
        import_directory(store, resolve_org(store), [path])
    with pytest.raises(InvalidInputError, match="cannot read"):
        import_directory(store, resolve_org(store), [tmp_path / "missing.jsonl"])
