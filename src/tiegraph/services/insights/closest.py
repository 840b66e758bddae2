"""Closest connections: the members nearest a person, and an account's people nearest us.

An account's closest connections are a threshold walk over one index, (org, company, score):
ties come in stored-score order, each is scored for today as every view scores it
(services/activity/tie_scores.py: with its member's pace), and the walk stops once the k-th
best person today beats the next stored score. The stored score leaves out the pace factor
(at most 1) and a tie's score only falls while nothing new happens (decay), so what is left
unread cannot overtake the top k — except by the small tie-age term, which we accept. A
200,000-person account costs a few dozen rows, not a join.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, tuple_

from tiegraph.core.reasons import Reason
from tiegraph.core.strength import TieScore
from tiegraph.errors import NotFoundError
from tiegraph.services.activity.tie_scores import (
    TieScorer,
    scored_pairs,
    shown_sql,
    shown_strength_sql,
)
from tiegraph.services.directory.accounts import Account, find_account
from tiegraph.services.insights.who_knows import TILE, PersonKnowers, who_knows
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import persons_visible, ties_visible
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, person, person_email, tie

ACCOUNT_LIMIT = 20


def closest_to_person(
    store: Store, org: Org, email: str, *, viewer: Member | None = None, limit: int = TILE
) -> PersonKnowers:
    """The members with the strongest ties to a directory person, as the viewer may see."""
    answer = who_knows(store, org, [email], limit=limit, viewer=viewer)[0]
    if not answer.name and not answer.knowers and not _is_person(store, org, answer.email, viewer):
        # A private contact's address reads exactly like an unknown one.
        raise NotFoundError(f"no directory person with email {answer.email}")
    return answer


def _is_person(store: Store, org: Org, email: str, viewer: Member | None) -> bool:
    with store.read() as conn:
        return (
            conn.execute(
                select(person_email.c.id)
                .join(person, same_org(person, person_email.c.person_id))
                .where(
                    person_email.c.org_id == org.id,
                    person_email.c.email == email,
                    person.c.archived_at.is_(None),
                    persons_visible(viewer),
                )
                .limit(1)
            ).first()
            is not None
        )


@dataclass(frozen=True)
class AccountTie:
    """One of the account's people, with the member holding the strongest tie to them."""

    person_id: int
    person_email: str
    person_name: str
    title: str
    member_email: str
    member_name: str
    score: int
    label: str
    reasons: tuple[str, ...]
    strength: float = 0.0
    reason_items: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": {"email": self.person_email, "name": self.person_name, "title": self.title},
            "member": {"email": self.member_email, "name": self.member_name},
            "score": self.score,
            "label": self.label,
            "certainty": "measured",
            "reasons": [r.as_dict() for r in self.reason_items],
        }


@dataclass(frozen=True)
class AccountClosest:
    account: Account
    ties: tuple[AccountTie, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {
            "account": self.account.as_dict(),
            "closest": [t.as_dict() for t in self.ties],
        }


def closest_to_account(
    store: Store,
    org: Org,
    name_or_domain: str | int | Account,
    *,
    viewer: Member | None = None,
    limit: int = ACCOUNT_LIMIT,
) -> AccountClosest:
    """The account's people with the strongest ties to the organization, strongest first."""
    now = datetime.now(UTC)
    with store.read() as conn:
        account = find_account(conn, org, name_or_domain)
        best = _best_ties(conn, org, account.id, viewer, limit, now)
        ties = _describe(conn, org, best)
    return AccountClosest(account, tuple(ties[:limit] if limit else ties))


Best = dict[int, tuple[TieScore, int]]  # person -> (today's score, member)


def _best_ties(
    conn: Connection, org: Org, company_id: int, viewer: Member | None, k: int, now: datetime
) -> Best:
    """The account's people by their strongest visible tie, the best `k`: ranked in SQL by the
    stored shown score (services/activity/tie_scores.py `shown_sql`, the number every view
    shows), and only those kept scored in Python, for their reasons."""
    colleagues = select(member.c.person_id).where(
        member.c.org_id == org.id,
        member.c.person_id.is_not(None),
        member.c.archived_at.is_(None),  # a leaver is one of the account's people now
    )
    unscored = conn.execute(
        select(tie.c.person_id)
        .where(tie.c.org_id == org.id, tie.c.company_id == company_id, tie.c.volume.is_(None))
        .limit(1)
    ).first()
    if unscored is not None:
        return _best_ties_refolded(conn, org, company_id, viewer, k, now)
    shown, strength = shown_sql(), shown_strength_sql()
    # Of one person's ties, the one the tile would show: the strongest, then (all equal) the
    # one stored strongest, then the latest member.
    order = (shown.desc(), strength.desc(), tie.c.score.desc(), tie.c.member_id.desc())
    ties = (
        select(
            tie.c.person_id,
            tie.c.member_id,
            shown.label("shown"),
            strength.label("strength"),
            person.c.full_name,
            func.row_number().over(partition_by=tie.c.person_id, order_by=order).label("rank"),
            func.max(tie.c.score).over(partition_by=tie.c.person_id).label("stored"),
        )
        .join(member, member.c.id == tie.c.member_id)
        .join(person, person.c.id == tie.c.person_id)
        .where(
            tie.c.org_id == org.id,
            tie.c.company_id == company_id,
            ties_visible(viewer),
            person.c.archived_at.is_(None),
            tie.c.person_id.not_in(colleagues),  # a colleague who works there is one of us
            shown > 0,
        )
        .subquery("ties")
    )
    query = (
        select(ties.c.person_id, ties.c.member_id)
        .where(ties.c.rank == 1)
        # Namesakes as equal as can be: in the order of the index of stored scores.
        .order_by(
            ties.c.shown.desc(),
            ties.c.strength.desc(),
            ties.c.full_name,
            ties.c.stored.desc(),
            ties.c.person_id.desc(),
        )
    )
    rows = conn.execute(query.limit(k) if k else query).all()
    worded = scored_pairs(conn, org, now, [(r.member_id, r.person_id) for r in rows])
    return {r.person_id: (worded[(r.member_id, r.person_id)], r.member_id) for r in rows}


def _best_ties_refolded(
    conn: Connection, org: Org, company_id: int, viewer: Member | None, k: int, now: datetime
) -> Best:
    """What `_best_ties` finds, for an account with ties not rescored since tie.volume came
    (a store migrated to 0017, until the rescore `serve` runs at start): ties scored in
    Python from their state, walked in pages down the index of stored scores."""
    best: Best = {}
    scorer = TieScorer(conn, org, now)
    colleagues = {
        r.person_id
        for r in conn.execute(
            select(member.c.person_id).where(
                member.c.org_id == org.id,
                member.c.person_id.is_not(None),
                member.c.archived_at.is_(None),  # a leaver is one of the account's people now
            )
        )
    }
    window, after = max(k * 4, 32), None
    while True:
        query = (
            select(
                tie.c.person_id,
                tie.c.member_id,
                tie.c.state,
                tie.c.explicit,
                tie.c.volume,
                tie.c.score,
            )
            .join(member, same_org(member, tie.c.member_id))
            .join(person, same_org(person, tie.c.person_id))
            .where(
                tie.c.org_id == org.id,
                tie.c.company_id == company_id,
                ties_visible(viewer),
                person.c.archived_at.is_(None),
            )
            # The index's own order, descending: no sort, and a key to page on.
            .order_by(tie.c.score.desc(), tie.c.person_id.desc(), tie.c.member_id.desc())
            .limit(window)
        )
        if after is not None:
            query = query.where(tuple_(tie.c.score, tie.c.person_id, tie.c.member_id) < after)
        rows = conn.execute(query).all()
        scorer.load(r.member_id for r in rows)
        for r in rows:
            if r.person_id in colleagues:
                continue  # a colleague who works there is one of us, not the account's person
            today = scorer.score_row(r)
            held = best.get(r.person_id)
            if today.score > 0 and (held is None or _key(today) > _key(held[0])):
                best[r.person_id] = (today, r.member_id)
        if len(rows) < window:
            return best
        last = rows[-1]
        ranked = sorted((s.score for s, _ in best.values()), reverse=True)
        if k and len(ranked) >= k and ranked[k - 1] >= last.score:
            return best
        after = (last.score, last.person_id, last.member_id)
        window = min(window * 2, 4096)


def _key(result: TieScore) -> tuple[int, float]:
    return result.score, result.strength


def _describe(conn: Connection, org: Org, best: Best) -> list[AccountTie]:
    if not best:
        return []
    person_ids = list(best)
    people = {
        r.id: r
        for r in conn.execute(
            select(person.c.id, person.c.full_name, person.c.title).where(
                person.c.org_id == org.id, person.c.id.in_(person_ids)
            )
        )
    }
    emails = {
        r.person_id: r.email
        for r in conn.execute(
            select(person_email.c.person_id, func.min(person_email.c.email).label("email"))
            .where(person_email.c.org_id == org.id, person_email.c.person_id.in_(person_ids))
            .group_by(person_email.c.person_id)
        )
    }
    member_ids = {m for _, m in best.values()}
    members = {
        r.id: r
        for r in conn.execute(
            select(member.c.id, member.c.email, member.c.name).where(
                member.c.org_id == org.id, member.c.id.in_(member_ids)
            )
        )
    }
    ties = [
        AccountTie(
            person_id=pid,
            person_email=emails.get(pid, ""),
            person_name=people[pid].full_name,
            title=people[pid].title,
            member_email=members[mid].email,
            member_name=members[mid].name,
            score=result.score,
            label=result.label,
            reasons=result.reasons,
            strength=result.strength,
            reason_items=result.reason_items,
        )
        for pid, (result, mid) in best.items()
    ]
    ties.sort(key=lambda t: (-t.score, -t.strength, t.person_name))
    return ties
