"""A member's private network: listing their unmatched contacts, and adding one to the directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.companies import normalize_company
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import resolve_pending
from tiegraph.services.contacts.adopt import adopt, correspondents_of
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import require_self
from tiegraph.store import Store
from tiegraph.store.bulk import insert_ignore
from tiegraph.store.schema import (
    company,
    contact,
    contact_email,
    contact_phone,
    person,
    person_email,
    person_phone,
)


@dataclass(frozen=True)
class ContactSummary:
    id: int
    name: str
    company: str
    title: str
    status: str
    person_id: int | None
    emails: tuple[str, ...]


def list_contacts(
    store: Store,
    org: Org,
    owner: Member,
    *,
    status: str | None = None,
    limit: int = 0,
    viewer: Member | None = None,
) -> list[ContactSummary]:
    """The owner's own contacts (never another member's), optionally of one status."""
    require_self(viewer, owner, "contacts")
    query = (
        select(contact)
        .where(
            contact.c.org_id == org.id,
            contact.c.member_id == owner.id,
            contact.c.archived_at.is_(None),
        )
        .order_by(contact.c.full_name, contact.c.id)
    )
    if status:
        query = query.where(contact.c.status == status)
    if limit:
        query = query.limit(limit)
    with store.read() as conn:
        rows = conn.execute(query).all()
        emails: dict[int, list[str]] = {}
        for r in conn.execute(
            select(contact_email.c.contact_id, contact_email.c.email).where(
                contact_email.c.org_id == org.id, contact_email.c.member_id == owner.id
            )
        ):
            emails.setdefault(r.contact_id, []).append(r.email)
    return [
        ContactSummary(
            r.id,
            r.full_name,
            r.company,
            r.title,
            r.status,
            r.person_id,
            tuple(sorted(emails.get(r.id, ()))),
        )
        for r in rows
    ]


def publish_contact(store: Store, org: Org, owner: Member, contact_id: int) -> int:
    """Add one of the owner's private contacts to the directory; returns the new person's id."""
    with store.write() as conn:
        row = conn.execute(
            select(contact).where(contact.c.org_id == org.id, contact.c.id == contact_id)
        ).first()
        if row is None or row.member_id != owner.id or row.archived_at is not None:
            raise NotFoundError(f"no contact {contact_id} in {owner.email}'s address book")
        if row.person_id is not None:
            raise InvalidInputError(f"contact {contact_id} is already in the directory")
        return publish_row(conn, org, owner, row)


def publish_row(conn: Connection, org: Org, owner: Member, row: Any) -> int:
    """Make a person of a private contact row, inside the caller's transaction."""
    now = datetime.now(UTC)
    contact_id = row.id
    company_id = None
    key = normalize_company(row.company)
    if key:
        found = conn.execute(
            select(company.c.id).where(company.c.org_id == org.id, company.c.name_key == key)
        ).first()
        company_id = (
            found.id
            if found
            else conn.execute(
                company.insert()
                .values(org_id=org.id, name=row.company, name_key=key)
                .returning(company.c.id)
            ).scalar_one()
        )
    stated = {
        "org_id": org.id,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "full_name": row.full_name,
        "profile_url": row.profile_url,
        "company_id": company_id,
        "title": row.title,
        "origin": "contact",
    }
    person_id = correspondents_of(conn, org, [contact_id]).get(contact_id)
    if person_id is not None:
        adopt(conn, person_id, stated)
    else:
        person_id = conn.execute(person.insert().values(stated).returning(person.c.id)).scalar_one()
    published: list[str] = []
    for table, column, target, target_col in (
        (contact_email, contact_email.c.email, person_email, "email"),
        (contact_phone, contact_phone.c.phone, person_phone, "phone"),
    ):
        values = [
            r.value
            for r in conn.execute(
                select(column.label("value")).where(
                    table.c.org_id == org.id, table.c.contact_id == contact_id
                )
            )
        ]
        published.extend(values)
        if values:
            rows = [{"org_id": org.id, "person_id": person_id, target_col: v} for v in values]
            insert_ignore(conn, target, rows, key=("org_id", target_col, "person_id"))
    conn.execute(
        contact.update()
        .where(contact.c.id == contact_id)
        .values(person_id=person_id, status="matched", shared_at=now, updated_at=now)
    )
    # Mail already exchanged with this person's addresses now counts toward ties.
    addresses = {v: int(person_id) for v in published}
    ties = TieUpdater(conn, org)
    ties.rebuild(resolve_pending(conn, org, addresses))
    ties.mark_explicit([(owner.id, int(person_id))])
    ties.flush()
    return int(person_id)
