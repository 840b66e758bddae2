"""Writing a planned contact import (contact_plan.py) in a few set-based statements.

New contacts are inserted with the status they ended with (their ids allocated in one go), so
no row is written twice; then their emails, phones, sources and possible matches. Each table's
rows are made as plain tuples in the driver's form and handed to it in one executemany (COPY
on PostgreSQL): SQLAlchemy processing every value of 300,000 rows cost more than SQLite's
inserting them (bench/bench_import.py). Then what changed in contacts imported before, and the
member's ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, bindparam

from tiegraph.services.activity.explicit_ties import mark_explicit
from tiegraph.services.contacts.plan import Contact, Plan
from tiegraph.services.contacts.prepare import NEW_COLUMNS
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, allocate_ids, driver_day, driver_moment, insert_plain
from tiegraph.store.schema import (
    contact,
    contact_email,
    contact_phone,
    contact_source,
    possible_match,
)

OWNED = ("org_id", "member_id", "contact_id")
CONTACT_COLUMNS = ("id", "org_id", "member_id", "status", "person_id", "updated_at", *NEW_COLUMNS)
SOURCE_COLUMNS = (*OWNED, "source_format", "file_name", "locator", "record_key", "record")
POSSIBLE_COLUMNS = ("org_id", "contact_id", "person_id", "reason", "status", "decided_at")


def write_plan(conn: Connection, org: Org, owner: Member, plan: Plan, now: datetime) -> None:
    _insert_contacts(conn, org, owner, plan.created, now)
    earlier = {c.id: c for c, _ in plan.sources if c.changed and c.row is None}
    _update_contacts(conn, earlier, now)
    owned = (org.id, owner.id)
    emails = [(*owned, c.id, e) for c, e in plan.emails]
    insert_plain(conn, contact_email, (*OWNED, "email"), emails)
    phones = [(*owned, c.id, p) for c, p in plan.phones]
    insert_plain(conn, contact_phone, (*OWNED, "phone"), phones)
    sources = [(*owned, c.id, *source) for c, source in plan.sources]
    insert_plain(conn, contact_source, SOURCE_COLUMNS, sources)
    _supersede(conn, org, sorted(plan.superseded), now)
    decided = driver_moment(conn)(now)
    suggestions = [
        (org.id, c.id, person, reason, *(("superseded", decided) if settled else ("open", None)))
        for c, person, reason, settled in plan.possible
    ]
    insert_plain(conn, possible_match, POSSIBLE_COLUMNS, suggestions)
    mark_explicit(conn, org, owner.id, sorted(plan.explicit), now)


def _insert_contacts(
    conn: Connection, org: Org, owner: Member, created: Sequence[Contact], now: datetime
) -> None:
    ids = allocate_ids(conn, contact, len(created))
    moment, day = driver_moment(conn)(now), driver_day(conn)
    rows = []
    for c, contact_id in zip(created, ids, strict=True):
        c.id = contact_id
        assert c.row is not None  # every new contact has its first record's columns
        *written, connected_on = c.row
        matched = c.status == "matched"
        rows.append(
            (contact_id, org.id, owner.id, c.status, c.person_id, moment if matched else None,
             *written, day(connected_on) if connected_on else None)
        )  # fmt: skip
    insert_plain(conn, contact, CONTACT_COLUMNS, rows)


def _update_contacts(conn: Connection, changed: dict[int | None, Contact], now: datetime) -> None:
    """Contacts imported before whose status this file changed (matched, or now possible)."""
    matched = [
        {"contact_id": i, "person_id": c.person_id}
        for i, c in changed.items()
        if c.status == "matched"
    ]
    possible = [{"contact_id": i} for i, c in changed.items() if c.status == "possible"]
    if matched:
        conn.execute(
            contact.update()
            .where(contact.c.id == bindparam("contact_id"))
            .values(status="matched", person_id=bindparam("person_id"), updated_at=now),
            matched,
        )
    if possible:
        conn.execute(
            contact.update()
            .where(contact.c.id == bindparam("contact_id"))
            .values(status="possible"),
            possible,
        )


def _supersede(conn: Connection, org: Org, contact_ids: Sequence[int], now: datetime) -> None:
    """Open suggestions of contacts imported before and matched now are moot."""
    for start in range(0, len(contact_ids), IN_CHUNK):
        conn.execute(
            possible_match.update()
            .where(
                possible_match.c.org_id == org.id,
                possible_match.c.contact_id.in_(contact_ids[start : start + IN_CHUNK]),
                possible_match.c.status == "open",
            )
            .values(status="superseded", decided_at=now)
        )
