"""One of a member's own contacts in full: details, sources and custom values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from tiegraph.errors import NotFoundError
from tiegraph.services.contacts.properties import values_of
from tiegraph.services.directory.profiles import Source
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import contact, contact_email, contact_phone, contact_source


@dataclass(frozen=True)
class ContactDetails:
    id: int
    name: str
    company: str
    title: str
    status: str
    person_id: int | None
    profile_url: str
    connected_on: date | None
    archived: bool
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    values: dict[int, str] = field(default_factory=dict)


def get_contact(store: Store, org: Org, owner: Member, contact_id: int) -> ContactDetails:
    """The owner's contact; another member's contact does not exist for them (NotFoundError)."""
    with store.read() as conn:
        row = conn.execute(
            select(contact).where(
                contact.c.org_id == org.id,
                contact.c.id == contact_id,
                contact.c.member_id == owner.id,
            )
        ).first()
        if row is None:
            raise NotFoundError(f"no contact {contact_id} in your address book")
        emails = tuple(
            r.email
            for r in conn.execute(
                select(contact_email.c.email)
                .where(contact_email.c.org_id == org.id, contact_email.c.contact_id == contact_id)
                .order_by(contact_email.c.id)
            )
        )
        phones = tuple(
            r.phone
            for r in conn.execute(
                select(contact_phone.c.phone)
                .where(contact_phone.c.org_id == org.id, contact_phone.c.contact_id == contact_id)
                .order_by(contact_phone.c.id)
            )
        )
        sources = tuple(
            Source(contact_id, r.source_format, r.file_name)
            for r in conn.execute(
                select(contact_source.c.source_format, contact_source.c.file_name)
                .where(contact_source.c.org_id == org.id, contact_source.c.contact_id == contact_id)
                .order_by(contact_source.c.id)
            )
        )
        values = values_of(conn, org, [contact_id]).get(contact_id, {})
    return ContactDetails(
        row.id,
        row.full_name,
        row.company,
        row.title,
        row.status,
        row.person_id,
        row.profile_url,
        row.connected_on,
        row.archived_at is not None,
        emails,
        phones,
        sources,
        values,
    )
