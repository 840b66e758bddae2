"""Intro paths: me → colleague → target, or me → colleague → their contact at the target's company.

Paths run only over ties the viewer may see (services/org/sharing.py) and end only at directory
persons: a colleague's private contact is never a hop. Ranking and wording: core/paths.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core import likelihood
from tiegraph.core.emails import normalize_email
from tiegraph.core.paths import Stint, colleague_hop, in_common, path_strength
from tiegraph.core.strength import TieScore
from tiegraph.errors import NotFoundError
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.activity.ties import pairs_in
from tiegraph.services.directory.accounts import load_account
from tiegraph.services.insights.connection_rows import people_by_id
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import persons_visible, ties_visible
from tiegraph.store import Store
from tiegraph.store.schema import company, education, employment, member, person, person_email, tie

PATHS_SHOWN = 10
CANDIDATES = 200  # the target's company's strongest ties considered for the three-hop paths
STATE_CHUNK = 16  # tie states read at a time, as the three-hop candidates are rescored


@dataclass(frozen=True)
class Hop:
    source: str
    target: str
    strength: int  # a tie's score, or a likelihood in percent
    why: str

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.target, "strength": self.strength, "why": self.why}


@dataclass(frozen=True)
class IntroPath:
    strength: int
    introducer_email: str
    introducer_name: str
    hops: tuple[Hop, ...]
    starters: tuple[str, ...] = ()
    introducer_person: int | None = None
    via_person: int | None = None  # the introducer's contact at the target's company

    def as_dict(self) -> dict[str, Any]:
        return {
            "strength": self.strength,
            "introducer": {"email": self.introducer_email, "name": self.introducer_name},
            "hops": [h.as_dict() for h in self.hops],
            "starters": list(self.starters),
        }


@dataclass(frozen=True)
class IntroPaths:
    target_email: str
    target_name: str
    target_company: str
    requester: Member | None
    starters: tuple[str, ...] = ()  # what the requester and the target have in common
    paths: tuple[IntroPath, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        r = self.requester
        return {
            "target": {
                "email": self.target_email,
                "name": self.target_name,
                "company": self.target_company,
            },
            "from": {"email": r.email, "name": r.name} if r else None,
            "in_common": list(self.starters),
            "paths": [p.as_dict() for p in self.paths],
        }


@dataclass(frozen=True)
class _Ctx:
    conn: Connection
    org: Org
    viewer: Member | None
    requester: Member | None
    now: datetime
    members: dict[int, Any]  # member id -> row
    scorer: TieScorer  # hops score as every view does (services/activity/tie_scores.py)


def intro_paths(
    store: Store,
    org: Org,
    target_email: str,
    *,
    requester: Member | None = None,
    viewer: Member | None = None,
    limit: int = PATHS_SHOWN,
) -> IntroPaths:
    """Ways in to a directory person, strongest first, each with conversation starters."""
    email = normalize_email(target_email) or target_email.strip().lower()
    with store.read() as conn:
        target = _target(conn, org, email, viewer or requester)
        members = {
            r.id: r
            for r in conn.execute(
                select(member.c.id, member.c.email, member.c.name, member.c.person_id).where(
                    member.c.org_id == org.id, member.c.archived_at.is_(None)
                )
            )
        }
        now = datetime.now(UTC)
        scorer = TieScorer(conn, org, now)
        ctx = _Ctx(conn, org, viewer or requester, requester, now, members, scorer)
        first = _first_hops(ctx)
        direct = _ties_to(ctx, target.id)
        paths = _direct_paths(ctx, target, direct, first)
        if target.company_id is not None:
            paths += _company_paths(ctx, target, first, limit)
        paths = [p for p in paths if p.strength > 0]
        paths.sort(key=lambda p: (-p.strength, p.introducer_name))
        paths = paths[:limit] if limit else paths
        wanted = {target.id} | {p for x in paths for p in (x.introducer_person, x.via_person) if p}
        if requester and requester.person_id:
            wanted.add(requester.person_id)
        stints = _stints(conn, org, wanted)
        today = ctx.now.date()
        paths = [_with_starters(ctx, p, stints, target, direct, today) for p in paths]
        mine = []
        if requester and requester.person_id:
            mine = in_common(stints.get(requester.person_id, []), stints[target.id], today)
        employer = ""
        if target.company_id is not None:
            employer = load_account(conn, org, target.company_id).name
    return IntroPaths(email, target.full_name, employer, requester, tuple(mine), tuple(paths))


def _target(conn: Connection, org: Org, email: str, viewer: Member | None) -> Any:
    row = conn.execute(
        select(person.c.id, person.c.full_name, person.c.company_id, person.c.title)
        .join(person_email, person_email.c.person_id == person.c.id)
        .where(
            person_email.c.org_id == org.id,
            person_email.c.email == email,
            person.c.archived_at.is_(None),
            persons_visible(viewer),
        )
        .order_by(person.c.id)
        .limit(1)
    ).first()
    if row is None:
        # A private contact's address reads exactly like an unknown one.
        raise NotFoundError(f"no directory person with email {email}")
    return row


def _rescored(ctx: _Ctx, row: Any) -> TieScore:
    return ctx.scorer.score_row(row)


def _first_hops(ctx: _Ctx) -> dict[int, int]:
    """The requester's own tie scores to each colleague (colleagues are persons too)."""
    if ctx.requester is None:
        return {}
    by_person = {m.person_id: m.id for m in ctx.members.values() if m.person_id}
    rows = ctx.conn.execute(
        select(tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit).where(
            tie.c.org_id == ctx.org.id,
            tie.c.member_id == ctx.requester.id,
            tie.c.person_id.in_(list(by_person)),
        )
    )
    return {by_person[r.person_id]: _rescored(ctx, r).score for r in rows}


def _ties_to(ctx: _Ctx, person_id: int) -> dict[int, TieScore]:
    rows = ctx.conn.execute(
        select(tie.c.member_id, tie.c.state, tie.c.explicit)
        .join(member, member.c.id == tie.c.member_id)
        .where(tie.c.org_id == ctx.org.id, tie.c.person_id == person_id, ties_visible(ctx.viewer))
    )
    found = {r.member_id: _rescored(ctx, r) for r in rows}
    return {m: s for m, s in found.items() if s.score > 0 and m in ctx.members}


def _first_hop(ctx: _Ctx, introducer: int, first: dict[int, int]) -> tuple[float, Hop | None]:
    """The requester's hop to the introducer; none when there is no requester or it is them."""
    if ctx.requester is None or ctx.requester.id == introducer:
        return 1.0, None
    m = ctx.members[introducer]
    known = first.get(introducer)
    why = f"your tie scores {known}" if known else "a colleague"
    return colleague_hop(known), Hop(ctx.requester.name, m.name, known or 0, why)


def _direct_paths(
    ctx: _Ctx, target: Any, direct: dict[int, TieScore], first: dict[int, int]
) -> list[IntroPath]:
    paths = []
    for member_id, result in direct.items():
        if ctx.requester is not None and member_id == ctx.requester.id:
            continue  # the requester knows the target: no introduction needed
        m = ctx.members[member_id]
        weight, hop = _first_hop(ctx, member_id, first)
        last = Hop(m.name, target.full_name, result.score, "; ".join(result.reasons[:3]))
        hops = (hop, last) if hop else (last,)
        strength = path_strength([weight, result.score / 100])
        paths.append(IntroPath(strength, m.email, m.name, hops, (), m.person_id))
    return paths


def _company_paths(ctx: _Ctx, target: Any, first: dict[int, int], limit: int) -> list[IntroPath]:
    """Through someone at the target's company whom a colleague knows: each colleague's best,
    the `limit` strongest (0: all).

    A tie's score only decays while nothing new happens (services/insights/closest.py; the daily
    rescore keeps stored scores near today's), so a path's strength with the stored score is
    a bound on its strength today: candidates are rescored best bound first, a colleague's
    others only while their bound beats that colleague's best path, and none once the
    `limit`-th best path beats every bound left.
    """
    rows = ctx.conn.execute(
        select(tie.c.member_id, tie.c.person_id, tie.c.score)
        .join(member, member.c.id == tie.c.member_id)
        .where(
            tie.c.org_id == ctx.org.id,
            tie.c.company_id == target.company_id,
            tie.c.person_id != target.id,
            ties_visible(ctx.viewer),
        )
        .order_by(tie.c.score.desc())
        .limit(CANDIDATES)
    ).all()
    rows = [r for r in rows if r.member_id in ctx.members]
    if not rows:
        return []
    account = load_account(ctx.conn, ctx.org, target.company_id)
    tenures = _tenures(ctx, target.company_id, {r.person_id for r in rows} | {target.id})
    candidates = _bounds(ctx, rows, first, tenures, target.id, account.headcount)
    best: dict[int, tuple[int, Any, TieScore, float]] = {}  # member -> (strength, tie, ...)
    states: dict[tuple[int, int], Any] = {}
    for at, (bound, r, chance) in enumerate(candidates):
        # Strengths are shown rounded, equal ones ordered by name: stop below the k-th only.
        if limit and len(best) >= limit and _kth(best, limit) > bound:
            break
        held = best.get(r.member_id)
        if held is not None and held[0] >= bound:
            continue
        if (r.member_id, r.person_id) not in states:
            states.update(_states(ctx, [c[1] for c in candidates[at : at + STATE_CHUNK]]))
        result = _rescored(ctx, states[(r.member_id, r.person_id)])
        if result.score <= 0:
            continue
        weight = _first_hop(ctx, r.member_id, first)[0]
        strength = path_strength([weight, result.score / 100, chance])
        if held is None or strength > held[0]:
            best[r.member_id] = (strength, r, result, chance)
    people = people_by_id(ctx.conn, ctx.org, {r.person_id for _, r, _, _ in best.values()})
    return [
        _company_path(ctx, target, account.name, first, r, result, chance, people[r.person_id])
        for _, r, result, chance in best.values()
    ]


def _bounds(
    ctx: _Ctx,
    rows: list[Any],
    first: dict[int, int],
    tenures: dict[int, Span],
    target_id: int,
    headcount: int,
) -> list[tuple[int, Any, float]]:
    """(the path's strength with the stored score: a bound, tie, likelihood of the last hop),
    best bound first."""
    today = ctx.now.date()
    found = []
    for r in rows:
        years = _overlap(tenures.get(r.person_id), tenures.get(target_id), today)
        chance = likelihood.colleague(headcount, years)
        weight = _first_hop(ctx, r.member_id, first)[0]
        found.append((path_strength([weight, (r.score or 0.0) / 100, chance]), r, chance))
    found.sort(key=lambda c: -c[0])
    return found


def _kth(best: dict[int, tuple[int, Any, TieScore, float]], k: int) -> int:
    return sorted((found[0] for found in best.values()), reverse=True)[k - 1]


def _states(ctx: _Ctx, rows: list[Any]) -> dict[tuple[int, int], Any]:
    """The stored states of these ties (read only for the ties that get rescored)."""
    pairs = {(r.member_id, r.person_id) for r in rows}
    found = ctx.conn.execute(
        select(tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit).where(
            tie.c.org_id == ctx.org.id, pairs_in(tie, pairs)
        )
    )
    return {(f.member_id, f.person_id): f for f in found if (f.member_id, f.person_id) in pairs}


def _company_path(
    ctx: _Ctx,
    target: Any,
    company_name: str,
    first: dict[int, int],
    row: Any,
    result: TieScore,
    chance: float,
    via: Any,
) -> IntroPath:
    m = ctx.members[row.member_id]
    weight, hop = _first_hop(ctx, row.member_id, first)
    hops = (
        *((hop,) if hop else ()),
        Hop(m.name, via.name, result.score, "; ".join(result.reasons[:3])),
        Hop(
            via.name,
            target.full_name,
            round(100 * chance),
            f"{likelihood.certainty(chance)}: colleagues at {company_name}",
        ),
    )
    strength = path_strength([weight, result.score / 100, chance])
    return IntroPath(strength, m.email, m.name, hops, (), m.person_id, row.person_id)


Span = tuple[date | None, date | None]


def _tenures(ctx: _Ctx, company_id: int, person_ids: set[int]) -> dict[int, Span]:
    found: dict[int, Span] = {}
    rows = ctx.conn.execute(
        select(employment.c.person_id, employment.c.start_date, employment.c.end_date).where(
            employment.c.org_id == ctx.org.id,
            employment.c.company_id == company_id,
            employment.c.person_id.in_(sorted(person_ids)),
        )
    )
    for r in rows:
        found[r.person_id] = (r.start_date, r.end_date)
    return found


ASSUMED_YEARS = 1.0  # two people at one company with unknown dates: assume a year together


def _overlap(a: Span | None, b: Span | None, today: date) -> float:
    if a is None or b is None or a[0] is None or b[0] is None:
        return ASSUMED_YEARS
    return likelihood.overlap_years(a[0], a[1], b[0], b[1], today)


def _stints(conn: Connection, org: Org, person_ids: set[int]) -> dict[int, list[Stint]]:
    found: dict[int, list[Stint]] = {p: [] for p in person_ids}
    ids = sorted(person_ids)
    jobs = conn.execute(
        select(
            employment.c.person_id,
            employment.c.company_id,
            company.c.name,
            employment.c.start_date,
            employment.c.end_date,
        )
        .join(company, company.c.id == employment.c.company_id)
        .where(employment.c.org_id == org.id, employment.c.person_id.in_(ids))
    )
    for r in jobs:
        found[r.person_id].append(Stint(f"c{r.company_id}", r.name, r.start_date, r.end_date))
    schools = conn.execute(
        select(
            education.c.person_id,
            education.c.school_key,
            education.c.school,
            education.c.start_date,
            education.c.end_date,
        ).where(education.c.org_id == org.id, education.c.person_id.in_(ids))
    )
    for r in schools:
        found[r.person_id].append(Stint(f"s{r.school_key}", r.school, r.start_date, r.end_date))
    return found


def _with_starters(
    ctx: _Ctx,
    path: IntroPath,
    stints: dict[int, list[Stint]],
    target: Any,
    direct: dict[int, TieScore],
    today: date,
) -> IntroPath:
    first_name = target.full_name.split(" ")[0] or target.full_name
    starters = []
    if path.introducer_person:
        shared = in_common(stints.get(path.introducer_person, []), stints[target.id], today)
        starters += [f"{path.introducer_name} and {first_name}: {s}" for s in shared]
    if path.via_person:
        shared = in_common(stints.get(path.via_person, []), stints[target.id], today)
        via = path.hops[-1].source
        starters += [f"{via} and {first_name}: {s}" for s in shared[:2]]
    mutual = sorted(
        ctx.members[m].name
        for m in direct
        if ctx.members[m].email != path.introducer_email
        and (ctx.requester is None or m != ctx.requester.id)
    )
    if mutual:
        more = f" and {len(mutual) - 3} more" if len(mutual) > 3 else ""
        verb = "knows" if len(mutual) == 1 else "know"
        starters.append(
            f"mutual connections: {', '.join(mutual[:3])}{more} also {verb} {first_name}"
        )
    return IntroPath(**{**path.__dict__, "starters": tuple(starters)})
