"""For an account: the members with the strongest visible ties to its people (a simple query).

It reads the account's ties through tie(org, company, ...) (services/insights/closest.py keeps the
company on each tie) and scores each as every view does (services/activity/tie_scores.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from tiegraph.core.reasons import Reason
from tiegraph.services.activity.tie_scores import TieScorer
from tiegraph.services.insights.who_knows import TILE
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store import Store
from tiegraph.store.schema import member, person, tie


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
    now = datetime.now(UTC)
    query = (
        select(
            tie.c.member_id,
            tie.c.state,
            tie.c.explicit,
            person.c.full_name,
            member.c.email,
            member.c.name,
        )
        .join(person, person.c.id == tie.c.person_id)
        .join(member, member.c.id == tie.c.member_id)
        .where(
            tie.c.org_id == org.id,
            tie.c.company_id == company_id,
            person.c.archived_at.is_(None),
            member.c.archived_at.is_(None),
            ties_visible(viewer),
        )
    )
    best: dict[int, AccountKnower] = {}
    with store.read() as conn:
        scorer = TieScorer(conn, org, now)
        rows = conn.execute(query).all()
        scorer.load(r.member_id for r in rows)
        for r in rows:
            result = scorer.score_row(r)
            if result.score <= 0 and not result.reasons:
                continue
            known = best.get(r.member_id)
            people = (known.people if known else 0) + 1
            if known is None or (result.score, result.strength) > (known.score, known.strength):
                known = AccountKnower(
                    r.email,
                    r.name,
                    result.score,
                    result.label,
                    people,
                    r.full_name,
                    result.reasons,
                    result.strength,
                    result.reason_items,
                )
            best[r.member_id] = replace(known, people=people)
    ranked = sorted(best.values(), key=lambda k: (-k.score, -k.strength, k.member_name))
    return tuple(ranked[:limit] if limit else ranked)
