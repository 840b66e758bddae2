"""A small organization for the intro and list tests, built through the real importers.

Ana asks; Bo (sharing) and Cy (activity sharing off) both know Pat at Acme; Cy alone knows
Kim at Globex; Ana knows Lee at Acme. Cy has a private contact, Sam, at Acme, and mails him.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import Member, add_member, get_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store
from tiegraph.store.schema import member

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corp", "domains": ["acme.example"]},
    {"type": "company", "id": "C2", "name": "Globex", "domains": ["globex.example"]},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Pat",
        "last_name": "Doe",
        "emails": ["pat@acme.example"],
        "employment": [{"company_id": "C1", "title": "VP Sales", "start": "2020"}],
    },
    {
        "type": "person",
        "id": "P2",
        "first_name": "Lee",
        "last_name": "Roe",
        "emails": ["lee@acme.example"],
        "employment": [{"company_id": "C1", "title": "Buyer", "start": "2021"}],
    },
    {
        "type": "person",
        "id": "P3",
        "first_name": "Kim",
        "last_name": "Park",
        "emails": ["kim@globex.example"],
        "employment": [{"company_id": "C2", "start": "2019"}],
    },
]

PRIVATE_EMAIL = "sam@hidden.example"  # Cy's private contact: in no directory
PRIVATE_NAME = "Sam Secret"
VCARD = f"""BEGIN:VCARD
VERSION:3.0
FN:{PRIVATE_NAME}
N:Secret;Sam;;;
EMAIL:{PRIVATE_EMAIL}
ORG:Acme Corp
TITLE:Chief Secret Officer
END:VCARD
"""


@dataclass(frozen=True)
class World:
    org: Org
    ana: Member
    bo: Member
    cy: Member
    dee: Member


def _message(n: int, sender: str, to: str, when: datetime) -> str:
    stamp = format_datetime(when)
    return (
        f"From {sender} {stamp}\nFrom: {sender}\nTo: {to}\nDate: {stamp}\n"
        f"Message-ID: <m{n}@world.example>\nSubject: private matters\n\nnot kept\n\n"
    )


def _pairs() -> list[tuple[str, str, int]]:
    """(member, person, messages each way)."""
    return [
        ("bo@us.example", "pat@acme.example", 4),
        ("cy@us.example", "pat@acme.example", 9),
        ("cy@us.example", "kim@globex.example", 5),
        ("ana@us.example", "lee@acme.example", 2),
        ("cy@us.example", PRIVATE_EMAIL, 6),
    ]


def build_world(store: Store, tmp_path: Path) -> World:
    org = resolve_org(store)
    directory = tmp_path / "directory.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in DIRECTORY) + "\n", encoding="utf-8")
    import_directory(store, org, [directory])
    add_member(store, org, email="ana@us.example", name="Ana Lima")
    add_member(store, org, email="bo@us.example", name="Bo Chen")
    add_member(store, org, email="cy@us.example", name="Cy Diaz")
    add_member(store, org, email="dee@us.example", name="Dee Admin", role="admin")
    now = datetime.now(UTC).replace(microsecond=0)
    messages, n = [], 0
    for mine, theirs, count in _pairs():
        for i in range(count):
            when = now - timedelta(days=3 + 4 * i, hours=n % 7)
            messages.append(_message(n, mine, theirs, when))
            messages.append(_message(n + 1, theirs, mine, when + timedelta(hours=2)))
            n += 2
    mbox = tmp_path / "mail.mbox"
    mbox.write_text("".join(messages), encoding="utf-8")
    ingest_mail(store, org, [mbox])
    card = tmp_path / "cy.vcf"
    card.write_text(VCARD, encoding="utf-8")
    import_contacts(store, org, get_member(store, org, "cy@us.example"), [card])
    with store.write() as conn:  # Cy keeps their activity to themselves
        conn.execute(
            member.update()
            .where(member.c.org_id == org.id, member.c.email == "cy@us.example")
            .values(activity_sharing=False)
        )
    return World(
        org,
        *(get_member(store, org, f"{who}@us.example") for who in ("ana", "bo", "cy", "dee")),
    )
