"""Contact sync in bulk after an import: what publishing each contact by hand would write."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.contacts.network import list_contacts, publish_contact
from tiegraph.services.org.members import Member, add_member, set_member_sharing
from tiegraph.services.org.orgs import Org, create_org
from tiegraph.store import Store
from tiegraph.store.bulk import insert_rows
from tiegraph.store.schema import activity_item, company, interaction, person, person_email, tie

BOOK = (
    "First Name,Last Name,Organization Name,E-mail 1 - Value,Phone 1 - Value\n"
    "Nia,New,Newco Ltd,nia@newco.example,+1 415 555 0100\n"
    "Oli,Other,NEWCO,oli@newco.example,\n"
    "Pat,Plain,,pat@home.example,\n"
)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _org_with_waiting_mail(store: Store, slug: str, activity_id: int) -> tuple[Org, Member]:
    """An org of two members; the first already mailed Nia, whom the directory lacks."""
    org = create_org(store, slug)
    owner = add_member(store, org, email=f"ana@{slug}.example", name="Ana Lima")
    add_member(store, org, email=f"bo@{slug}.example", name="Bo Chen")
    item = {"id": activity_id, "org_id": org.id, "channel": "email", "occurred_at": NOW}
    mail = {
        "org_id": org.id,
        "activity_id": activity_id,
        "member_id": owner.id,
        "address": "nia@newco.example",
        "channel": "email",
        "direction": "out",
        "occurred_at": NOW,
    }
    with store.write() as conn:
        insert_rows(conn, activity_item, [item | {"source_key": f"<{slug}@x>"}])
        insert_rows(conn, interaction, [mail])
    return org, owner


def _published(store: Store, org: Org, owner: Member) -> dict[str, Any]:
    """Per contact: its person's facts, emails and employer, and the owner's tie to it."""
    contacts = list_contacts(store, org, owner)
    found = {}
    with store.read() as conn:
        for c in contacts:
            assert c.status == "matched" and c.person_id is not None
            p = conn.execute(select(person).where(person.c.id == c.person_id)).one()
            employer = conn.execute(select(company.c.name).where(company.c.id == p.company_id))
            emails = conn.execute(
                select(person_email.c.email).where(person_email.c.person_id == p.id)
            )
            t = conn.execute(
                select(tie).where(tie.c.member_id == owner.id, tie.c.person_id == p.id)
            )
            one = t.one()
            found[c.name] = (
                (p.first_name, p.last_name, p.full_name, p.title, p.origin),
                employer.scalar(),
                sorted(emails.scalars()),
                (one.explicit, one.label, one.score, one.last_at, one.company_id == p.company_id),
            )
    return found


def test_bulk_publishing_writes_what_publishing_one_by_one_does(
    store: Store, tmp_path: Path
) -> None:
    book = tmp_path / "book.csv"
    book.write_text(BOOK, encoding="utf-8")
    bulk_org, syncing = _org_with_waiting_mail(store, "bulk", 1)
    syncing = set_member_sharing(store, bulk_org, syncing, contact_sync=True)
    assert import_contacts(store, bulk_org, syncing, [book]).sources[0].shared == 3
    by_hand_org, owner = _org_with_waiting_mail(store, "by-hand", 2)
    import_contacts(store, by_hand_org, owner, [book])
    for c in list_contacts(store, by_hand_org, owner, status="private"):
        publish_contact(store, by_hand_org, owner, c.id)
    bulk = _published(store, bulk_org, syncing)
    assert bulk == _published(store, by_hand_org, owner)
    assert bulk["Nia New"][3][3] is not None  # the waiting mail counts toward the tie now
    with store.read() as conn:
        names = conn.execute(select(company.c.name).where(company.c.org_id == bulk_org.id))
        assert names.scalars().all() == ["Newco Ltd"]  # one company for both spellings
