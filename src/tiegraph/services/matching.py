"""Loading the directory into the core's matching indexes, and deciding on possible matches."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from tiegraph.core.companies import CompanyIndex
from tiegraph.core.matching import MatchIndex, PersonKeys, person_keys
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.members import Member
from tiegraph.services.orgs import Org
from tiegraph.services.ties import TieUpdater
from tiegraph.store import Store
from tiegraph.store.schema import (
    company,
    company_domain,
    contact,
    employment,
    person,
    person_email,
    possible_match,
)


def load_company_index(conn: Connection, org: Org) -> CompanyIndex:
    domains: dict[int, list[str]] = {}
    for r in conn.execute(
        select(company_domain.c.company_id, company_domain.c.domain).where(
            company_domain.c.org_id == org.id
        )
    ):
        domains.setdefault(r.company_id, []).append(r.domain)
    rows = conn.execute(
        select(company.c.id, company.c.name).where(
            company.c.org_id == org.id, company.c.archived_at.is_(None)
        )
    )
    return CompanyIndex((str(r.id), r.name, domains.get(r.id, ())) for r in rows)


def load_match_index(conn: Connection, org: Org, companies: CompanyIndex) -> MatchIndex:
    """Every directory person under the core's keys: names, emails and all their employers."""
    emails: dict[int, list[str]] = {}
    for r in conn.execute(
        select(person_email.c.person_id, person_email.c.email).where(
            person_email.c.org_id == org.id
        )
    ):
        emails.setdefault(r.person_id, []).append(r.email)
    names = {
        r.id: r.name
        for r in conn.execute(
            select(company.c.id, company.c.name).where(company.c.org_id == org.id)
        )
    }
    employers: dict[int, list[str]] = {}
    # Past employers too: an address book often still shows where someone used to work.
    for r in conn.execute(
        select(employment.c.person_id, employment.c.company_id).where(employment.c.org_id == org.id)
    ):
        employers.setdefault(r.person_id, []).append(names[r.company_id])
    rows = conn.execute(
        select(
            person.c.id,
            person.c.first_name,
            person.c.last_name,
            person.c.full_name,
            person.c.company_id,
        ).where(person.c.org_id == org.id, person.c.archived_at.is_(None))
    )

    def keyed() -> Any:
        for r in rows:
            works = employers.get(r.id) or ([names[r.company_id]] if r.company_id else [])
            keys: PersonKeys = person_keys(
                r.first_name,
                r.last_name,
                emails.get(r.id, ()),
                works,
                full_name=r.full_name,
                companies=companies,
            )
            yield str(r.id), keys

    return MatchIndex(keyed(), companies)


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
            .join(contact, contact.c.id == possible_match.c.contact_id)
            .join(person, person.c.id == possible_match.c.person_id)
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
            .join(contact, contact.c.id == possible_match.c.contact_id)
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
