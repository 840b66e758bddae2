"""Many rows of one name: which merge and which stay apart, whatever their number."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import contact, contact_email, person

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corporation", "domains": ["acme.example"]},
    {"type": "company", "id": "C2", "name": "Globex GmbH", "domains": ["globex.example"]},
    *[  # two John Smiths: a name without a company is not one person
        {"type": "person", "id": f"J{n}", "first_name": "John", "last_name": "Smith"}
        for n in (1, 2)
    ],
    {
        "type": "person",
        "id": "P1",
        "first_name": "Robert",
        "last_name": "Jones",
        "emails": ["rob@acme.example"],
        "employment": [{"company_id": "C1", "start": "2019"}],
    },
]
ROWS = [
    ("Info", "Desk", "", "info1@a.example"),
    ("Info", "Desk", "", "info2@b.example"),
    ("Info", "Desk", "Acme", "info3@acme.example"),
    ("Info", "Desk", "Globex", "info4@c.example"),
    ("Info", "Desk", "Globex", "info5@globex.example"),
    ("John", "Smith", "", "js1@d.example"),
    ("John", "Smith", "", "js2@d.example"),
    ("John", "Smith", "Acme", "js3@e.example"),
    ("John", "Smith", "Acme", "js4@f.example"),
    ("Jon", "Smith", "Acme", "js5@g.example"),
    ("Bob", "Jones", "", "bob@h.example"),
    ("Robert", "Jones", "Acme", "rjones@i.example"),
    ("Robert", "Jones", "", "rob@acme.example"),
    ("Bob", "Jones", "Acme", "bj@j.example"),
]


def _outcome(store: Store) -> list[tuple[str, str, str, str, str, tuple[str, ...]]]:
    with store.read() as conn:
        rows = conn.execute(
            select(
                contact.c.id, contact.c.first_name, contact.c.last_name, contact.c.company,
                contact.c.status, person.c.first_name.label("person"),
            ).outerjoin(person, person.c.id == contact.c.person_id)
        ).all()  # fmt: skip
        emails: dict[int, list[str]] = {}
        for r in conn.execute(select(contact_email.c.contact_id, contact_email.c.email)):
            emails.setdefault(r.contact_id, []).append(r.email)
    return sorted(
        (
            r.first_name,
            r.last_name,
            r.company,
            r.status,
            r.person or "",
            tuple(sorted(emails[r.id])),
        )
        for r in rows
    )


def test_rows_of_one_name_merge_as_the_rules_say(sqlite_store: Store, tmp_path: Path) -> None:
    org = resolve_org(sqlite_store)
    directory = tmp_path / "d.jsonl"
    directory.write_text("\n".join(json.dumps(r) for r in DIRECTORY) + "\n")
    import_directory(sqlite_store, org, [directory])
    owner = add_member(sqlite_store, org, email="ana@us.example", name="Ana Lima")
    book = tmp_path / "book.csv"
    lines = ["First Name,Last Name,Company,E-mail Address"] + [",".join(r) for r in ROWS]
    book.write_text("\n".join(lines) + "\n")
    import_contacts(sqlite_store, org, owner, [book])
    # As before contacts of one name were looked up by company and merged contacts matched
    # again on their telling addresses only (the same outcome, checked against that code).
    bob = ("bj@j.example", "bob@h.example", "rjones@i.example", "rob@acme.example")
    info = ("info1@a.example", "info2@b.example", "info3@acme.example", "info4@c.example")
    info += ("info5@globex.example",)
    assert _outcome(sqlite_store) == [
        ("Bob", "Jones", "", "matched", "Robert", bob),  # the address at Acme told
        ("Info", "Desk", "", "private", "", info),  # no namesake: one name, one contact
        ("John", "Smith", "", "private", "", ("js1@d.example",)),  # two in the directory
        ("John", "Smith", "", "private", "", ("js2@d.example",)),
        (
            "John",
            "Smith",
            "Acme",
            "private",
            "",
            ("js3@e.example", "js4@f.example", "js5@g.example"),
        ),
    ]
