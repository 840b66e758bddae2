"""For an account: the members with the strongest visible ties to its people.

It reads each member's strongest tie at the account from the stored summary `company_knower`
(services/activity/company_summary.py, kept by every write of ties, paces and archiving), and
words only the ties it shows (services/activity/tie_scores.py) — or none: a view that shows no
reasons (the list page) reads each shown tie's score, label and last contact from its stored
columns, the same arithmetic as the worded score (core/strength.py `shown`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select

from tiegraph.core.reasons import Reason
from tiegraph.core.strength import TieScore, shown
from tiegraph.services.activity.tie_scores import scored_pairs
from tiegraph.services.activity.touches import aware
from tiegraph.services.insights.who_knows import TILE
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_seen_by, ties_visible
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company_knower, member, person, tie


@dataclass(frozen=True)
class AccountKnower:
    member_email: str
    member_name: str
    score: int  # of the member's strongest tie at the account
    label: str
    people: int  # the account's people the member knows
    best_person: str  # whom that strongest tie is with
    reasons: tuple[str, ...] = ()
    strength: float = 0.0
    reason_items: tuple[Reason, ...] = ()
    last_at: datetime | None = None  # the strongest tie's last touch

    def as_dict(self) -> dict[str, Any]:
        return {
            "member": {"email": self.member_email, "name": self.member_name},
            "score": self.score,
            "label": self.label,
            "people": self.people,
            "best_person": self.best_person,
            "certainty": "measured",
            "reasons": [r.as_dict() for r in self.reason_items],
        }


def account_knowers(
    store: Store, org: Org, company_id: int, *, viewer: Member | None = None, limit: int = TILE
) -> tuple[AccountKnower, ...]:
    """Members by their strongest tie to the company's current people, strongest first."""
    with store.read() as conn:
        return knowers_of_accounts(conn, org, [company_id], viewer=viewer, limit=limit).get(
            company_id, ()
        )


def _knowers(seen_by_viewer: bool, limited: bool) -> Any:
    """Each member's strongest tie per account, ranked per account, with the tie's columns."""
    rank = func.row_number().over(
        partition_by=company_knower.c.company_id,
        order_by=(company_knower.c.score.desc(), company_knower.c.strength.desc(), member.c.name),
    )
    ranked = (
        select(
            company_knower.c.company_id,
            company_knower.c.member_id,
            company_knower.c.person_id,
            company_knower.c.people,
            company_knower.c.score,
            company_knower.c.strength,
            person.c.full_name,
            member.c.email,
            member.c.name,
            member.c.pace_factor,
            rank.label("rank"),
        )
        .join(member, same_org(member, company_knower.c.member_id))
        .join(person, same_org(person, company_knower.c.person_id))
        .where(
            company_knower.c.org_id == bindparam("org_id"),
            company_knower.c.company_id.in_(bindparam("company_ids", expanding=True)),
            ties_seen_by(bindparam("viewer_id")) if seen_by_viewer else ties_visible(None),
        )
        .subquery("ranked")
    )
    query = select(ranked, tie.c.last_at, tie.c.volume, tie.c.explicit).join(
        tie,
        (tie.c.org_id == bindparam("org_id"))
        & (tie.c.member_id == ranked.c.member_id)
        & (tie.c.person_id == ranked.c.person_id),
    )
    if limited:
        query = query.where(ranked.c.rank <= bindparam("limit"))
    return query.order_by(ranked.c.company_id, ranked.c.rank)


# Built once with bound parameters, by (seen by a viewer, limited): the list page reads it on
# every view, and building this select costs more than running it.
_KNOWERS = {(v, n): _knowers(v, n) for v in (False, True) for n in (False, True)}


def knowers_of_accounts(
    conn: Connection,
    org: Org,
    company_ids: Sequence[int],
    *,
    viewer: Member | None = None,
    limit: int = TILE,
    worded: bool = True,
) -> dict[int, tuple[AccountKnower, ...]]:
    """For each of these accounts, its members by their strongest tie, strongest first.

    Read from the stored summary (services/activity/company_summary.py: each member's strongest
    tie per company, by the shown score `shown_sql` gives), only rows of members whose ties
    the viewer may see; only the ties shown are scored in Python, for their reasons.
    `worded=False`: no reasons (empty), the score from the tie's stored columns alone."""
    ids = sorted(set(company_ids))
    if not ids:
        return {}
    viewer_id = viewer and viewer.id
    params = {"org_id": org.id, "company_ids": ids, "viewer_id": viewer_id, "limit": limit}
    rows = conn.execute(_KNOWERS[(viewer is not None, bool(limit))], params).all()
    scores = _scores(conn, org, rows, worded)
    found: dict[int, list[AccountKnower]] = {}
    for r in rows:
        tie_score = scores[(r.member_id, r.person_id)]
        found.setdefault(r.company_id, []).append(
            AccountKnower(
                r.email,
                r.name,
                tie_score.score,
                tie_score.label,
                r.people,
                r.full_name,
                tie_score.reasons,
                tie_score.strength,
                tie_score.reason_items,
                aware(r.last_at) if r.last_at else None,
            )
        )
    return {c: tuple(knowers) for c, knowers in found.items()}


def _scores(
    conn: Connection, org: Org, rows: Sequence[Row[Any]], worded: bool
) -> dict[tuple[int, int], TieScore]:
    """The shown ties' scores: worded, or from their stored volume and pace factor (a tie
    without a stored volume, not rescored since the column came, is worded all the same)."""
    to_word = [(r.member_id, r.person_id) for r in rows if worded or r.volume is None]
    scores = scored_pairs(conn, org, datetime.now(UTC), to_word)
    for r in rows:
        if (r.member_id, r.person_id) not in scores:
            factor = 1.0 if r.pace_factor is None else float(r.pace_factor)
            value, label, raw = shown(float(r.volume), factor, bool(r.explicit))
            scores[(r.member_id, r.person_id)] = TieScore(value, label, (), raw)
    return scores
