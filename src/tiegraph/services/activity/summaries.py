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

from sqlalchemy import Connection, select

from tiegraph.services.activity import company_summary, nurture_store, person_summary
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import tie

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
    pairs: Iterable[Pair] = (),
    every_company: bool = False,
    now: datetime | None = None,
) -> Refreshed:
    """Refresh each read model once for the union of what changed.

    `persons`: persons whose ties changed (their summary); `companies`: companies whose ties
    changed, before and after a move (None entries are ignored); `members`: members whose
    every tie's shown score or visibility changed (pace, sharing, leaving), which covers the
    persons and companies of their ties; `pairs`: ties whose touches or explicit mark changed
    (their nurture suggestions, classified as of `now`); `every_company`: all the
    organization's companies (a daily rescore)."""
    wanted_pairs = set(pairs)
    if wanted_pairs and now is None:
        raise ValueError("refreshing nurture suggestions needs the moment they are as of (now)")
    who = sorted(set(members))
    wanted_persons = set(persons) | _persons_of_members(conn, org, who)
    if wanted_pairs and now is not None:
        nurture_store.refresh_pairs(conn, org, wanted_pairs, now)
    if every_company:
        company_summary.refresh_companies(conn, org)
        summed: int | None = None
    else:
        wanted = {c for c in companies if c is not None}
        wanted |= company_summary.companies_of_members(conn, org, who)
        company_summary.refresh_companies(conn, org, wanted)
        summed = len(wanted)
    person_summary.refresh_persons(conn, org, wanted_persons)
    return Refreshed(len(wanted_persons), summed, len(wanted_pairs))


def _persons_of_members(conn: Connection, org: Org, member_ids: list[int]) -> set[int]:
    """The persons these members have ties to."""
    found: set[int] = set()
    for start in range(0, len(member_ids), IN_CHUNK):
        found.update(
            conn.execute(
                select(tie.c.person_id).where(
                    tie.c.org_id == org.id,
                    tie.c.member_id.in_(member_ids[start : start + IN_CHUNK]),
                )
            ).scalars()
        )
    return found
