"""For an account: the members with the strongest visible ties to its people (a simple query).

It reads the account's ties through tie(org, company, ...) (services/insights/closest.py keeps the
company on each tie), ranked by their stored shown score (services/activity/tie_scores.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select

from tiegraph.core.reasons import Reason
from tiegraph.services.activity.tie_scores import scored_pairs, shown_sql, shown_strength_sql
from tiegraph.services.insights.who_knows import TILE
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import ties_visible
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
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
    """Members by their strongest tie to the company's current people, strongest first.

    The ties are ranked by their stored shown score in SQL (services/activity/tie_scores.py
    `shown_sql`); only each shown member's strongest tie is scored in Python, for its reasons.
    """
    now = datetime.now(UTC)
    shown = shown_sql()
    query = (
        select(
            tie.c.member_id,
            tie.c.person_id,
            shown.label("score"),
            shown_strength_sql().label("strength"),
            person.c.full_name,
            member.c.email,
            member.c.name,
        )
        .join(person, same_org(person, tie.c.person_id))
        .join(member, same_org(member, tie.c.member_id))
        .where(
            tie.c.org_id == org.id,
            tie.c.company_id == company_id,
            person.c.archived_at.is_(None),
            ties_visible(viewer),
            # what has no reasons either: no touch, not in the member's contacts
            or_(shown > 0, tie.c.last_at.is_not(None), tie.c.explicit.is_(True)),
        )
    )
    best: dict[int, Any] = {}
    people: dict[int, int] = {}
    with store.read() as conn:
        for r in conn.execute(query):
            people[r.member_id] = people.get(r.member_id, 0) + 1
            held = best.get(r.member_id)
            if held is None or (r.score, r.strength) > (held.score, held.strength):
                best[r.member_id] = r
        ranked = sorted(best.values(), key=lambda r: (-r.score, -r.strength, r.name))
        ranked = ranked[:limit] if limit else ranked
        worded = scored_pairs(conn, org, now, [(r.member_id, r.person_id) for r in ranked])
    return tuple(
        AccountKnower(
            r.email,
            r.name,
            worded[(r.member_id, r.person_id)].score,
            worded[(r.member_id, r.person_id)].label,
            people[r.member_id],
            r.full_name,
            worded[(r.member_id, r.person_id)].reasons,
            worded[(r.member_id, r.person_id)].strength,
            worded[(r.member_id, r.person_id)].reason_items,
        )
        for r in ranked
    )
