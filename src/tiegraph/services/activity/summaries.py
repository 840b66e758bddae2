"""The one way a write keeps the read models true: each refreshed once for all it changed.

Three read models are kept in the transaction of the write that changes their inputs:
person_tie_summary (services/activity/person_summary.py), company_knower and company_coverage
(company_summary.py) and nurture_suggestion (nurture_store.py). A write says what it changed —
ties of persons, companies whose ties came or left, members whose pace, sharing or leaving
changed, ties whose touches or explicit mark changed — and `refresh` turns the union into one
refresh per table: a person of a written tie whose member's pace moved too is summed once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, select

from tiegraph.services.activity import company_summary, nurture_store, person_summary
from tiegraph.services.activity.person_summary import SHARED
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, tie

Pair = tuple[int, int]  # (member_id, person_id)


@dataclass(frozen=True)
class Refreshed:
    """How much one refresh covered: persons summed, companies summed (None: all of them),
    ties classified for nurture."""

    persons: int
    companies: int | None
    pairs: int


def refresh(
    conn: Connection,
    org: Org,
    *,
    persons: Iterable[int] = (),
    companies: Iterable[int | None] = (),
    members: Iterable[int] = (),
    paced: Iterable[int] = (),
    pairs: Iterable[Pair] = (),
    every_company: bool = False,
    now: datetime | None = None,
) -> Refreshed:
    """Refresh each read model once for the union of what changed.

    `persons`: persons whose ties changed (their summary); `companies`: companies whose ties
    changed, before and after a move (None entries are ignored); `members`: members whose
    every tie's shown score or visibility changed (pace, sharing, leaving), which covers the
    persons and companies of their ties; `paced`: members whose stored pace factor changed,
    which moves only their ties with a volume (an explicit tie without interactions scores its
    bonus whatever the factor), and the persons' summary only for members who share their
    activity (no other tie is summed there); `pairs`: ties whose touches or explicit mark changed
    (their nurture suggestions, classified as of `now`); `every_company`: all the
    organization's companies (a daily rescore)."""
    wanted_pairs = set(pairs)
    if wanted_pairs and now is None:
        raise ValueError("refreshing nurture suggestions needs the moment they are as of (now)")
    who, moved = sorted(set(members)), sorted(set(paced) - set(members))
    wanted_persons = set(persons) | _of_members(conn, org, tie.c.person_id, who)
    wanted_persons |= _of_members(conn, org, tie.c.person_id, moved, paced=True)
    if wanted_pairs and now is not None:
        nurture_store.refresh_pairs(conn, org, wanted_pairs, now)
    if every_company:
        company_summary.refresh_companies(conn, org)
        summed: int | None = None
    else:
        wanted = {c for c in companies if c is not None}
        wanted |= _of_members(conn, org, tie.c.company_id, who)
        wanted |= _of_members(conn, org, tie.c.company_id, moved, paced=True)
        company_summary.refresh_companies(conn, org, wanted)
        summed = len(wanted)
    person_summary.refresh_persons(conn, org, wanted_persons)
    return Refreshed(len(wanted_persons), summed, len(wanted_pairs))


def _of_members(
    conn: Connection,
    org: Org,
    column: ColumnElement[Any],
    member_ids: list[int],
    *,
    paced: bool = False,
) -> set[int]:
    """The persons or companies (`column` of tie) of these members' ties; with `paced`, of the
    ties a new pace factor moves (a volume above 0), and persons only of sharing members."""
    found: set[int] = set()
    for start in range(0, len(member_ids), IN_CHUNK):
        query = select(column).where(
            tie.c.org_id == org.id,
            tie.c.member_id.in_(member_ids[start : start + IN_CHUNK]),
            column.is_not(None),
        )
        if paced:
            query = query.where(tie.c.volume > 0)
            if column is tie.c.person_id:
                query = query.join(member, same_org(member, tie.c.member_id)).where(SHARED)
        found.update(conn.execute(query.distinct()).scalars())
    return found
