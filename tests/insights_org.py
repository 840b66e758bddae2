"""A small organization for the insight and sharing tests, built through the real importers.

Ana shares her activity; Bo does not (his tie to Lee must never show to others); Cy is new.
Ana and Bo each keep a private contact at Acme that no one else may ever see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tiegraph.services.activity.ingest import ingest_mail
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.org.members import Member, add_member, get_member, set_member_sharing
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.store import Store

DIRECTORY = [
    {"type": "company", "id": "C1", "name": "Acme Corp", "domains": ["acme.example"], "size": 5000},
    {"type": "company", "id": "C2", "name": "Globex", "domains": ["globex.example"], "size": 40},
    {
        "type": "person",
        "id": "P1",
        "first_name": "Pat",
        "last_name": "Doe",
        "emails": ["pat@acme.example"],
        "employment": [
            {"company_id": "C1", "title": "VP Sales", "start": "2020-01-01"},
            {"company_id": "C2", "title": "Sales Lead", "start": "2015-01-01", "end": "2019-12-31"},
        ],
        "education": [{"school": "Stanford University", "start": "2008", "end": "2012"}],
    },
    {
        "type": "person",
        "id": "P2",
        "first_name": "Lee",
        "last_name": "Roe",
        "emails": ["lee@acme.example"],
        "employment": [{"company_id": "C1", "title": "Buyer", "start": "2021-01-01"}],
    },
    {
        "type": "person",
        "id": "P3",
        "first_name": "Kim",
        "last_name": "Poe",
        "emails": ["kim@acme.example"],
        "employment": [{"company_id": "C1", "title": "Engineer", "start": "2018-01-01"}],
    },
    {
        "type": "person",
        "id": "PA",
        "first_name": "Ana",
        "last_name": "Lima",
        "emails": ["ana@us.example"],
        "employment": [{"company_id": "C2", "start": "2016-03-01", "end": "2018-06-30"}],
        "education": [{"school": "Stanford University", "start": "2009", "end": "2013"}],
    },
    {
        "type": "person",
        "id": "PB",
        "first_name": "Bo",
        "last_name": "Chen",
        "emails": ["bo@us.example"],
        "employment": [{"company_id": "C1", "start": "2010-01-01", "end": "2019-06-30"}],
    },
]

PRIVATE = {  # member -> their private contact at Acme, which only they may see
    "ana@us.example": ("Zed Secret", "zed.secret@acme.example"),
    "bo@us.example": ("Quinn Hidden", "quinn.hidden@acme.example"),
}


@dataclass(frozen=True)
class InsightsOrg:
    org: Org
    ana: Member
    bo: Member
    cy: Member


def _message(mid: str, sender: str, to: str, day: int, reply: str = "") -> str:
    weekday = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][day % 7]  # 1 Nov 2026: Sunday
    when = f"{weekday}, {day:02d} Nov 2026 10:00:00 +0000"
    lines = [
        f"From {sender} {when}",
        f"From: {sender}",
        f"To: {to}",
        f"Date: {when}",
        f"Message-ID: <{mid}>",
        "Subject: secret plans",
    ]
    if reply:
        lines.append(f"In-Reply-To: <{reply}>")
    return "\n".join([*lines, "", "The body says nothing we keep.", "", ""])


def _thread(a: str, b: str, days: range, tag: str) -> str:
    text = ""
    for day in days:
        text += _message(f"{tag}{day}a@x", a, b, day)
        text += _message(f"{tag}{day}b@x", b, a, day, reply=f"{tag}{day}a@x")
    return text


def _vcard(name: str, email: str) -> str:
    first, last = name.split()
    return (
        "BEGIN:VCARD\r\nVERSION:3.0\r\n"
        f"FN:{name}\r\nN:{last};{first};;;\r\nEMAIL:{email}\r\n"
        "ORG:Acme Corp\r\nTITLE:Chief Secret Officer\r\nEND:VCARD\r\n"
    )


def build(store: Store, tmp_path: Path) -> InsightsOrg:
    org = resolve_org(store)
    directory = tmp_path / "directory.jsonl"
    directory.write_text("\n".join(json.dumps(x) for x in DIRECTORY) + "\n", encoding="utf-8")
    import_directory(store, org, [directory])
    ana = add_member(store, org, email="ana@us.example", name="Ana Lima")
    bo = add_member(store, org, email="bo@us.example", name="Bo Chen")
    cy = add_member(store, org, email="cy@us.example", name="Cy Park")
    mbox = tmp_path / "mail.mbox"
    mbox.write_text(
        _thread("ana@us.example", "pat@acme.example", range(1, 15), "ap")
        + _thread("bo@us.example", "lee@acme.example", range(1, 20), "bl")
        + _thread("ana@us.example", "bo@us.example", range(2, 6), "ab")
        + _message("ck1@x", "cy@us.example", "kim@acme.example", 3)
        + _thread("bo@us.example", "quinn.hidden@acme.example", range(1, 8), "bq"),
        encoding="utf-8",
    )
    ingest_mail(store, org, [mbox])
    for email, (name, address) in PRIVATE.items():
        card = tmp_path / f"{email}.vcf"
        card.write_text(_vcard(name, address), encoding="utf-8")
        import_contacts(store, org, get_member(store, org, email), [card])
    bo = set_member_sharing(store, org, bo, activity_sharing=False)
    return InsightsOrg(org, get_member(store, org, ana.email), bo, cy)
