"""Intro paths through the target's company: a colleague who works there, or a colleague's
contact there; either way the last hop is inferred ("likely: colleagues at X").

A colleague is asked directly, never through another colleague: a tie to a colleague's person
is not a way through the company (that colleague has their own path), and the asker's own
contacts there are no introduction through a colleague at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, bindparam, select

from tiegraph.core import likelihood
from tiegraph.core.paths import no_one_twice, path_strength, tie_hop
from tiegraph.services.directory.accounts import Account
from tiegraph.services.insights.connection_rows import people_by_id
from tiegraph.services.insights.path_hops import (
    SEEN_BY,
    IntroPath,
    PathCtx,
    Target,
    by_view,
    first_weight,
    likely,
    measured,
    path,
    tie_score,
)
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import employment, member, person, tie

CANDIDATES = 200  # the target's company's strongest ties considered for the three-hop paths
STATE_CHUNK = 16  # tie states read at a time, as the three-hop candidates are rescored
ASSUMED_YEARS = 1.0  # two people at one company with unknown dates: assume a year together
OWN_SHOWN = 3  # the asker's own contacts at the target's company worth naming

Span = tuple[date | None, date | None]


def _why(chance: float, account: Account) -> str:
    return f"{likelihood.certainty(chance)}: colleagues at {account.name}"


# Built once with bound parameters (PathCtx.bound): a person page runs these on every view.
_COLLEAGUES_THERE = select(person.c.id).where(
    person.c.org_id == bindparam("org_id"),
    person.c.company_id == bindparam("company_id"),
    person.c.id.in_(bindparam("person_ids", expanding=True)),
    person.c.id != bindparam("target_id"),
)


def _candidates_query(visible: ColumnElement[bool], asking: bool) -> Any:
    query = (
        select(tie.c.member_id, tie.c.person_id, tie.c.score, tie.c.volume, tie.c.explicit)
        .join(member, same_org(member, tie.c.member_id))
        .where(
            tie.c.org_id == bindparam("org_id"),
            tie.c.company_id == bindparam("company_id"),
            tie.c.person_id != bindparam("target_id"),
            tie.c.person_id.not_in(bindparam("person_ids", expanding=True)),
            visible,
        )
        .order_by(tie.c.score.desc())
        .limit(CANDIDATES)
    )
    return query.where(tie.c.member_id != bindparam("requester_id")) if asking else query


# By (seen by a viewer, someone asking).
_CANDIDATES = {
    (viewer, asking): _candidates_query(visible, asking)
    for viewer, visible in SEEN_BY.items()
    for asking in (True, False)
}
# The pairs' members and persons, each an IN list: a superset of the pairs, as
# services/activity/ties.py `pairs_in` reads them (the caller keeps the pairs asked for).
_STATES = select(tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit, tie.c.volume).where(
    tie.c.org_id == bindparam("org_id"),
    tie.c.member_id.in_(bindparam("member_ids", expanding=True)),
    tie.c.person_id.in_(bindparam("person_ids", expanding=True)),
)
_TENURES = select(employment.c.person_id, employment.c.start_date, employment.c.end_date).where(
    employment.c.org_id == bindparam("org_id"),
    employment.c.company_id == bindparam("company_id"),
    employment.c.person_id.in_(bindparam("person_ids", expanding=True)),
)
_OWN_CONTACTS = by_view(
    lambda visible: (
        select(tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit, tie.c.volume)
        .join(member, same_org(member, tie.c.member_id))
        .where(
            tie.c.org_id == bindparam("org_id"),
            tie.c.member_id == bindparam("requester_id"),
            visible,
            tie.c.company_id == bindparam("company_id"),
            tie.c.person_id != bindparam("target_id"),
            tie.c.person_id.not_in(bindparam("person_ids", expanding=True)),
        )
        .order_by(tie.c.score.desc())
        .limit(OWN_SHOWN)
    )
)


def colleague_paths(ctx: PathCtx, target: Target, account: Account) -> list[IntroPath]:
    """Colleagues who work at the target's company: they likely know the target."""
    asking = ctx.requester.id if ctx.requester else None
    which = ctx.bound(company_id=account.id, person_ids=sorted(ctx.member_persons()))
    there = set(ctx.conn.execute(_COLLEAGUES_THERE, which | {"target_id": target.id}).scalars())
    colleagues = [
        m for m in ctx.members.values() if m.person_id in there and m.id != asking
    ]  # fmt: skip
    tenures = _tenures(ctx, account.id, {m.person_id for m in colleagues} | {target.id})
    today = ctx.now.date()
    found = []
    for m in colleagues:
        years = _overlap(tenures.get(m.person_id), tenures.get(target.id), today)
        chance = likelihood.colleague(account.headcount, years)
        if chance > 0:
            hop = likely(m.name, m.email, target, chance, _why(chance, account))
            found.append(path(ctx, m.id, (hop,)))
    return found


def company_paths(ctx: PathCtx, target: Target, account: Account, limit: int) -> list[IntroPath]:
    """Through someone at the target's company whom a colleague knows: each colleague's best,
    the `limit` strongest (0: all).

    A tie's score only decays while nothing new happens (services/insights/closest.py; the daily
    rescore keeps stored scores near today's), so a path's strength with the stored score is
    a bound on its strength today: candidates are rescored best bound first, a colleague's
    others only while their bound beats that colleague's best path, and none once the
    `limit`-th best path beats every bound left. A candidate's shown score comes from its
    stored volume (services/activity/tie_scores.py `shown_of`); only the kept paths' ties
    are read whole and worded.
    """
    rows = _candidates(ctx, target)
    if not rows:
        return []
    tenures = _tenures(ctx, account.id, {r.person_id for r in rows} | {target.id})
    candidates = _bounds(ctx, rows, tenures, target.id, account.headcount)
    best: dict[int, tuple[int, Any, float]] = {}  # member -> (strength, tie, likelihood)
    states: dict[tuple[int, int], Any] = {}
    people: dict[int, Any] = {}  # read a chunk at a time, for the candidates looked at only
    for at, (bound, r, chance) in enumerate(candidates):
        # Strengths are shown rounded, equal ones ordered by name: stop below the k-th only.
        if limit and len(best) >= limit and _kth(best, limit) > bound:
            break
        held = best.get(r.member_id)
        if held is not None and held[0] >= bound:
            continue
        if r.person_id not in people:
            ahead = {c[1].person_id for c in candidates[at : at + STATE_CHUNK]}
            people.update(people_by_id(ctx.conn, ctx.org, ahead - set(people)))
        if not _no_one_twice(ctx, r, people, target):
            continue
        if r.volume is not None:  # the shown score from stored columns: no state read
            shown = ctx.scorer.shown_of(r)
        else:
            if (r.member_id, r.person_id) not in states:
                states.update(_states(ctx, [c[1] for c in candidates[at : at + STATE_CHUNK]]))
            shown = ctx.scorer.shown_of(states[(r.member_id, r.person_id)])
        if shown <= 0:
            continue
        weight = first_weight(ctx, r.member_id)
        strength = path_strength([weight, tie_hop(shown), chance])
        if held is None or strength > held[0]:
            best[r.member_id] = (strength, r, chance)
    kept = [r for _, r, _ in best.values() if (r.member_id, r.person_id) not in states]
    states.update(_states(ctx, kept))
    found = []
    for _, r, chance in best.values():  # only the paths kept are worded
        result = tie_score(ctx, states[(r.member_id, r.person_id)])
        via = people[r.person_id]
        know = measured(ctx.members[r.member_id], via.name, via.email, result)
        inferred = likely(via.name, via.email, target, chance, _why(chance, account))
        found.append(path(ctx, r.member_id, (know, inferred), r.person_id))
    return found


def _no_one_twice(ctx: PathCtx, row: Any, people: dict[int, Any], target: Target) -> bool:
    m, via = ctx.members[row.member_id], people[row.person_id]
    on_path = [(m.email, m.name), (via.email, via.name), (target.email, target.full_name)]
    if ctx.requester is not None:
        on_path.append((ctx.requester.email, ctx.requester.name))
    return m.person_id != target.id and no_one_twice(on_path)


def _candidates(ctx: PathCtx, target: Target) -> list[Any]:
    """The strongest visible ties of colleagues (not the asker) to people at the target's
    company who are neither the target nor a colleague."""
    which = ctx.bound(company_id=target.company_id, target_id=target.id)
    which["person_ids"] = sorted(ctx.member_persons())
    query = _CANDIDATES[(ctx.viewer is not None, ctx.requester is not None)]
    return [r for r in ctx.conn.execute(query, which) if r.member_id in ctx.members]


def _bounds(
    ctx: PathCtx, rows: list[Any], tenures: dict[int, Span], target_id: int, headcount: int
) -> list[tuple[int, Any, float]]:
    """(the path's strength with the stored score: a bound, tie, likelihood of the last hop),
    best bound first."""
    today = ctx.now.date()
    found = []
    for r in rows:
        years = _overlap(tenures.get(r.person_id), tenures.get(target_id), today)
        chance = likelihood.colleague(headcount, years)
        weight = first_weight(ctx, r.member_id)
        found.append((path_strength([weight, (r.score or 0.0) / 100, chance]), r, chance))
    found.sort(key=lambda c: -c[0])
    return found


def _kth(best: dict[int, tuple[int, Any, float]], k: int) -> int:
    return sorted((found[0] for found in best.values()), reverse=True)[k - 1]


def _states(ctx: PathCtx, rows: list[Any]) -> dict[tuple[int, int], Any]:
    """The stored states of these ties (read only for the paths kept, to word their ties, and
    for a tie without a stored volume)."""
    pairs = {(r.member_id, r.person_id) for r in rows}
    if not pairs:
        return {}
    members, persons = sorted({m for m, _ in pairs}), sorted({p for _, p in pairs})
    found = ctx.conn.execute(_STATES, ctx.bound(member_ids=members, person_ids=persons))
    return {(f.member_id, f.person_id): f for f in found if (f.member_id, f.person_id) in pairs}


def _tenures(ctx: PathCtx, company_id: int, person_ids: set[int]) -> dict[int, Span]:
    found: dict[int, Span] = {}
    which = ctx.bound(company_id=company_id, person_ids=sorted(person_ids))
    rows = ctx.conn.execute(_TENURES, which)
    for r in rows:
        found[r.person_id] = (r.start_date, r.end_date)
    return found


def _overlap(a: Span | None, b: Span | None, today: date) -> float:
    if a is None or b is None or a[0] is None or b[0] is None:
        return ASSUMED_YEARS
    return likelihood.overlap_years(a[0], a[1], b[0], b[1], today)


def own_contacts(ctx: PathCtx, target: Target, account: Account) -> list[str]:
    """The asker's own contacts at the target's company who likely know the target, in words:
    no colleague is needed to ask them, so they are no intro path, but worth knowing."""
    if ctx.requester is None:
        return []
    which = ctx.bound(company_id=account.id, target_id=target.id)
    which["person_ids"] = sorted(ctx.member_persons())
    rows = ctx.conn.execute(_OWN_CONTACTS[ctx.viewer is not None], which).all()
    rows = [r for r in rows if ctx.scorer.shown_of(r) > 0]
    people = people_by_id(ctx.conn, ctx.org, {r.person_id for r in rows})
    tenures = _tenures(ctx, account.id, {r.person_id for r in rows} | {target.id})
    first_name = target.full_name.split(" ")[0] or target.full_name
    found = []
    for r in rows:
        years = _overlap(tenures.get(r.person_id), tenures.get(target.id), ctx.now.date())
        chance = likelihood.colleague(account.headcount, years)
        if chance > 0 and people[r.person_id].name != target.full_name:
            found.append(
                f"your own contact {people[r.person_id].name} at {account.name}: "
                f"{likelihood.certainty(chance)} a colleague of {first_name}'s"
            )
    return found
