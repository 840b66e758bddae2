"""Stored nurture suggestions: each member's ties classified (core/nurture.py), kept for views.

The nurture list and My day read `nurture_suggestion` instead of a year of touches per view.
The rows of a tie are rewritten, in the same transaction, wherever its touches or its explicit
mark change (TieUpdater.flush, explicit_ties.mark_explicit), and every member's by the daily
rescore, as the suggestions are as of a moment: windows slide, silences grow. What depends
on the moment of the view is worded then (a cooling tie's silence, a one-sided person's name;
services/insights/nurture.py). A refresh deletes and writes the rows of what it covers, so a
rerun after a crash writes the same rows.

Rows are written for every tie with a suggestion; which are shown (directory persons not
archived, not colleagues) and to whom (services/org/sharing.py) is decided when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, or_, select

from tiegraph.core.nurture import DEFAULT_NURTURE, NurtureParams, Suggestion, TieActivity, classify
from tiegraph.core.strength import Touch
from tiegraph.services.activity.touches import TOUCH_COLUMNS, touch_of
from tiegraph.services.org.orgs import NURTURE_STORED, Org
from tiegraph.services.org.settings import put_setting, read_setting
from tiegraph.store import Store
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import interaction, member, nurture_suggestion, tie

Pair = tuple[int, int]  # (member_id, person_id)


def is_stored(conn: Connection, org: Org) -> bool:
    """Whether the organization's suggestions are all stored: a new organization's are (it has
    no ties), a store migrated to 0023 gets them from the first refresh (`refresh_org`)."""
    return bool(read_setting(conn, org, NURTURE_STORED))


def refresh_pairs(
    conn: Connection,
    org: Org,
    pairs: Iterable[Pair],
    now: datetime,
    params: NurtureParams = DEFAULT_NURTURE,
) -> int:
    """Classify these ties afresh as of `now` and store what they suggest; returns the rows
    written."""
    by_member: dict[int, list[int]] = {}
    for member_id, person_id in set(pairs):
        by_member.setdefault(member_id, []).append(person_id)
    written = 0
    for member_id, persons in sorted(by_member.items()):
        persons.sort()
        for start in range(0, len(persons), IN_CHUNK):
            chunk = persons[start : start + IN_CHUNK]
            written += _refresh(conn, org, member_id, chunk, now, params)
    return written


def refresh_member(
    conn: Connection,
    org: Org,
    member_id: int,
    now: datetime,
    params: NurtureParams = DEFAULT_NURTURE,
) -> int:
    """Classify every tie of one member afresh as of `now`; returns the rows written."""
    touches = _touches(conn, org, member_id, None, now, params)
    explicit = _explicit(conn, org, member_id, None)
    conn.execute(
        nurture_suggestion.delete().where(
            nurture_suggestion.c.org_id == org.id, nurture_suggestion.c.member_id == member_id
        )
    )
    return _write(conn, org, member_id, touches, explicit, now, params)


def refresh_org(store: Store, org: Org, *, now: datetime | None = None) -> int:
    """Every member's suggestions as of `now`, a transaction per member; then the organization
    is marked as stored. Returns the rows written."""
    moment = now or datetime.now(UTC)
    with store.read() as conn:
        ids = list(conn.execute(select(member.c.id).where(member.c.org_id == org.id)).scalars())
    written = 0
    for member_id in sorted(ids):
        with store.write() as conn:
            written += refresh_member(conn, org, member_id, moment)
    put_setting(store, org, NURTURE_STORED, True)
    return written


def _refresh(
    conn: Connection,
    org: Org,
    member_id: int,
    persons: Sequence[int],
    now: datetime,
    params: NurtureParams,
) -> int:
    touches = _touches(conn, org, member_id, persons, now, params)
    explicit = _explicit(conn, org, member_id, persons)
    conn.execute(
        nurture_suggestion.delete().where(
            nurture_suggestion.c.org_id == org.id,
            nurture_suggestion.c.member_id == member_id,
            nurture_suggestion.c.person_id.in_(persons),
        )
    )
    return _write(conn, org, member_id, touches, explicit, now, params)


def _touches(
    conn: Connection,
    org: Org,
    member_id: int,
    persons: Sequence[int] | None,
    now: datetime,
    params: NurtureParams,
) -> dict[int, list[Touch]]:
    """The touches of the lookback of this member's ties (of `persons`, or all) that may have a
    suggestion (`_may_suggest`): the others' are counted in SQL, never read.

    Read from the member's ties touched in the lookback (their key, then the interaction index
    (org, person, member, occurred_at) once per tie): the interaction table has no index by
    member, and a scan of that index for one member's rows reads the whole organization's. A
    tie's `last_at` is its last touch, written with its state (services/activity/ties.py)."""
    day = timedelta(days=1)
    since = now - params.lookback_days * day
    ties = [
        tie.c.org_id == org.id,
        tie.c.member_id == member_id,
        or_(tie.c.last_at >= since, tie.c.last_at.is_(None)),
    ]
    if persons is not None:
        ties.append(tie.c.person_id.in_(persons))
    lookback = [interaction.c.occurred_at >= since, interaction.c.occurred_at < now]
    candidates = (
        select(interaction.c.person_id)
        .select_from(tie)
        .join(
            interaction,
            and_(
                interaction.c.org_id == tie.c.org_id,
                interaction.c.person_id == tie.c.person_id,
                interaction.c.member_id == tie.c.member_id,
            ),
        )
        .where(*ties, *lookback)
        .group_by(interaction.c.person_id)
        .having(_may_suggest(now, params))
    )
    rows = conn.execute(
        select(*TOUCH_COLUMNS).where(
            interaction.c.org_id == org.id,
            interaction.c.person_id.in_(candidates),
            interaction.c.member_id == member_id,
            *lookback,
        )
    )
    return _grouped(rows)


def _may_suggest(now: datetime, params: NurtureParams) -> ColumnElement[bool]:
    """Over one tie's touches of the lookback, what each rule of core/nurture.py `classify`
    needs at the least; a tie failing all three has no suggestion. Most ties of a member are
    quiet, so a refresh classifies a few of them, not every tie with a touch this year.

    One-sided: that many touches in from the person in its window; warming: that many in the
    recent window; cooling: that many times in touch, the last more than the shortest
    silence ago and the first at least the shortest span before it."""
    day = timedelta(days=1)
    at = interaction.c.occurred_at
    engaged = interaction.c.participants <= params.max_participants

    def counted(*conditions: ColumnElement[bool]) -> ColumnElement[Any]:
        return func.sum(case((and_(engaged, *conditions), 1), else_=0))

    silent_since = now - params.cooling_min_silence_days * day
    return or_(
        counted(interaction.c.direction == "in", at >= now - params.one_sided_days * day)
        >= params.one_sided_min_in,
        counted(at >= now - params.recent_days * day) >= params.warming_min_touches,
        and_(
            counted() >= params.cooling_min_days,
            func.max(case((engaged, at))) < silent_since,
            func.min(case((engaged, at))) <= silent_since - params.cooling_min_span_days * day,
        ),
    )


def _grouped(rows: Iterable[Any]) -> dict[int, list[Touch]]:
    found: dict[int, list[Touch]] = {}
    for r in rows:
        found.setdefault(r.person_id, []).append(touch_of(r))
    return found


def _explicit(
    conn: Connection, org: Org, member_id: int, persons: Sequence[int] | None
) -> set[int]:
    query = select(tie.c.person_id).where(
        tie.c.org_id == org.id, tie.c.member_id == member_id, tie.c.explicit.is_(True)
    )
    if persons is not None:
        query = query.where(tie.c.person_id.in_(persons))
    return set(conn.execute(query).scalars())


def _write(
    conn: Connection,
    org: Org,
    member_id: int,
    touches: dict[int, list[Touch]],
    explicit: set[int],
    now: datetime,
    params: NurtureParams,
) -> int:
    found: list[Suggestion] = []
    for person_id, seen in touches.items():
        activity = TieActivity(person_id, "", tuple(seen), person_id in explicit)
        suggestion = classify(activity, now, params)
        if suggestion is not None:
            found.append(suggestion)
    if found:
        conn.execute(
            nurture_suggestion.insert(),
            [
                {
                    "org_id": org.id,
                    "member_id": member_id,
                    "person_id": s.person_id,
                    "kind": s.kind,
                    "priority": s.priority,
                    "words": s.words if s.kind == "one_sided" else s.reason,
                    "last_at": s.last_at,
                    "rhythm_days": s.rhythm_days,
                    "suggested_at": now,
                }
                for s in found
            ],
        )
    return len(found)
