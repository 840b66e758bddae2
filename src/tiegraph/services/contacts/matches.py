"""Possible matches: a member lists their own and decides on each (confirm or reject)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.activity.ties import TieUpdater
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    contact,
    person,
    possible_match,
)


@dataclass(frozen=True)
class PossibleMatch:
    id: int
    contact_id: int
    contact_name: str
    contact_company: str
    person_id: int
    person_name: str
    reason: str
    status: str


def list_possible_matches(
    store: Store, org: Org, viewer: Member, *, status: str = "open"
) -> list[PossibleMatch]:
    """The viewer's own possible matches: a member decides only about their own contacts."""
    with store.read() as conn:
        rows = conn.execute(
            select(
                possible_match.c.id,
                possible_match.c.contact_id,
                possible_match.c.person_id,
                possible_match.c.reason,
                possible_match.c.status,
                contact.c.full_name.label("contact_name"),
                contact.c.company.label("contact_company"),
                person.c.full_name.label("person_name"),
            )
            .join(contact, same_org(contact, possible_match.c.contact_id))
            .join(person, same_org(person, possible_match.c.person_id))
            .where(
                possible_match.c.org_id == org.id,
                contact.c.member_id == viewer.id,
                possible_match.c.status == status,
            )
            .order_by(possible_match.c.id)
        ).all()
    return [PossibleMatch(**r._mapping) for r in rows]


def decide_possible_match(
    store: Store, org: Org, viewer: Member, match_id: int, *, confirm: bool
) -> PossibleMatch:
    """Confirm (link the contact to the person) or reject a possible match of the viewer's."""
    with store.write() as conn:
        row = conn.execute(
            select(possible_match, contact.c.member_id)
            .join(contact, same_org(contact, possible_match.c.contact_id))
            .where(possible_match.c.org_id == org.id, possible_match.c.id == match_id)
        ).first()
        if row is None or row.member_id != viewer.id:
            raise NotFoundError(f"no possible match {match_id} among {viewer.email}'s contacts")
        if row.status != "open":
            raise InvalidInputError(f"possible match {match_id} is already {row.status}")
        now = datetime.now(UTC)
        conn.execute(
            possible_match.update()
            .where(possible_match.c.id == match_id)
            .values(
                status="confirmed" if confirm else "rejected", decided_by=viewer.id, decided_at=now
            )
        )
        if confirm:
            conn.execute(
                contact.update()
                .where(contact.c.id == row.contact_id)
                .values(person_id=row.person_id, status="matched", updated_at=now)
            )
            ties = TieUpdater(conn, org)
            ties.mark_explicit([(viewer.id, row.person_id)])
            ties.flush()
            # One confirmed answer settles the contact: its other suggestions are closed.
            conn.execute(
                possible_match.update()
                .where(
                    possible_match.c.org_id == org.id,
                    possible_match.c.contact_id == row.contact_id,
                    possible_match.c.status == "open",
                )
                .values(status="rejected", decided_by=viewer.id, decided_at=now)
            )
        else:
            still_open = conn.execute(
                select(possible_match.c.id).where(
                    possible_match.c.org_id == org.id,
                    possible_match.c.contact_id == row.contact_id,
                    possible_match.c.status == "open",
                )
            ).first()
            if still_open is None:
                conn.execute(
                    contact.update()
                    .where(contact.c.id == row.contact_id, contact.c.status == "possible")
                    .values(status="private", updated_at=now)
                )
    decided = [
        m
        for m in list_possible_matches(
            store, org, viewer, status="confirmed" if confirm else "rejected"
        )
        if m.id == match_id
    ]
    return decided[0]
