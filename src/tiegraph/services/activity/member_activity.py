"""Members' recent activity against their usual, kept on the member row, read by who-knows.

The activity is the decayed volume of a member's interactions with directory persons (their
ties' interactions, core/member_activity.py). An ingest folds its new interactions in (see
`fold_into_members`); `ties rescore`, daily in `serve`, recomputes it from the stored
interactions weekly (`refresh`), which takes in what an ingest does not fold: an edited
event's replaced interactions, mail resolved to a person later; and at once after a change of
the model's parameters.

Every view reads a member's pace against the median member's as stored on the member row
(`store_paces`: member.pace and member.pace_factor), written with every write of activity and
by the daily rescore; a factor within `PACE_DRIFT` of the stored one is kept, so that a hair's
move does not refresh the read models of all the member's ties. The median is stored on the
organization at the moment of the last write: until the next one nobody has any new activity,
so every pace decays by the same factor (`pace_later`) and the median stays exact.

`who-knows --as-of` needs every member's pace as of a past date (the median is over all of
them). It reads them from each member's day sums (table member_activity_day, one row per
member and active day: core/member_activity.py `DaySums`), which ingest adds to and the
recompute rebuilds, instead of every interaction of the organization (30 s at 10M
interactions); until a recompute has built them once, from the interactions themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select

from tiegraph.core.member_activity import (
    DaySums,
    MemberActivity,
    MemberFold,
    activity_fingerprint,
    activity_from_columns,
    activity_to_columns,
    day_of,
    day_sums,
    median_pace,
    pace,
    pace_from_days,
    pace_later,
    relative,
)
from tiegraph.core.strength import DEFAULT_PARAMS, Touch, pace_factor, touch_weight
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK, dialect_insert, insert_rows
from tiegraph.store.schema import interaction, member, member_activity_day, organization

# Beyond eight usual half-lives a touch weighs under 0.4% of a new one: left out of recomputes.
HORIZON_HALF_LIVES = 8
RECOMPUTE_EVERY = timedelta(days=7)
# A stored pace factor this close to today's is kept: every shown score of the member moves by
# under a twentieth of a point for it (100 * drift / 4 at most), while a new factor costs a
# refresh of the read models of every tie of the member (services/activity/summaries.py),
# which an ingest would otherwise pay at each flush for the hair every pace moves by.
PACE_DRIFT = 0.002

Pending = dict[int, dict[datetime, float]]  # member id -> moment -> weight folded at it
DayTotals = dict[tuple[int, int], list[float]]  # (member id, day) -> [recent, usual] sums


def median_from(value: Mapping[str, object] | None, now: datetime) -> float:
    """The median member's pace as of `now` from a stored organization.activity_pace."""
    stored = dict(value) if value else {}
    if not stored.get("at"):
        return 1.0
    at = _aware(datetime.fromisoformat(str(stored["at"])))
    days = (now - at).total_seconds() / 86_400.0
    median = stored.get("pace", 1.0)
    return pace_later(float(median) if isinstance(median, int | float) else 1.0, days)


def paces_before(
    conn: Connection, org: Org, member_ids: Iterable[int], cutoff: datetime
) -> dict[int, float]:
    """Each member's pace as of `cutoff` (a midnight, UTC) against the median member's (as-of
    views: every member's, for the median)."""
    since = cutoff - _horizon()
    if _days_current(_stored_pace(conn, org)):
        days: dict[int, list[DaySums]] = {}
        rows = conn.execute(
            select(
                member_activity_day.c.member_id,
                member_activity_day.c.day,
                member_activity_day.c.recent,
                member_activity_day.c.usual,
            ).where(
                member_activity_day.c.org_id == org.id,
                member_activity_day.c.day >= day_of(since),
                member_activity_day.c.day < day_of(cutoff),
            )
        )
        for member_id, day, recent, usual in rows:
            days.setdefault(member_id, []).append(DaySums(day, recent, usual))
        paces = {m: pace_from_days(d, day_of(cutoff)) for m, d in days.items()}
    else:
        folds: dict[int, MemberFold] = {}
        for member_id, at, weight in _weights(conn, org, cutoff, since):
            acc = folds.get(member_id)
            if acc is None:
                acc = folds[member_id] = MemberFold()
            acc.add_weight(at, weight)
        paces = {m: pace(acc.state(), cutoff) for m, acc in folds.items()}
    median = median_pace(paces.values())
    return {m: relative(paces[m], median) if m in paces else 1.0 for m in set(member_ids)}


def refresh(conn: Connection, org: Org, now: datetime) -> bool:
    """Recompute members' activity when due: a week after the last recompute (what ingest
    does not fold is a small drift), or at once when a stored activity was shaped by other
    parameters or the day sums were never built. Reading every interaction of the horizon
    costs about 6-9 us each (SQLite), 60-90 s for 10M: too much for every day. Returns
    whether it recomputed."""
    stored = _stored_pace(conn, org)
    last = stored.get("recomputed_at")
    due = not last or now - _aware(datetime.fromisoformat(str(last))) >= RECOMPUTE_EVERY
    if not due:
        current = activity_fingerprint()
        rows = conn.execute(
            select(member.c.activity).where(
                member.c.org_id == org.id, member.c.activity.is_not(None)
            )
        )
        due = any(activity_from_columns(r.activity).model != current for r in rows)
    due = due or not _days_current(stored)
    if due:
        recompute(conn, org, now)
    return due


def recompute(conn: Connection, org: Org, now: datetime) -> int:
    """Every member's activity from the stored interactions before `now`, and their day sums
    of the horizon (of all time when they were never built, or under other parameters);
    returns how many members have some."""
    since = now - _horizon()
    full = not _days_current(_stored_pace(conn, org))
    folds: dict[int, MemberFold] = {}
    days: DayTotals = {}
    for member_id, at, weight in _weights(conn, org, now, None if full else since):
        _add_to_day(days, member_id, at, weight)
        if at < since:
            continue
        acc = folds.get(member_id)
        if acc is None:
            acc = folds[member_id] = MemberFold()
        acc.add_weight(at, weight)
    ids = conn.execute(select(member.c.id).where(member.c.org_id == org.id)).scalars().all()
    _write(conn, org, {m: folds[m].state() if m in folds else None for m in ids})
    stale = member_activity_day.c.org_id == org.id
    if not full:
        stale = and_(stale, member_activity_day.c.day >= day_of(since))
    conn.execute(member_activity_day.delete().where(stale))
    insert_rows(conn, member_activity_day, _day_rows(org, days))
    _store_median(conn, org, now, recomputed_at=now, days_model=activity_fingerprint())
    return len(folds)


def fold_into_members(conn: Connection, org: Org, pending: Pending) -> list[int]:
    """Fold an ingest's new interactions (summed per member and moment) into stored activity;
    returns the members whose pace factor changed (`store_paces`).

    An activity shaped by other parameters is left as it is: it reads as unknown until the
    next recompute, rather than mixing two models.
    """
    if not pending:
        return []
    current = activity_fingerprint()
    stored: dict[int, MemberActivity] = {}
    wanted = sorted(pending)
    for start in range(0, len(wanted), IN_CHUNK):
        rows = conn.execute(
            select(member.c.id, member.c.activity).where(
                member.c.org_id == org.id, member.c.id.in_(wanted[start : start + IN_CHUNK])
            )
        )
        stored.update({r.id: activity_from_columns(r.activity) for r in rows})
    updated: dict[int, MemberActivity | None] = {}
    for member_id, moments in pending.items():
        before = stored.get(member_id, MemberActivity())
        if before.last_at is not None and before.model != current:
            continue
        acc = MemberFold(before)
        for at, weight in moments.items():
            acc.add_weight(at, weight)
        updated[member_id] = acc.state()
    _write(conn, org, updated)
    if _days_current(_stored_pace(conn, org)):  # else the next recompute builds them all
        _add_days(conn, org, pending)
    return _store_median(conn, org, datetime.now(UTC))


def _add_days(conn: Connection, org: Org, pending: Pending) -> None:
    """Add an ingest's new volume to its members' day sums."""
    added: DayTotals = {}
    for member_id, moments in pending.items():
        for at, weight in moments.items():
            _add_to_day(added, member_id, at, weight)
    rows = _day_rows(org, added)
    for start in range(0, len(rows), IN_CHUNK):
        stmt = dialect_insert(conn, member_activity_day)
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["org_id", "member_id", "day"],
                set_={
                    "recent": member_activity_day.c.recent + stmt.excluded.recent,
                    "usual": member_activity_day.c.usual + stmt.excluded.usual,
                },
            ),
            rows[start : start + IN_CHUNK],
        )


def _add_to_day(totals: DayTotals, member_id: int, at: datetime, weight: float) -> None:
    """Add `weight` of the member's volume at `at` to its day's sums in `totals`."""
    sums = day_sums(at, weight)
    both = totals.get((member_id, sums.day))
    if both is None:
        totals[(member_id, sums.day)] = [sums.recent, sums.usual]
    else:
        both[0] += sums.recent
        both[1] += sums.usual


def _day_rows(org: Org, totals: DayTotals) -> list[dict[str, Any]]:
    """member_activity_day rows of `totals`, in key order."""
    return [
        {"org_id": org.id, "member_id": m, "day": d, "recent": r, "usual": u}
        for (m, d), (r, u) in sorted(totals.items())
    ]


def _days_current(stored: Mapping[str, object]) -> bool:
    """Whether the day sums were built, under the parameters in force."""
    return stored.get("days_model") == activity_fingerprint()


def _horizon() -> timedelta:
    return timedelta(days=HORIZON_HALF_LIVES * DEFAULT_PARAMS.activity_usual_days)


def _stored_pace(conn: Connection, org: Org) -> dict[str, object]:
    stored = conn.execute(
        select(organization.c.activity_pace).where(organization.c.id == org.id)
    ).scalar_one_or_none()
    return dict(stored) if stored else {}


def _store_median(
    conn: Connection,
    org: Org,
    now: datetime,
    *,
    recomputed_at: datetime | None = None,
    days_model: str | None = None,
) -> list[int]:
    """The median member's pace, as of `now` or the latest activity if later (then exact
    until the next write: see the module's docstring)."""
    current = activity_fingerprint()
    activities = [
        activity_from_columns(r.activity)
        for r in conn.execute(
            select(member.c.activity).where(
                member.c.org_id == org.id,
                member.c.archived_at.is_(None),
                member.c.activity.is_not(None),
            )
        )
    ]
    known = [a for a in activities if a.last_at and a.usual > 0.0 and a.model == current]
    at = max([now, *(a.last_at for a in known if a.last_at)])
    stored = _stored_pace(conn, org)
    stored.update(at=at.isoformat(), pace=median_pace(pace(a, at) for a in known))
    if recomputed_at is not None:
        stored["recomputed_at"] = recomputed_at.isoformat()
    if days_model is not None:
        stored["days_model"] = days_model
    conn.execute(
        organization.update().where(organization.c.id == org.id).values(activity_pace=stored)
    )
    return store_paces(conn, org, now)


def store_paces(conn: Connection, org: Org, now: datetime) -> list[int]:
    """Every member's pace against the median's as of `now`, and its factor, on the member row
    (member.pace, member.pace_factor): what every view of a tie reads. Written in the
    transaction that changed the activity or the median, so a crash leaves the old ones.
    Returns the members whose factor changed: every shown score of theirs moved with it (the
    caller refreshes the read models of their ties: services/activity/summaries.py)."""
    median = median_from(_stored_pace(conn, org), now)
    rows, moved = [], []
    stored = select(member.c.id, member.c.activity, member.c.pace, member.c.pace_factor)
    for r in conn.execute(stored.where(member.c.org_id == org.id)):
        known = relative(pace(activity_from_columns(r.activity), now), median)
        factor = pace_factor(known)
        if r.pace_factor is not None and _close(r.pace_factor, factor):
            factor = r.pace_factor
        if r.pace != known or r.pace_factor != factor:
            rows.append({"m": r.id, "new_pace": known, "new_factor": factor})
            moved += [r.id] if r.pace_factor != factor else []
    if rows:
        conn.execute(
            member.update()
            .where(member.c.org_id == org.id, member.c.id == bindparam("m"))
            .values(pace=bindparam("new_pace"), pace_factor=bindparam("new_factor")),
            rows,
        )
    return moved


def _close(stored: float, today: float) -> bool:
    """Whether a stored pace factor is close enough to today's to keep (`PACE_DRIFT`)."""
    return abs(today - stored) <= PACE_DRIFT * max(abs(today), 1e-9)


def pace_factors(conn: Connection, org: Org) -> dict[int, float | None]:
    """Every member's stored pace factor (None: not yet written)."""
    rows = conn.execute(select(member.c.id, member.c.pace_factor).where(member.c.org_id == org.id))
    return {r.id: r.pace_factor for r in rows}


def _write(conn: Connection, org: Org, activities: Mapping[int, MemberActivity | None]) -> None:
    rows = [
        {"m": m, "new_activity": activity_to_columns(a) if a is not None else None}
        for m, a in activities.items()
    ]
    if rows:
        conn.execute(
            member.update()
            .where(member.c.org_id == org.id, member.c.id == bindparam("m"))
            .values(activity=bindparam("new_activity", type_=member.c.activity.type)),
            rows,
        )


def _weights(
    conn: Connection, org: Org, before: datetime, since: datetime | None
) -> Iterable[tuple[int, datetime, float]]:
    """(member, moment, weight) of the interactions with a person from `since` (None: all)
    to before `before`. No index leads with the member (each one costs every insert), so this
    reads the organization's interactions of the span: a weekly recompute, or an as-of view
    before the day sums exist. Alike interactions of one moment (one message's recipients)
    come summed in one row."""
    shape = (
        interaction.c.member_id,
        interaction.c.occurred_at,
        interaction.c.channel,
        interaction.c.participants,
        interaction.c.duration_seconds,
        interaction.c.thread_reply,
    )
    query = (
        select(*shape, func.count())
        .where(
            interaction.c.org_id == org.id,
            interaction.c.person_id.is_not(None),
            interaction.c.occurred_at < before,
        )
        .group_by(*shape)
    )
    if since is not None:
        query = query.where(interaction.c.occurred_at >= since)
    weights: dict[tuple[str, int, int, bool], float] = {}
    for member_id, at, channel, participants, seconds, reply, count in conn.execute(
        query.execution_options(yield_per=10_000)
    ):
        key = (channel, max(int(participants), 1), int(seconds), bool(reply))
        weight = weights.get(key)
        if weight is None:  # direction does not change a weight: any one will do
            weight = weights[key] = touch_weight(Touch(before, channel, "out", *key[1:]))
        yield member_id, _aware(at), weight * count


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
