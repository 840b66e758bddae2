"""Conversation starters along intro paths: what the introducer, their contact and the target
share (employers, schools, overlapping years), and the colleagues who also know the target."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, bindparam, select

from tiegraph.core.paths import Stint, in_common
from tiegraph.services.insights.path_hops import IntroPath, PathCtx, Target
from tiegraph.services.org.orgs import Org
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, education, employment

# Built once with bound parameters: a person page reads them on every view.
_JOBS = (
    select(
        employment.c.person_id,
        employment.c.company_id,
        company.c.name,
        employment.c.start_date,
        employment.c.end_date,
    )
    .join(company, same_org(company, employment.c.company_id))
    .where(
        employment.c.org_id == bindparam("org_id"),
        employment.c.person_id.in_(bindparam("person_ids", expanding=True)),
    )
)
_SCHOOLS = select(
    education.c.person_id,
    education.c.school_key,
    education.c.school,
    education.c.start_date,
    education.c.end_date,
).where(
    education.c.org_id == bindparam("org_id"),
    education.c.person_id.in_(bindparam("person_ids", expanding=True)),
)


def stints(conn: Connection, org: Org, person_ids: set[int]) -> dict[int, list[Stint]]:
    """Each person's employers and schools, with their years."""
    found: dict[int, list[Stint]] = {p: [] for p in person_ids}
    which = {"org_id": org.id, "person_ids": sorted(person_ids)}
    for r in conn.execute(_JOBS, which):
        found[r.person_id].append(Stint(f"c{r.company_id}", r.name, r.start_date, r.end_date))
    for r in conn.execute(_SCHOOLS, which):
        found[r.person_id].append(Stint(f"s{r.school_key}", r.school, r.start_date, r.end_date))
    return found


def with_starters(
    ctx: PathCtx,
    path: IntroPath,
    known: dict[int, list[Stint]],
    target: Target,
    knowers: dict[int, Any],
    today: date,
) -> IntroPath:
    """The path with what its people and the target have in common; `knowers` are the
    colleagues with a visible tie to the target (member id -> their tie's score)."""
    first_name = target.full_name.split(" ")[0] or target.full_name
    starters = []
    if path.introducer_person:
        shared = in_common(known.get(path.introducer_person, []), known[target.id], today)
        starters += [f"{path.introducer_name} and {first_name}: {s}" for s in shared]
    via = path.via
    if path.via_person and via is not None:
        shared = in_common(known.get(path.via_person, []), known[target.id], today)
        starters += [f"{via.target} and {first_name}: {s}" for s in shared[:2]]
    mutual = sorted(
        ctx.members[m].name
        for m in knowers
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
