"""Writing a planned contact import (contact_plan.py) in a few set-based statements.

New contacts are inserted with the status they ended with (their ids allocated in one go), so
no row is written twice; then their emails, phones, sources and possible matches, each table
in batched inserts; then what changed in contacts imported before, and the member's ties.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam

from tiegraph.services.contact_plan import Contact, Plan, source_row
from tiegraph.services.explicit_ties import mark_explicit
from tiegraph.services.members import Member
from tiegraph.services.orgs import Org
from tiegraph.store.bulk import insert_returning, insert_rows
from tiegraph.store.schema import (
    contact,
    contact_email,
    contact_phone,
    contact_source,
    possible_match,
)

CHUNK = 900  # ids per IN (...): under SQLite's older limit of 999 variables


def write_plan(conn: Connection, org: Org, owner: Member, plan: Plan, now: datetime) -> None:
    base: dict[str, Any] = {"org_id": org.id, "member_id": owner.id}
    _insert_contacts(conn, base, plan.created, now)
    earlier = {c.id: c for c, _, _ in plan.sources if c.changed and c.row is None}
    _update_contacts(conn, earlier, now)
    # Rows made batch by batch as they are inserted (generators): never all in memory.
    emails = (base | {"contact_id": c.id, "email": e} for c, e in plan.emails)
    insert_rows(conn, contact_email, emails)
    phones = (base | {"contact_id": c.id, "phone": p} for c, p in plan.phones)
    insert_rows(conn, contact_phone, phones)
    names: dict[str, str] = {}  # file -> its name: one Path per file, not per record
    sources = (
        base
        | {"contact_id": c.id}
        | source_row(r, key, names.get(r.file) or names.setdefault(r.file, Path(r.file).name))
        for c, r, key in plan.sources
    )
    insert_rows(conn, contact_source, sources)
    _supersede(conn, org, sorted(plan.superseded), now)
    suggestions = (
        {
            "org_id": org.id,
            "contact_id": c.id,
            "person_id": person_id,
            "reason": reason,
            "status": "superseded" if settled else "open",
            "decided_at": now if settled else None,
        }
        for c, person_id, reason, settled in plan.possible
    )
    insert_rows(conn, possible_match, suggestions)
    mark_explicit(conn, org, owner.id, sorted(plan.explicit), now)


def _insert_contacts(
    conn: Connection, base: dict[str, Any], created: Sequence[Contact], now: datetime
) -> None:
    rows = [
        base
        | (c.row or {})
        | {
            "status": c.status,
            "person_id": c.person_id,
            "updated_at": now if c.status == "matched" else None,
        }
        for c in created
    ]
    ids = insert_returning(conn, contact, rows, ["id"])
    for c, (contact_id,) in zip(created, ids, strict=True):
        c.id = int(contact_id)


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
    for start in range(0, len(contact_ids), CHUNK):
        conn.execute(
            possible_match.update()
            .where(
                possible_match.c.org_id == org.id,
                possible_match.c.contact_id.in_(contact_ids[start : start + CHUNK]),
                possible_match.c.status == "open",
            )
            .values(status="superseded", decided_at=now)
        )
