"""The directory's matching index saved in the store: used while the directory is unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Connection, select

from tiegraph.core.matching import contact_keys
from tiegraph.services.contacts.archive import set_person_archived
from tiegraph.services.directory import index as directory_index
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.directory.index import directory_version, load_matching
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import (
    company,
    company_domain,
    employment,
    match_snapshot,
    person,
    person_email,
    person_phone,
)

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corporation", "domains": ["acme.example"]},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Robert",
        "last_name": "Smith",
        "emails": ["robert.smith@acme.example"],
        "phones": ["+1 415 555 0100"],
        "employment": [{"company_id": "C1", "start": "2019"}],
    },
    {
        "type": "person",
        "id": "P2",
        "first_name": "Ana",
        "last_name": "Lima",
        "employment": [{"company_id": "C1", "start": "2020"}],
    },
]


def _org(store: Store, tmp_path: Path) -> Org:
    org = resolve_org(store)
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in DIRECTORY) + "\n", encoding="utf-8")
    import_directory(store, org, [path])
    return org


def _never_built(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: object) -> None:
        raise AssertionError("the saved index should have been used")

    monkeypatch.setattr(directory_index, "build_matching", fail)


def _version(store: Store, org: Org) -> str:
    with store.read() as conn:
        return directory_version(conn, org)


def test_the_index_is_saved_once_and_then_loaded(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(store, tmp_path)
    built = load_matching(store, org)
    with store.read() as conn:
        versions = conn.execute(select(match_snapshot.c.version)).scalars().all()
    assert versions and set(versions) == {_version(store, org)}
    _never_built(monkeypatch)
    loaded = load_matching(store, org)
    companies = loaded.companies
    assert len(loaded.index) == len(built.index) == 2
    assert loaded.companies.resolve_email("x@acme.example") is not None
    found = loaded.index.match(contact_keys("Robert", "Smith", (), ["Acme"], companies=companies))
    assert found.kind == "matched"


def _sql(statement: Callable[[Org, Connection], object]) -> Callable[[Store, Org], None]:
    def change(store: Store, org: Org) -> None:
        with store.write() as conn:
            statement(org, conn)

    return change


CHANGES: dict[str, Callable[[Store, Org], None]] = {
    "a person added": lambda store, org: add_member(
        store, org, email="new@us.example", name="New Member"
    ),
    "a person renamed": _sql(
        lambda org, conn: conn.execute(
            person.update().where(person.c.external_id == "P2").values(last_name="Lima-Souza")
        )
    ),
    "a person archived": lambda store, org: set_person_archived(
        store, org, _person_id(store, "P2"), archived=True
    ),
    "an email removed": _sql(lambda org, conn: conn.execute(person_email.delete())),
    "a profile URL changed": _sql(
        lambda org, conn: conn.execute(person.update().values(profile_url="https://example.com/p"))
    ),
    "a phone added": _sql(
        lambda org, conn: conn.execute(
            person_phone.insert().values(
                org_id=org.id, person_id=_any_person(conn), phone="+14155550111"
            )
        )
    ),
    "a phone changed": _sql(
        lambda org, conn: conn.execute(person_phone.update().values(phone="+14155550199"))
    ),
    "a phone removed": _sql(lambda org, conn: conn.execute(person_phone.delete())),
    "a job removed": _sql(lambda org, conn: conn.execute(employment.delete())),
    "a job's title changed": _sql(
        lambda org, conn: conn.execute(employment.update().values(title="Chief Buyer"))
    ),
    "a person's title changed": _sql(
        lambda org, conn: conn.execute(person.update().values(title="Chief Buyer"))
    ),
    "a company renamed": _sql(
        lambda org, conn: conn.execute(company.update().values(name="Acme Holdings"))
    ),
    "a domain added": _sql(
        lambda org, conn: conn.execute(
            company_domain.insert().values(
                org_id=org.id, company_id=_company_id(conn), domain="acme.test"
            )
        )
    ),
}


def _person_id(store: Store, external: str) -> int:
    with store.read() as conn:
        return int(
            conn.execute(select(person.c.id).where(person.c.external_id == external)).scalar_one()
        )


def _any_person(conn: Connection) -> int:
    return int(conn.execute(select(person.c.id)).scalars().first() or 0)


def _company_id(conn: Connection) -> int:
    return int(conn.execute(select(company.c.id)).scalars().first() or 0)


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_changed_directory_is_indexed_again(store: Store, tmp_path: Path, change: str) -> None:
    org = _org(store, tmp_path)
    load_matching(store, org)
    before = _version(store, org)
    CHANGES[change](store, org)
    assert _version(store, org) != before
    rebuilt = load_matching(store, org)  # built anew from the changed directory, and saved
    with store.read() as conn:
        saved = conn.execute(select(match_snapshot.c.version)).scalars().all()
    assert set(saved) == {_version(store, org)}
    if change == "a person archived":
        assert len(rebuilt.index) == 1


def test_changes_matching_never_reads_keep_the_saved_index(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(store, tmp_path)
    load_matching(store, org)
    before = _version(store, org)
    with store.write() as conn:
        conn.execute(company.update().values(is_target=True, industry="Software"))
        conn.execute(person.update().values(origin="contact"))
    assert _version(store, org) == before
    _never_built(monkeypatch)
    load_matching(store, org)


def test_an_index_saved_by_other_code_is_not_used(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(store, tmp_path)
    load_matching(store, org)
    monkeypatch.setattr(directory_index, "code_version", lambda: "another")
    built: list[object] = []
    real = directory_index.build_matching
    monkeypatch.setattr(directory_index, "build_matching", lambda *a: built.append(1) or real(*a))
    load_matching(store, org)
    assert built == [1]


def test_a_directory_import_leaves_its_index_saved(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(store, tmp_path)  # import_directory built and saved it
    _never_built(monkeypatch)
    assert len(load_matching(store, org).index) == 2
