"""Intro paths: me → colleague → target, me → colleague at the target's company → target, or
me → colleague → their contact at the target's company → target.

Paths run only over ties the viewer may see (services/org/sharing.py) and end only at directory
persons: a colleague's private contact is never a hop. Every path is well-formed: no one is on
it twice, the asker is never the introducer, and the introducer is the colleague on the first
hop; each colleague appears once, with their strongest way in. Weights and the strength of a
path: core/paths.py; the shapes of hops: path_hops.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, select, true

from tiegraph.core.emails import normalize_email
from tiegraph.core.paths import in_common, no_one_twice
from tiegraph.core.strength import TieScore, label_of
from tiegraph.errors import NotFoundError
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.directory.accounts import Account, load_account
from tiegraph.services.insights.path_company import colleague_paths, company_paths, own_contacts
from tiegraph.services.insights.path_hops import (
    Hop,
    IntroPath,
    PathCtx,
    Target,
    by_view,
    measured,
    path,
    tie_score,
)
from tiegraph.services.insights.path_starters import stints, with_starters
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import persons_seen_by
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, person, person_email, tie

__all__ = ["PATHS_SHOWN", "Hop", "IntroPath", "IntroPaths", "intro_paths"]

PATHS_SHOWN = 10


@dataclass(frozen=True)
class IntroPaths:
    target_email: str
    target_name: str
    target_company: str
    requester: Member | None
    # what the requester and the target have in common: employers, schools, and the
    # requester's own contacts at the target's company who likely know the target
    starters: tuple[str, ...] = ()
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


def intro_paths(
    store: Store,
    org: Org,
    target_email: str,
    *,
    requester: Member | None = None,
    viewer: Member | None = None,
    limit: int = PATHS_SHOWN,
) -> IntroPaths:
    """Ways in to a directory person, strongest first (one per colleague, their strongest),
    each with conversation starters."""
    email = normalize_email(target_email) or target_email.strip().lower()
    with store.read() as conn:
        target = _target(conn, org, email, viewer or requester)
        ctx = _context(conn, org, viewer or requester, requester)
        knowers = _ties_to(ctx, target.id)
        account = None
        if target.company_id is not None:
            account = load_account(conn, org, target.company_id)
        paths = _ways_in(ctx, target, account, knowers, limit)
        wanted = {target.id} | {p for x in paths for p in (x.introducer_person, x.via_person) if p}
        if requester and requester.person_id:
            wanted.add(requester.person_id)
        known = stints(conn, org, wanted)
        today = ctx.now.date()
        paths = [with_starters(ctx, p, known, target, knowers, today) for p in paths]
        mine = []
        if requester and requester.person_id:
            mine = in_common(known.get(requester.person_id, []), known[target.id], today)
        employer = ""
        if account is not None:
            employer = account.name
            if not (requester and requester.person_id == target.id):
                mine += own_contacts(ctx, target, account)
    return IntroPaths(email, target.full_name, employer, requester, tuple(mine), tuple(paths))


def _ways_in(
    ctx: PathCtx, target: Target, account: Account | None, knowers: dict[int, Any], limit: int
) -> list[IntroPath]:
    """Each colleague's strongest path (never the asker's, none to the asker themselves);
    `account`: the target's company, if any."""
    if ctx.requester is not None and ctx.requester.person_id == target.id:
        return []
    found = _direct_paths(ctx, target, knowers)
    if account is not None:
        found += colleague_paths(ctx, target, account)
        found += company_paths(ctx, target, account, limit)
    best: dict[str, IntroPath] = {}
    for p in found:  # direct paths come first: on a tie of strengths, the measured one stays
        held = best.get(p.introducer_email)
        if (
            p.strength > 0
            and _well_formed(p, target)
            and (held is None or p.strength > held.strength)
        ):
            best[p.introducer_email] = p
    ranked = sorted(best.values(), key=lambda p: (-p.strength, p.introducer_name))
    kept = ranked[:limit] if limit else ranked
    by_email = {ctx.members[m].email: m for m in knowers}
    return [  # only the direct paths shown are worded: their tie's reasons are the hop's why
        _direct(ctx, target, by_email[p.introducer_email], knowers, worded=True)
        if p.via_person is None and p.hops[-1].kind == "tie"
        else p
        for p in kept
    ]


def _well_formed(p: IntroPath, target: Target) -> bool:
    """No one twice (core/paths.py), and the target is not the introducer themselves."""
    people = [(p.hops[0].source_email, p.hops[0].source)]
    people += [(h.target_email, h.target) for h in p.hops]
    return p.introducer_person != target.id and no_one_twice(people)


_MEMBERS = select(
    member.c.id,
    member.c.email,
    member.c.name,
    member.c.person_id,
    member.c.pace,
    member.c.pace_factor,
).where(member.c.org_id == bindparam("org_id"), member.c.archived_at.is_(None))


def _context(
    conn: Connection, org: Org, viewer: Member | None, requester: Member | None
) -> PathCtx:
    rows = conn.execute(_MEMBERS, {"org_id": org.id}).all()
    members = {r.id: r for r in rows}
    now = datetime.now(UTC)
    scorer = TieScorer(conn, org, now)
    for r in rows:  # every hop's member is one of these: their paces read here, not per hop
        scorer.know(r.id, r.pace, r.pace_factor)
    ctx = PathCtx(conn, org, viewer, requester, now, members, {}, scorer)
    ctx.first.update(_first_hops(ctx))
    return ctx


def _targets(visible: ColumnElement[bool]) -> Any:
    return (
        select(person.c.id, person.c.full_name, person.c.company_id)
        .join(person_email, same_org(person, person_email.c.person_id))
        .where(
            person_email.c.org_id == bindparam("org_id"),
            person_email.c.email == bindparam("email"),
            person.c.archived_at.is_(None),
            visible,  # a correspondent known only from unshared mail: unknown
        )
        .order_by(person.c.id)
        .limit(1)
    )


# Built once with bound parameters: a viewer's, and the operator's (every person visible).
_TARGET = {True: _targets(persons_seen_by(bindparam("viewer_id"))), False: _targets(true())}


def _target(conn: Connection, org: Org, email: str, viewer: Member | None) -> Target:
    which = {"org_id": org.id, "email": email, "viewer_id": viewer and viewer.id}
    row = conn.execute(_TARGET[viewer is not None], which).first()
    if row is None:
        # A private contact's address reads exactly like an unknown one.
        raise NotFoundError(f"no directory person with email {email}")
    return Target(row.id, row.full_name, email, row.company_id)


_FIRST_HOPS = by_view(
    lambda visible: (
        select(tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit, tie.c.volume)
        .join(member, same_org(member, tie.c.member_id))
        .where(
            tie.c.org_id == bindparam("org_id"),
            tie.c.member_id == bindparam("requester_id"),
            tie.c.person_id.in_(bindparam("person_ids", expanding=True)),
            visible,  # another viewer sees them only if the requester shares
        )
    )
)


def _first_hops(ctx: PathCtx) -> dict[int, int]:
    """The requester's own tie scores to each colleague (colleagues are persons too)."""
    if ctx.requester is None:
        return {}
    by_person = ctx.member_persons()
    which = ctx.bound(person_ids=list(by_person))
    rows = ctx.conn.execute(_FIRST_HOPS[ctx.viewer is not None], which)
    return {by_person[r.person_id]: ctx.scorer.shown_of(r) for r in rows}


_TIES_TO = by_view(
    lambda visible: (
        select(tie.c.member_id, tie.c.state, tie.c.explicit, tie.c.volume)
        .join(member, same_org(member, tie.c.member_id))
        .where(
            tie.c.org_id == bindparam("org_id"),
            tie.c.person_id == bindparam("person_id"),
            visible,
        )
    )
)


def _ties_to(ctx: PathCtx, person_id: int) -> dict[int, Any]:
    """The colleagues with a visible tie to the person scoring above 0 today: member id -> the
    tie's row (worded only if its path is shown)."""
    rows = ctx.conn.execute(_TIES_TO[ctx.viewer is not None], ctx.bound(person_id=person_id))
    return {r.member_id: r for r in rows if r.member_id in ctx.members and ctx.scorer.shown_of(r)}


def _direct_paths(ctx: PathCtx, target: Target, knowers: dict[int, Any]) -> list[IntroPath]:
    paths = []
    for member_id in knowers:
        if ctx.requester is not None and member_id == ctx.requester.id:
            continue  # the requester knows the target: no introduction needed
        if ctx.members[member_id].person_id == target.id:
            continue  # the target is this colleague: no one to introduce them
        paths.append(_direct(ctx, target, member_id, knowers, worded=False))
    return paths


def _direct(
    ctx: PathCtx, target: Target, member_id: int, knowers: dict[int, Any], *, worded: bool
) -> IntroPath:
    """The path through a colleague who knows the target; its strength needs the tie's shown
    score only (`worded=False`: the hop without reasons, for ranking)."""
    row = knowers[member_id]
    if worded:
        result = tie_score(ctx, row)
    else:
        value = ctx.scorer.shown_of(row)
        result = TieScore(value, label_of(value), ())
    m = ctx.members[member_id]
    return path(ctx, member_id, (measured(m, target.full_name, target.email, result),))
