"""Archive and restore contacts and directory persons: nothing in tiegraph is ever deleted."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select

from tiegraph.core.emails import normalize_email
from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services.activity.company_summary import companies_of_persons, refresh_companies
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.overlaps import refresh_overlaps
from tiegraph.store.schema import contact, person, person_email


def set_contact_archived(
    store: Store, org: Org, owner: Member, contact_id: int, *, archived: bool
) -> None:
    """Archive (or restore) one of the owner's contacts; its tie loses (regains) 'in contacts'."""
    with store.write() as conn:
        row = conn.execute(
            select(contact.c.member_id, contact.c.person_id, contact.c.archived_at).where(
                contact.c.org_id == org.id, contact.c.id == contact_id
            )
        ).first()
        if row is None or row.member_id != owner.id:
            raise NotFoundError(f"no contact {contact_id} in {owner.email}'s address book")
        if (row.archived_at is not None) == archived:
            state = "archived" if archived else "not archived"
            raise InvalidInputError(f"contact {contact_id} is already {state}")
        conn.execute(
            contact.update()
            .where(contact.c.id == contact_id)
            .values(archived_at=datetime.now(UTC) if archived else None)
        )
        if row.person_id is not None:
            ties = TieUpdater(conn, org)
            ties.rebuild([(owner.id, int(row.person_id))])
            ties.flush()


def person_id_for_email(store: Store, org: Org, email: str) -> int:
    address = normalize_email(email) or email.strip().lower()
    with store.read() as conn:
        row = conn.execute(
            select(person_email.c.person_id)
            .where(person_email.c.org_id == org.id, person_email.c.email == address)
            .order_by(person_email.c.person_id)
        ).first()
    if row is None:
        raise NotFoundError(f"no directory person with the email {address}")
    return int(row.person_id)


def _person_row(conn: Connection, org: Org, person_id: int) -> tuple[str, object]:
    row = conn.execute(
        select(person.c.origin, person.c.archived_at).where(
            person.c.org_id == org.id, person.c.id == person_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no directory person {person_id}")
    return str(row.origin), row.archived_at


def set_person_archived(
    store: Store, org: Org, person_id: int, *, archived: bool, viewer: Member | None = None
) -> None:
    """Archive (or restore) a directory person: an admin's decision (viewer None: the operator)."""
    if viewer is not None and viewer.role != "admin":
        raise ForbiddenError("archiving a directory person needs an admin of the organization")
    with store.write() as conn:
        origin, archived_at = _person_row(conn, org, person_id)
        if origin == "member":
            raise InvalidInputError("a member is archived as a member, not as a directory person")
        if (archived_at is not None) == archived:
            state = "archived" if archived else "not archived"
            raise InvalidInputError(f"person {person_id} is already {state}")
        conn.execute(
            person.update()
            .where(person.c.org_id == org.id, person.c.id == person_id)
            .values(archived_at=datetime.now(UTC) if archived else None)
        )
        refresh_companies(conn, org, companies_of_persons(conn, org, [person_id]))
        refresh_overlaps(conn, org.id, [person_id])  # their jobs connect only while not archived
