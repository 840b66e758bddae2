"""Every correspondent is a person: mail alone answers who-knows, later imports merge into it."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tiegraph.errors import NotFoundError
from tiegraph.services.activity import ingest as ingest_module
from tiegraph.services.activity import ingest_run
from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.contacts.gallery import gallery_rows
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.contacts.network import publish_contact
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.directory.profiles import get_person, search_persons
from tiegraph.services.insights.who_knows import who_knows
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import Member, add_member, get_member, set_member_sharing
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store, open_store
from tiegraph.store.schema import company, contact, interaction, person, person_email, tie
from tiegraph.web.app import create_app
from tiegraph.web.settings import WebSettings

MEMBERS = (("ana@us.example", "Ana Lima"), ("bo@us.example", "Bo Chen"))
# (sender, recipients, day of October 2026); names as mail clients write them
MAIL = [
    ('"Jane Roe" <jane.roe@acme.example>', ["ana@us.example", "bo@us.example"], 1),
    ("ana@us.example", ['"Jane Roe" <jane.roe@acme.example>'], 2),
    ("bo@us.example", ["Jane R. <jane.roe@acme.example>"], 3),
    ('"Sam Poe" <sam@initech.example>', ["ana@us.example"], 4),
    ("ana@us.example", ["Sam Poe <sam@initech.example>"], 5),
    ("ana@us.example", ["Max Gee <max.gee@gmail.com>", "support@initech.example"], 6),
    ("noreply@initech.example", ["ana@us.example"], 7),
    ("ana@us.example", ["cole@us.example", "dee@eu.us.example"], 8),  # colleagues, not members
    ("news@lists.vendor.example", ["bo@us.example"], 9),
    ("bo@us.example", ['"Quinn Hidden" <quinn@secret.example>'], 10),
    ('"Quinn Hidden" <quinn@secret.example>', ["bo@us.example"], 11),
]
DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corp", "domains": ["acme.example"]},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Jane",
        "last_name": "Roe",
        "emails": ["jane.roe@acme.example"],
        "employment": [{"company_id": "C1", "title": "CFO", "start": "2020-01-01"}],
    },
    {  # another address than mail saw: found by name + company
        "type": "person",
        "id": "P2",
        "first_name": "Sam",
        "last_name": "Poe",
        "emails": ["samuel.poe@initech.example"],
        "employment": [{"company": "Initech, Inc.", "title": "CTO", "start": "2019-01-01"}],
    },
]


def _mbox(path: Path, mail: list[tuple[str, list[str], int]] = MAIL) -> Path:
    parts = []
    for n, (sender, to, day) in enumerate(mail):
        stamp = format_datetime(datetime(2026, 10, day, 9, 0, tzinfo=UTC))
        parts.append(
            f"From x {stamp}\nFrom: {sender}\nTo: {', '.join(to)}\nDate: {stamp}\n"
            f"Message-ID: <c{n}@mail.example>\nSubject: never read\n\nnever kept\n\n"
        )
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _org(store: Store) -> Org:
    org = resolve_org(store)
    for email, name in MEMBERS:
        add_member(store, org, email=email, name=name)
    return org


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "directory.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in DIRECTORY) + "\n", encoding="utf-8")
    return path


def _persons(store: Store) -> dict[str, tuple[str, str, bool, str]]:
    """email -> (name, company, company inferred, origin) of every person."""
    with store.read() as conn:
        rows = conn.execute(
            select(
                person_email.c.email,
                person.c.full_name,
                company.c.name,
                company.c.inferred,
                person.c.origin,
            )
            .join(person, person.c.id == person_email.c.person_id)
            .outerjoin(company, company.c.id == person.c.company_id)
        ).all()
    return {r.email: (r.full_name, r.name or "", bool(r.inferred), r.origin) for r in rows}


def _snapshot(store: Store) -> dict[str, Any]:
    """Everything that must not depend on the order of imports: persons, ties, interactions."""
    with store.read() as conn:
        ties = conn.execute(
            select(person_email.c.email, tie.c.member_id, tie.c.score)
            .join(tie, tie.c.person_id == person_email.c.person_id)
            .order_by(person_email.c.email, tie.c.member_id)
        ).all()
        counts = {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (person, tie, interaction)
        }
        unresolved = conn.execute(
            select(func.count()).where(interaction.c.person_id.is_(None))
        ).scalar_one()
    people = {e: (n, c, o) for e, (n, c, _, o) in _persons(store).items()}
    return {"persons": people, "ties": [tuple(t) for t in ties], **counts, "none": unresolved}


def test_correspondents_become_persons_named_and_employed(store: Store, tmp_path: Path) -> None:
    org = _org(store)
    report = ingest_mail(store, org, [_mbox(tmp_path / "mail.mbox")])
    found = _persons(store)
    # Jane: the display name written most often; a company made from her domain
    assert found["jane.roe@acme.example"] == ("Jane Roe", "Acme", True, "correspondence")
    assert found["sam@initech.example"] == ("Sam Poe", "Initech", True, "correspondence")
    assert found["max.gee@gmail.com"] == ("Max Gee", "", False, "correspondence")  # free mail
    assert found["quinn@secret.example"][0] == "Quinn Hidden"
    # role, no-reply and list addresses, and the organization's own domains, are no one
    for address in ("support@initech.example", "noreply@initech.example", "cole@us.example",
                    "dee@eu.us.example", "news@lists.vendor.example"):  # fmt: skip
        assert address not in found
    assert report.persons == 4 and "4 new persons from correspondence" in report.summary()
    answer = who_knows(store, org, ["jane.roe@acme.example"])[0]
    assert answer.name == "Jane Roe"
    assert {k.member_email for k in answer.knowers} == {"ana@us.example", "bo@us.example"}


def test_a_directory_company_with_the_domain_is_the_employer(store: Store, tmp_path: Path) -> None:
    org = _org(store)
    import_directory(store, org, [_directory(tmp_path)])
    ingest_mail(store, org, [_mbox(tmp_path / "mail.mbox")])
    assert _persons(store)["jane.roe@acme.example"][1:3] == ("Acme Corp", False)


@pytest.mark.parametrize("directory_first", [False, True])
def test_directory_and_mail_in_either_order_make_one_person_each(
    store: Store, tmp_path: Path, directory_first: bool
) -> None:
    org = _org(store)
    steps = [
        lambda: import_directory(store, org, [_directory(tmp_path)]),
        lambda: ingest_mail(store, org, [_mbox(tmp_path / "mail.mbox")]),
    ]
    for step in steps[::-1] if directory_first else steps:
        step()
    found = _persons(store)
    assert found["jane.roe@acme.example"] == ("Jane Roe", "Acme Corp", False, "directory")
    # by name + company: one person holding both addresses
    assert found["sam@initech.example"] == found["samuel.poe@initech.example"]
    assert found["sam@initech.example"][0] == "Sam Poe"
    snapshot = _snapshot(store)
    # colleagues who are not members (cole@, dee@) and role, no-reply, list addresses
    assert snapshot["none"] == 5
    ties_of = {e for e, _, _ in snapshot["ties"]}
    assert {"jane.roe@acme.example", "sam@initech.example"} <= ties_of
    answer = who_knows(store, org, ["samuel.poe@initech.example"])[0]
    assert [k.member_email for k in answer.knowers] == ["ana@us.example"]


def test_the_order_of_directory_and_mail_gives_the_same_result(tmp_path: Path) -> None:
    results = []
    for directory_first in (False, True):
        folder = tmp_path / str(directory_first)
        folder.mkdir()
        store = open_store(f"sqlite:///{folder}/t.db")
        org = _org(store)
        steps = [
            lambda s=store, o=org, f=folder: import_directory(s, o, [_directory(f)]),
            lambda s=store, o=org, f=folder: ingest_mail(s, o, [_mbox(f / "mail.mbox")]),
        ]
        for step in steps[::-1] if directory_first else steps:
            step()
        snapshot = _snapshot(store)
        # Sam's mail-only company "Initech" stays as an (inferred, now unused) company row in
        # one order only: compare persons and ties, which is what answers read.
        results.append(snapshot)
        store.dispose()
    mail_first, directory_first_ = results
    assert mail_first["persons"] == directory_first_["persons"]
    assert mail_first["ties"] == directory_first_["ties"]
    for key in ("person", "tie", "interaction", "none"):
        assert mail_first[key] == directory_first_[key], key


def test_reingesting_and_a_crash_midway_change_nothing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = _org(store)
    box = _mbox(tmp_path / "mail.mbox")
    monkeypatch.setattr(ingest_run, "BATCH", 3)  # several batches in one transaction

    calls = {"n": 0}
    real = ingest_module.TieUpdater.flush

    def crash(self: Any) -> int:
        calls["n"] += 1
        raise RuntimeError("killed")

    monkeypatch.setattr(ingest_module.TieUpdater, "flush", crash)
    with pytest.raises(RuntimeError):
        ingest_mail(store, org, [box])
    assert calls["n"] == 1
    monkeypatch.setattr(ingest_module.TieUpdater, "flush", real)
    assert _snapshot(store)["person"] == len(MEMBERS)  # nothing of the crashed run stayed
    first = ingest_mail(store, org, [box])
    once = _snapshot(store)
    again = ingest_mail(store, org, [box])
    assert first.persons == 4 and again.persons == 0 and again.interactions == 0
    assert _snapshot(store) == once


def test_a_crash_between_transactions_then_a_rerun_equals_one_run(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every batch its own transaction: killed after the first committed, the rerun writes the
    rest, and persons, interactions and ties are those of one uninterrupted ingest."""
    box = _mbox(tmp_path / "mail.mbox")
    monkeypatch.setattr(ingest_run, "BATCH", 2)
    store.commit_seconds = 0
    whole = open_store(f"sqlite:///{tmp_path / 'whole.db'}")
    ingest_mail(whole, _org(whole), [box])
    once = _snapshot(whole)
    whole.dispose()

    org = _org(store)
    real = ingest_module.TieUpdater.flush
    flushes = {"n": 0}

    def killed_after_the_first(self: Any) -> int:
        flushes["n"] += 1
        if flushes["n"] == 2:
            raise RuntimeError("killed")
        return real(self)

    monkeypatch.setattr(ingest_module.TieUpdater, "flush", killed_after_the_first)
    with pytest.raises(RuntimeError):
        ingest_mail(store, org, [box])
    monkeypatch.setattr(ingest_module.TieUpdater, "flush", real)
    assert 0 < _snapshot(store)["interaction"] < once["interaction"]  # the first one stayed
    ingest_mail(store, org, [box])
    after = _snapshot(store)
    # The persons made before the crash keep the display names read up to it.
    assert {e: p[1:] for e, p in after["persons"].items()} == {
        e: p[1:] for e, p in once["persons"].items()
    }
    assert {k: v for k, v in after.items() if k != "persons"} == {
        k: v for k, v in once.items() if k != "persons"
    }


def _hidden_world(store: Store, tmp_path: Path) -> tuple[Org, Member, Member]:
    org = _org(store)
    bo = get_member(store, org, "bo@us.example")
    set_member_sharing(store, org, bo, activity_sharing=False)
    ingest_mail(store, org, [_mbox(tmp_path / "mail.mbox")])
    return org, get_member(store, org, "ana@us.example"), get_member(store, org, "bo@us.example")


def test_a_correspondent_of_unshared_activity_is_invisible_to_others(
    store: Store, tmp_path: Path
) -> None:
    org, ana, bo = _hidden_world(store, tmp_path)
    quinn = "quinn@secret.example"
    hidden = who_knows(store, org, [quinn, "nobody@secret.example"], viewer=ana)
    assert hidden[0].name == "" and hidden[0].knowers == ()
    # exactly as an address nobody knows
    assert json.dumps(hidden[0].as_dict()).replace(quinn, "X") == json.dumps(
        hidden[1].as_dict()
    ).replace("nobody@secret.example", "X")
    assert search_persons(store, org, query="quinn", viewer=ana).total == 0
    assert search_persons(store, org, query="secret", viewer=ana).total == 0
    words = json.dumps(
        [asdict(r) for r in gallery_rows(store, org, ana, limit=200).items], default=str
    )
    assert "Quinn" not in words and "secret.example" not in words
    # ... and to Bo, whose mail it is, a person like any other
    assert who_knows(store, org, [quinn], viewer=bo)[0].name == "Quinn Hidden"
    assert search_persons(store, org, query="quinn", viewer=bo).total == 1
    bo_rows = gallery_rows(store, org, bo, limit=200).items
    assert "Quinn Hidden" in [r.name for r in bo_rows]
    person_id = next(r.person_id for r in bo_rows if r.name == "Quinn Hidden")
    assert get_person(store, org, person_id, viewer=bo).summary.name == "Quinn Hidden"
    with pytest.raises(NotFoundError):
        get_person(store, org, person_id, viewer=ana)
    # Jane wrote to both: Ana sees her, with Ana's tie only
    jane = who_knows(store, org, ["jane.roe@acme.example"], viewer=ana)[0]
    assert [k.member_email for k in jane.knowers] == ["ana@us.example"]


def test_the_api_hides_an_unshared_correspondent(store: Store, tmp_path: Path) -> None:
    org, ana, bo = _hidden_world(store, tmp_path)
    app = create_app(store, WebSettings(secret_key="k" * 32))
    try:
        clients = {}
        for m in (ana, bo):
            _, token = create_token(store, org, m, "t")
            clients[m.email] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        as_ana, as_bo = clients["ana@us.example"], clients["bo@us.example"]
        listed = as_ana.get("/api/v1/persons", params={"q": "quinn"}).json()
        assert listed["total"] == 0
        mine = as_bo.get("/api/v1/persons", params={"q": "quinn"}).json()
        assert mine["total"] == 1
        person_id = mine["items"][0]["id"]
        assert as_ana.get(f"/api/v1/persons/{person_id}").status_code == 404
        assert as_bo.get(f"/api/v1/persons/{person_id}").status_code == 200
        known = as_ana.get("/api/v1/who-knows", params={"email": "quinn@secret.example"})
        assert "Quinn" not in known.text
        # the company made from Quinn's domain is no more visible than Quinn
        assert as_ana.get("/api/v1/accounts", params={"q": "secret"}).json()["total"] == 0
        accounts = as_bo.get("/api/v1/accounts", params={"q": "secret"}).json()["items"]
        assert [(a["name"], a["origin"], a["people"]) for a in accounts] == [
            ("Secret", "correspondence", 1)
        ]
        assert as_ana.get(f"/api/v1/accounts/{accounts[0]['id']}").status_code == 404
        acme = as_ana.get("/api/v1/accounts", params={"q": "acme"}).json()["items"]
        assert [(a["name"], a["origin"], a["people"]) for a in acme] == [
            ("Acme", "correspondence", 1)
        ]
    finally:
        app.state.imports.shutdown(wait=True)


def test_publishing_a_contact_adopts_the_correspondent(store: Store, tmp_path: Path) -> None:
    org = _org(store)
    ana = get_member(store, org, "ana@us.example")
    card = tmp_path / "ana.vcf"
    card.write_text(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Max Gee\nN:Gee;Max;;;\nEMAIL:max.gee@gmail.com\n"
        "ORG:Gee Consulting\nEND:VCARD\n",
        encoding="utf-8",
    )
    import_contacts(store, org, ana, [card])  # before the mail: stays private
    ingest_mail(store, org, [_mbox(tmp_path / "mail.mbox")])
    before = _snapshot(store)
    with store.read() as conn:
        contact_id = conn.execute(select(contact.c.id)).scalar_one()
    publish_contact(store, org, ana, contact_id)
    after = _snapshot(store)
    assert after["person"] == before["person"] and after["tie"] == before["tie"]
    assert _persons(store)["max.gee@gmail.com"] == ("Max Gee", "Gee Consulting", False, "contact")
