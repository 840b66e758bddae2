"""Keeping person_tie_summary (store/schema.py) true: each person's shared ties summed up.

Whatever changes an input — a tie's stored volume, explicit flag or last contact (ingest,
imports, explicit ties, the daily rescore), a member's pace factor, activity sharing or leaving
— refreshes the persons it touched, in its own transaction, through the one entry point of the
read models (services/activity/summaries.py `refresh`): a crash leaves the old rows with the
old inputs, and a refresh run twice writes the same rows. Only ties every member may see
count (members sharing their activity, never a leaver's): a viewer's own unshared ties are
merged in when read (services/insights/person_ties.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, literal, select

from tiegraph.services.activity.shown import shown_sql, shown_strength_sql
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, person_tie_summary, tie

SHARED = and_(member.c.archived_at.is_(None), member.c.activity_sharing.is_(True))


def refresh_persons(conn: Connection, org: Org, person_ids: Iterable[int]) -> None:
    """Recompute these persons' rows from their shared ties, in SQL (a chunk per statement):
    the rule of core/tie_summary.py, the strongest ordered by score, strength, then name in
    code point order (PostgreSQL's "C" collation, SQLite's own) and member id."""
    ids = sorted(set(person_ids))
    org_id = org.id
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        conn.execute(
            delete(person_tie_summary).where(
                person_tie_summary.c.org_id == org_id, person_tie_summary.c.person_id.in_(chunk)
            )
        )
        conn.execute(_insert(conn, org_id, tie.c.person_id.in_(chunk)))


def _insert(conn: Connection, org_id: int, which: Any) -> Any:
    score, strength = shown_sql(), shown_strength_sql()
    name = member.c.name.collate("C") if conn.dialect.name == "postgresql" else member.c.name
    per_person = tie.c.person_id
    ranked = (
        select(
            tie.c.person_id,
            tie.c.member_id,
            score.label("score"),
            strength.label("strength"),
            func.count().over(partition_by=per_person).label("knowers"),
            func.max(tie.c.last_at).over(partition_by=per_person).label("last_at"),
            func.row_number()
            .over(
                partition_by=per_person,
                order_by=(score.desc(), strength.desc(), name, tie.c.member_id),
            )
            .label("rank"),
        )
        .join(member, same_org(member, tie.c.member_id))
        .where(tie.c.org_id == org_id, which, SHARED, score > 0)
        .subquery("ranked")
    )
    best = select(
        literal(org_id),
        ranked.c.person_id,
        ranked.c.knowers,
        ranked.c.score,
        ranked.c.strength,
        ranked.c.member_id,
        ranked.c.last_at,
    ).where(ranked.c.rank == 1)
    columns = ["org_id", "person_id", "knowers", "score", "strength", "member_id", "last_at"]
    return insert(person_tie_summary).from_select(columns, best)


def rebuild(conn: Connection, org: Org) -> None:
    """The whole organization's rows afresh (what a full recompute gives: tests compare)."""
    conn.execute(delete(person_tie_summary).where(person_tie_summary.c.org_id == org.id))
    persons = conn.execute(
        select(tie.c.person_id).where(tie.c.org_id == org.id).distinct()
    ).scalars()
    refresh_persons(conn, org, list(persons))
