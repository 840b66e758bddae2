"""A member's ties to the persons in their contacts, marked explicit in bulk after an import.

The same rows TieUpdater.mark_explicit + flush write (services/activity/ties.py), for tens of
thousands of persons at once: a new tie's state is empty, so its score, label and reasons are
computed once and written by INSERT ... SELECT over the persons; only ties that already exist
(from activity) are read and rescored one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, literal, null, select

from tiegraph.core.strength import TieState, from_columns, score, strength, to_columns
from tiegraph.services.activity.company_summary import companies_of_persons
from tiegraph.services.activity.summaries import refresh
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, upsert_rows
from tiegraph.store.schema import person, tie


def mark_explicit(
    conn: Connection, org: Org, member_id: int, person_ids: Sequence[int], now: datetime
) -> int:
    """Make (or rescore) the member's ties to `person_ids` as explicit connections; returns how
    many ties were written."""
    if not person_ids:
        return 0
    stored: dict[int, dict[str, Any]] = {}
    moved: dict[int, int | None] = {}  # where the member's ties to them were
    for start in range(0, len(person_ids), IN_CHUNK):
        found = conn.execute(
            select(tie.c.person_id, tie.c.state, tie.c.company_id).where(
                tie.c.org_id == org.id,
                tie.c.member_id == member_id,
                tie.c.person_id.in_(person_ids[start : start + IN_CHUNK]),
            )
        )
        for r in found:
            stored[r.person_id], moved[r.person_id] = r.state, r.company_id
    new = [p for p in person_ids if p not in stored]
    fresh = _row(org.id, member_id, TieState(), now)
    constants = [
        (literal(v, tie.c[k].type) if v is not None else null()).label(k) for k, v in fresh.items()
    ]
    for start in range(0, len(new), IN_CHUNK):
        # Every new tie is the same row but for its person and employer: one INSERT ... SELECT
        # per chunk reads the employers and writes the ties in the database. By id alone:
        # with org_id too, SQLite would read a long IN list through the org's index (the ids
        # come from this organization's directory).
        persons = select(*constants, person.c.id, person.c.company_id).where(
            person.c.id.in_(new[start : start + IN_CHUNK])
        )
        conn.execute(tie.insert().from_select([*fresh, "person_id", "company_id"], persons))
    known = [p for p in person_ids if p in stored]
    employers = _employers(conn, org, known)
    rows = [
        _row(org.id, member_id, from_columns(stored[p]), now)
        | {"person_id": p, "company_id": employers.get(p)}
        for p in known
    ]
    upsert_rows(conn, tie, rows, key=("org_id", "member_id", "person_id"))
    now_at = companies_of_persons(conn, org, new) | set(employers.values())
    refresh(
        conn,
        org,
        persons=person_ids,
        companies=now_at | set(moved.values()),
        # Explicit ties score higher, which a suggestion's label test reads; a new tie has no
        # touches.
        pairs=[(member_id, p) for p in known],
        now=now,
    )
    return len(new) + len(known)


def _employers(conn: Connection, org: Org, person_ids: Sequence[int]) -> dict[int, int | None]:
    found: dict[int, int | None] = {}
    for start in range(0, len(person_ids), IN_CHUNK):
        rows = conn.execute(
            select(person.c.id, person.c.org_id, person.c.company_id).where(
                person.c.id.in_(person_ids[start : start + IN_CHUNK])
            )
        )
        found.update({r.id: r.company_id for r in rows if r.org_id == org.id})
    return found


def _row(org_id: int, member_id: int, state: TieState, now: datetime) -> dict[str, Any]:
    scored = score(state, max(now, state.last_at or now), explicit_connection=True)
    return {
        "org_id": org_id,
        "member_id": member_id,
        "score": float(scored.score),
        "label": scored.label,
        "explicit": True,
        "first_at": state.first_at,
        "last_at": state.last_at,
        "state": to_columns(state),
        "reasons": list(scored.reasons),
        "scored_at": now,
        "volume": strength(state, now),
    }
