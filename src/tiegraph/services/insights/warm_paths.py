"""Warm paths for My day: whom among us to ask for an intro to people at my targets and lists.

A warm path is one colleague's visible tie (services/org/sharing.py `ties_visible`) to a
directory person at a target account, at an account on one of my lists, or a person on one of
my lists; scored through the one TieScorer. People I already know well myself (strong or
good), colleagues, archived persons and leavers' ties are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from tiegraph.core.reasons import Reason
from tiegraph.core.strength import TieScore, shown
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.insights.connection_rows import first_emails
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_seen_by
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, member, person, tie

KNOWN_WELL = ("strong", "good")  # my own tie this strong: I need no introduction
CANDIDATE_TIES = 120  # per source, in stored-score order (a bound on today's score)
CANDIDATE_SLACK = 10  # read a few more: an archived person's ties are dropped after reading
PER_ACCOUNT = 3  # at most this many people of one account, so that every target shows


@dataclass(frozen=True)
class WarmPath:
    """Ask `introducer` for an intro to `person`, wanted because of `for_what`."""

    person_id: int
    person_email: str
    person_name: str
    person_title: str
    company_id: int | None
    company_name: str
    introducer_email: str
    introducer_name: str
    score: int
    label: str
    reason: str  # the tie's first reason, one line
    for_what: str  # "target account" or the list's name
    strength: float = 0.0
    reason_items: tuple[Reason, ...] = ()  # every reason of the tie, as data

    def as_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "person_email": self.person_email,
            "person_name": self.person_name,
            "person_title": self.person_title,
            "company_id": self.company_id,
            "company": self.company_name,
            "introducer_email": self.introducer_email,
            "introducer_name": self.introducer_name,
            "score": self.score,
            "label": self.label,
            "certainty": "measured",
            "reasons": [r.as_dict() for r in self.reason_items],
            "wanted_for": self.for_what,
        }


@dataclass(frozen=True)
class Wanted:
    """What to look for: accounts (by company id) and persons (by person id), each with why."""

    accounts: dict[int, str]
    persons: dict[int, str]


def warm_paths(
    conn: Connection, org: Org, viewer: Member, wanted: Wanted, now: datetime, limit: int
) -> list[WarmPath]:
    """The strongest colleague's tie to each wanted person, strongest first, `limit` of them.

    The candidates are ranked by their shown scores (stored volume times stored pace: no
    reasons worded), and only the `limit` chosen are worded through the TieScorer."""
    scorer = TieScorer(conn, org, now)
    rows: list[Candidate] = []
    if wanted.accounts:
        rows += _ties(conn, org, viewer, "company", sorted(wanted.accounts))
    if wanted.persons:
        rows += _ties(conn, org, viewer, "person", sorted(wanted.persons))
    for r in rows:
        scorer.know(r.member_id, r.pace, r.pace_factor)
    ranks = _ranks(conn, org, scorer, rows)
    mine: set[int] = set()
    best: dict[int, tuple[Rank, Any]] = {}  # person -> (rank, row)
    for r in rows:
        rank = ranks[(r.member_id, r.person_id)]
        if r.member_id == viewer.id:
            if rank.label in KNOWN_WELL and rank.score > 0:
                mine.add(r.person_id)
            continue
        held = best.get(r.person_id)
        if rank.score > 0 and (held is None or rank.key > held[0].key):
            best[r.person_id] = (rank, r)
    ranked = sorted(
        ((k, r) for pid, (k, r) in best.items() if pid not in mine),
        key=lambda kr: (-kr[0].score, -kr[0].strength, kr[1].person_id),
    )
    chosen = _spread(ranked, limit)
    worded = _worded(conn, org, scorer, [(r.member_id, r.person_id) for _, r in chosen])
    return _describe(
        conn, org, [(worded[(r.member_id, r.person_id)], r) for _, r in chosen], wanted
    )


@dataclass(frozen=True, slots=True)
class Rank:
    """A tie's shown score, label and strength: what ranking needs, no reasons."""

    score: int
    label: str
    strength: float

    @property
    def key(self) -> tuple[int, float]:
        return (self.score, self.strength)


def _ranks(
    conn: Connection, org: Org, scorer: TieScorer, rows: list[Any]
) -> dict[tuple[int, int], Rank]:
    """Each row's rank: from its stored volume (core/strength.py `shown`, the arithmetic
    `TieScorer.score` uses), or, for a tie without one yet, scored in full."""
    found: dict[tuple[int, int], Rank] = {}
    unscored = []
    for r in rows:
        pair = (r.member_id, r.person_id)
        if r.volume is None:
            unscored.append(pair)
            continue
        value, label, raw = shown(float(r.volume), scorer.paces[r.member_id][1], bool(r.explicit))
        found[pair] = Rank(value, label, raw)
    for pair, scored in _worded(conn, org, scorer, unscored).items():
        found[pair] = Rank(scored.score, scored.label, scored.strength)
    return found


# Built once with bound parameters, as the reads below: My day runs them on every view.
# The pairs' members and persons, each an IN list: a superset of the pairs (the caller keeps
# those asked for), as services/activity/ties.py `pairs_in` reads them, and for its reason.
_STATES = select(tie.c.member_id, tie.c.person_id, tie.c.state, tie.c.explicit, tie.c.volume).where(
    tie.c.org_id == bindparam("org_id"),
    tie.c.member_id.in_(bindparam("member_ids", expanding=True)),
    tie.c.person_id.in_(bindparam("person_ids", expanding=True)),
)


def _worded(
    conn: Connection, org: Org, scorer: TieScorer, pairs: list[tuple[int, int]]
) -> dict[tuple[int, int], TieScore]:
    """These ties scored with their reasons (their members' paces known to `scorer`)."""
    if not pairs:
        return {}
    wanted = set(pairs)
    members, persons = sorted({m for m, _ in wanted}), sorted({p for _, p in wanted})
    rows = conn.execute(_STATES, {"org_id": org.id, "member_ids": members, "person_ids": persons})
    return {
        pair: scorer.score_row(r) for r in rows if (pair := (r.member_id, r.person_id)) in wanted
    }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A visible tie to a wanted person, with what ranking and wording it needs."""

    person_id: int
    member_id: int
    explicit: bool
    volume: float | None
    person_name: str  # the email is read for the chosen only
    person_title: str
    company_id: int | None  # the person's employer
    company_name: str
    email: str  # the member's
    name: str
    pace: float | None
    pace_factor: float | None


def _ranked(by: Any, *, each_id: bool) -> Any:
    """Ties whose `by` column is one of the bound ids, strongest by stored score first, a page
    (`size`, `offset`) at a time, of members whose ties the viewer may see, to persons not
    colleagues.

    `each_id` (PostgreSQL): each id's first `depth` ties from its own index range (a lateral
    join over the `id_array`), merged: the 45 accounts of a seller's targets and lists held
    240,000 ties at scale 0.05, all of them read and sorted for the 130 wanted otherwise.
    SQLite, single-user and small, sorts the `ids`' ties."""
    members = select(member.c.id).where(
        member.c.org_id == bindparam("org_id"), ties_seen_by(bindparam("viewer_id"))
    )
    colleagues = select(member.c.person_id).where(
        member.c.org_id == bindparam("org_id"), member.c.person_id.is_not(None)
    )
    visible = (
        tie.c.org_id == bindparam("org_id"),
        tie.c.member_id.in_(members),
        tie.c.person_id.not_in(colleagues),
    )
    columns = (tie.c.person_id, tie.c.member_id, tie.c.explicit, tie.c.volume)
    order = (tie.c.score.desc(), tie.c.person_id, tie.c.member_id)
    if each_id:
        wanted = (
            func.unnest(bindparam("id_array", type_=ARRAY(BigInteger)))
            .table_valued("id")
            .render_derived(name="wanted")
        )
        each = (
            select(*columns, tie.c.score)
            .where(*visible, by == wanted.c.id)
            .order_by(*order)
            .limit(bindparam("depth"))
            .lateral("each")
        )
        ranked = (
            select(each.c.person_id, each.c.member_id, each.c.explicit, each.c.volume)
            .select_from(wanted)
            .join(each, true())
            .order_by(each.c.score.desc(), each.c.person_id, each.c.member_id)
        )
    else:
        ranked = (
            select(*columns)
            .where(*visible, by.in_(bindparam("ids", expanding=True)))
            .order_by(*order)
        )
    return ranked.limit(bindparam("size")).offset(bindparam("offset"))


# By the wanted accounts' ties, or the wanted persons'; each id's own range on PostgreSQL.
_RANKED = {
    (by, each_id): _ranked(column, each_id=each_id)
    for by, column in (("company", tie.c.company_id), ("person", tie.c.person_id))
    for each_id in (False, True)
}


def _ties(conn: Connection, org: Org, viewer: Member, by: str, ids: list[int]) -> list[Candidate]:
    """The CANDIDATE_TIES strongest ties by stored score of these companies' or persons' (`by`),
    of members whose ties the viewer may see, to directory persons not archived and not
    colleagues.

    Read from the score index alone (the members' conditions are two short lists), then the
    persons of those ties looked up: an archived one is dropped and the next ties read. A join
    of every person and member row would read thousands of rows at a big account first."""
    rows: list[Any] = []
    offset, size = 0, CANDIDATE_TIES + CANDIDATE_SLACK
    each_id = conn.dialect.name == "postgresql"
    params: dict[str, Any] = {"org_id": org.id, "viewer_id": viewer.id, "size": size}
    params |= {"id_array": ids} if each_id else {"ids": ids}
    while len(rows) < CANDIDATE_TIES:
        # Only the first offset + size ties of any id are ever read.
        depth = {"depth": offset + size} if each_id else {}
        page = conn.execute(_RANKED[by, each_id], params | depth | {"offset": offset}).all()
        persons = _persons(conn, org, {r.person_id for r in page})
        rows += [(r, persons[r.person_id]) for r in page if r.person_id in persons]
        if len(page) < size:
            break
        offset += size
    rows = rows[:CANDIDATE_TIES]
    introducers = _introducers(conn, org, {r.member_id for r, _ in rows})
    return [
        Candidate(
            r.person_id,
            r.member_id,
            bool(r.explicit),
            r.volume,
            facts.full_name,
            facts.title,
            facts.company_id,
            facts.company or "",
            *introducers[r.member_id],
        )
        for r, facts in rows
    ]


# Built once with bound parameters: My day reads these on every view.
_PERSONS = (
    select(
        person.c.id,
        person.c.full_name,
        person.c.title,
        person.c.company_id,
        company.c.name.label("company"),
    )
    .select_from(person)
    .outerjoin(company, same_org(company, person.c.company_id))
    .where(
        person.c.org_id == bindparam("org_id"),
        person.c.id.in_(bindparam("ids", expanding=True)),
        person.c.archived_at.is_(None),
    )
)
_INTRODUCERS = select(
    member.c.id, member.c.email, member.c.name, member.c.pace, member.c.pace_factor
).where(member.c.org_id == bindparam("org_id"), member.c.id.in_(bindparam("ids", expanding=True)))


def _persons(conn: Connection, org: Org, ids: set[int]) -> dict[int, Any]:
    """Of these persons, those not archived, with their name, title and employer."""
    if not ids:
        return {}
    rows = conn.execute(_PERSONS, {"org_id": org.id, "ids": sorted(ids)})
    return {r.id: r for r in rows}


def _introducers(
    conn: Connection, org: Org, ids: set[int]
) -> dict[int, tuple[str, str, float | None, float | None]]:
    """These members' email, name, stored pace and pace factor."""
    if not ids:
        return {}
    rows = conn.execute(_INTRODUCERS, {"org_id": org.id, "ids": sorted(ids)})
    return {r.id: (r.email, r.name, r.pace, r.pace_factor) for r in rows}


def _spread(ranked: list[tuple[Any, Any]], limit: int) -> list[tuple[Any, Any]]:
    """The strongest first, at most PER_ACCOUNT of one account while others wait."""
    chosen, later, per = [], [], dict[int | None, int]()
    for scored, row in ranked:
        seen = per.get(row.company_id, 0)
        if row.company_id is not None and seen >= PER_ACCOUNT:
            later.append((scored, row))
            continue
        per[row.company_id] = seen + 1
        chosen.append((scored, row))
    return (chosen + later)[:limit]


def _describe(
    conn: Connection, org: Org, chosen: list[tuple[Any, Any]], wanted: Wanted
) -> list[WarmPath]:
    emails = first_emails(conn, org, (r.person_id for _, r in chosen))
    found = []
    for scored, r in chosen:
        email = emails.get(r.person_id, "")
        why = wanted.persons.get(r.person_id) or wanted.accounts.get(r.company_id, "")
        found.append(
            WarmPath(
                person_id=r.person_id,
                person_email=email,
                person_name=r.person_name or email,
                person_title=r.person_title,
                company_id=r.company_id,
                company_name=r.company_name,
                introducer_email=r.email,
                introducer_name=r.name,
                score=scored.score,
                label=scored.label,
                reason=scored.reasons[0] if scored.reasons else "",
                for_what=why,
                strength=scored.strength,
                reason_items=scored.reason_items,
            )
        )
    return found
