"""Keeping person_tie_summary (store/schema.py) true: each person's shared ties summed up.

Whatever changes an input — a tie's stored volume, explicit flag or last contact (ingest,
imports, explicit ties, the daily rescore), a member's pace factor, activity sharing or leaving
— refreshes the persons it touched, in its own transaction: a crash leaves the old rows with
the old inputs, and a refresh run twice writes the same rows. Only ties every member may see
count (members sharing their activity, never a leaver's): a viewer's own unshared ties are
merged in when read (services/insights/person_ties.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, and_, delete, select

from tiegraph.core.tie_summary import ScoredTie, scored, summarize
from tiegraph.store.bulk import IN_CHUNK, insert_rows
from tiegraph.store.schema import member, person_tie_summary, tie

SHARED = and_(member.c.archived_at.is_(None), member.c.activity_sharing.is_(True))


def refresh_persons(conn: Connection, org_id: int, person_ids: Iterable[int]) -> None:
    """Recompute these persons' rows from their shared ties (a chunk per statement)."""
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        conn.execute(
            delete(person_tie_summary).where(
                person_tie_summary.c.org_id == org_id, person_tie_summary.c.person_id.in_(chunk)
            )
        )
        rows = conn.execute(
            select(
                tie.c.person_id,
                tie.c.member_id,
                member.c.name,
                tie.c.volume,
                member.c.pace_factor,
                tie.c.explicit,
                tie.c.last_at,
            )
            .join(member, member.c.id == tie.c.member_id)
            .where(tie.c.org_id == org_id, tie.c.person_id.in_(chunk), SHARED)
            .order_by(tie.c.person_id, tie.c.member_id)
        )
        _write(conn, org_id, [_scored(r) for r in rows])


def refresh_members(conn: Connection, org_id: int, member_ids: Iterable[int]) -> None:
    """Recompute the rows of every person these members have a tie to (their sharing, leaving
    or pace changed)."""
    wanted = sorted(set(member_ids))
    persons: set[int] = set()
    for start in range(0, len(wanted), IN_CHUNK):
        persons.update(
            conn.execute(
                select(tie.c.person_id).where(
                    tie.c.org_id == org_id, tie.c.member_id.in_(wanted[start : start + IN_CHUNK])
                )
            ).scalars()
        )
    refresh_persons(conn, org_id, persons)


def rebuild(conn: Connection, org_id: int) -> None:
    """The whole organization's rows afresh (what a full recompute gives: tests compare)."""
    conn.execute(delete(person_tie_summary).where(person_tie_summary.c.org_id == org_id))
    persons = conn.execute(
        select(tie.c.person_id).where(tie.c.org_id == org_id).distinct()
    ).scalars()
    refresh_persons(conn, org_id, list(persons))


def _scored(r: Any) -> ScoredTie:
    return scored(
        r.person_id, r.member_id, r.name, r.volume, r.pace_factor, bool(r.explicit), r.last_at
    )


def _write(conn: Connection, org_id: int, ties: Sequence[ScoredTie]) -> None:
    rows = [
        {
            "org_id": org_id,
            "person_id": s.person_id,
            "knowers": s.knowers,
            "score": s.best.score,
            "strength": s.best.strength,
            "member_id": s.best.member_id,
            "last_at": s.last_at,
        }
        for s in summarize(ties).values()
    ]
    if rows:
        insert_rows(conn, person_tie_summary, rows)
