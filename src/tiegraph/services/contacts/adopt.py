"""A contact made a directory person adopts the correspondent its address already is.

Mail may have made a person of an address (origin "correspondence") before its owner's
contact was published: publishing then fills that person in from the contact rather than
adding a second one, so its ties and interactions stay where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import contact_email, person, person_email

_FILLED = ("first_name", "last_name", "full_name", "profile_url", "company_id", "title")


def correspondents_of(conn: Connection, org: Org, contact_ids: Sequence[int]) -> dict[int, int]:
    """contact id -> the correspondence person holding one of its emails (the first made)."""
    found: dict[int, int] = {}
    ids = sorted(set(contact_ids))
    for start in range(0, len(ids), IN_CHUNK):
        rows = conn.execute(
            select(contact_email.c.contact_id, person.c.id)
            .join(person_email, person_email.c.email == contact_email.c.email)
            .join(person, same_org(person, person_email.c.person_id))
            .where(
                contact_email.c.org_id == org.id,
                contact_email.c.contact_id.in_(ids[start : start + IN_CHUNK]),
                person_email.c.org_id == org.id,
                person.c.origin == "correspondence",
                person.c.archived_at.is_(None),
            )
            .order_by(person.c.id)
        )
        for r in rows:
            found.setdefault(r.contact_id, r.id)
    return found


def adopt(conn: Connection, person_id: int, values: dict[str, Any]) -> None:
    """Fill the correspondent in from the contact: what the contact states replaces what mail
    guessed (a display name, a company from the domain); it is a contact's person now."""
    stated = {k: values[k] for k in _FILLED if values.get(k)}
    conn.execute(person.update().where(person.c.id == person_id).values(**stated, origin="contact"))
