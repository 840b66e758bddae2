"""Contact sync after an import: the file's new private contacts become directory persons at once.

The same rows network.publish_row writes for one contact (a person at the company the contact
names, created if the directory has none of that name; the contact's emails and phones; the
contact linked to it; mail kept under those addresses resolved; the member's tie marked
explicit), for every contact of an import in a few statements per 900.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from tiegraph.core.companies import normalize_company
from tiegraph.services.activity.explicit_ties import mark_explicit
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.activity.writes import resolve_pending
from tiegraph.services.contacts.adopt import adopt, correspondents_of
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, insert_ignore, insert_returning
from tiegraph.store.schema import (
    company,
    contact,
    contact_email,
    contact_phone,
    person,
    person_email,
    person_phone,
)


def publish_contacts(
    conn: Connection, org: Org, owner: Member, contact_ids: Sequence[int], now: datetime
) -> int:
    """Publish those of `contact_ids` that are still private; returns how many were."""
    rows = [
        r
        for start in range(0, len(contact_ids), IN_CHUNK)
        for r in conn.execute(
            # By id alone: with org_id too, SQLite reads a long IN list through the org's index.
            select(contact).where(contact.c.id.in_(contact_ids[start : start + IN_CHUNK]))
        )
        if r.org_id == org.id and r.status == "private" and r.person_id is None
    ]
    if not rows:
        return 0
    employers = _companies(conn, org, [r.company for r in rows])
    values = {r.id: _person_values(org, r, employers) for r in rows}
    person_of = correspondents_of(conn, org, list(values))
    for contact_id, person_id in person_of.items():
        adopt(conn, person_id, values[contact_id])
    fresh = [r for r in rows if r.id not in person_of]
    persons = insert_returning(conn, person, [values[r.id] for r in fresh], ["id"])
    person_of.update({r.id: int(p) for r, (p,) in zip(fresh, persons, strict=True)})
    addresses = _copy_details(conn, org, person_of)
    conn.execute(
        contact.update()
        .where(contact.c.id == bindparam("contact_id"))
        .values(person_id=bindparam("person"), status="matched", shared_at=now, updated_at=now),
        [{"contact_id": c, "person": p} for c, p in person_of.items()],
    )
    # Mail already exchanged with these addresses now counts toward ties.
    rebuilt = resolve_pending(conn, org, addresses)
    ties = TieUpdater(conn, org)
    ties.rebuild(rebuilt)
    ties.flush()  # those of the member's are explicit: the contact names the person now
    mark_explicit(
        conn, org, owner.id, [p for p in person_of.values() if (owner.id, p) not in rebuilt], now
    )
    return len(rows)


def _person_values(org: Org, r: Any, employers: dict[str, int]) -> dict[str, Any]:
    return {
        "org_id": org.id,
        "first_name": r.first_name,
        "last_name": r.last_name,
        "full_name": r.full_name,
        "profile_url": r.profile_url,
        "company_id": employers.get(normalize_company(r.company)),
        "title": r.title,
        "origin": "contact",
    }


def _companies(conn: Connection, org: Org, names: Sequence[str]) -> dict[str, int]:
    """The company of each name's key, created from its first spelling when the org has none."""
    wanted: dict[str, str] = {}
    for name in names:
        key = normalize_company(name)
        if key:
            wanted.setdefault(key, name)
    found: dict[str, int] = {}
    keys = sorted(wanted)
    for start in range(0, len(keys), IN_CHUNK):
        for r in conn.execute(
            select(company.c.id, company.c.name_key)
            .where(
                company.c.org_id == org.id, company.c.name_key.in_(keys[start : start + IN_CHUNK])
            )
            .order_by(company.c.id)
        ):
            found.setdefault(r.name_key, r.id)
    missing = [k for k in keys if k not in found]
    rows = [{"org_id": org.id, "name": wanted[k], "name_key": k} for k in missing]
    for key, (company_id,) in zip(
        missing, insert_returning(conn, company, rows, ["id"]), strict=True
    ):
        found[key] = int(company_id)
    return found


def _copy_details(conn: Connection, org: Org, person_of: dict[int, int]) -> dict[str, int]:
    """The contacts' emails and phones, copied to their persons; returns address -> person."""
    addresses: dict[str, int] = {}
    ids = sorted(person_of)
    for table, column, target, field in (
        (contact_email, contact_email.c.email, person_email, "email"),
        (contact_phone, contact_phone.c.phone, person_phone, "phone"),
    ):
        copied: list[dict[str, Any]] = []
        for start in range(0, len(ids), IN_CHUNK):
            for r in conn.execute(
                select(table.c.contact_id, column.label("value"))
                .where(
                    table.c.org_id == org.id, table.c.contact_id.in_(ids[start : start + IN_CHUNK])
                )
                .order_by(table.c.id)
            ):
                person_id = person_of[r.contact_id]
                copied.append({"org_id": org.id, "person_id": person_id, field: r.value})
                addresses[r.value] = person_id
        # An adopted correspondent holds one of these already.
        insert_ignore(conn, target, copied, key=("org_id", field, "person_id"))
    return addresses
