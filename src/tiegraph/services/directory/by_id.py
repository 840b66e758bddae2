"""Directory persons and companies by id, as a list's rows name them (first email, domains)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, ScalarSelect, func, select, true

from tiegraph.errors import NotFoundError
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import persons_shared
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, company_domain, person, person_email


def first_email() -> ScalarSelect[Any]:
    """A person's first email (as sorted), as a column of a query on `person`."""
    return (
        select(func.min(person_email.c.email))
        .where(person_email.c.org_id == person.c.org_id, person_email.c.person_id == person.c.id)
        .scalar_subquery()
    )


def persons_by_id(
    conn: Connection, org: Org, ids: Sequence[int], *, shared_only: bool = False
) -> dict[int, dict[str, Any]]:
    """Person id → name, first email, title, current company; with `shared_only`, only the
    persons every member may see (others are left out)."""
    shared = persons_shared() if shared_only else true()
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        rows = conn.execute(
            select(
                person.c.id,
                person.c.full_name,
                person.c.title,
                company.c.name,
                first_email().label("email"),
            )
            .outerjoin(company, same_org(company, person.c.company_id))
            .where(
                person.c.org_id == org.id,
                person.c.id.in_(ids[start : start + IN_CHUNK]),
                shared,
            )
        )
        for r in rows:
            found[r.id] = {
                "name": r.full_name or r.email or "",
                "email": r.email or "",
                "title": r.title or "",
                "company": r.name or "",
            }
    return found


def companies_by_id(conn: Connection, org: Org, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Company id → name and domains (sorted)."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + IN_CHUNK]
        for r in conn.execute(
            select(company.c.id, company.c.name).where(
                company.c.org_id == org.id, company.c.id.in_(chunk)
            )
        ):
            found[r.id] = {"name": r.name, "domains": ()}
        for d in conn.execute(
            select(company_domain.c.company_id, company_domain.c.domain)
            .where(company_domain.c.org_id == org.id, company_domain.c.company_id.in_(chunk))
            .order_by(company_domain.c.domain)
        ):
            found[d.company_id]["domains"] += (d.domain,)
    return found


def emails_of(conn: Connection, org: Org, person_ids: list[int]) -> dict[str, int]:
    """Every email of these persons → the person."""
    found: dict[str, int] = {}
    for start in range(0, len(person_ids), IN_CHUNK):
        for r in conn.execute(
            select(person_email.c.email, person_email.c.person_id).where(
                person_email.c.org_id == org.id,
                person_email.c.person_id.in_(person_ids[start : start + IN_CHUNK]),
            )
        ):
            found[r.email] = r.person_id
    return found


def shared_person_label(conn: Connection, org: Org, person_id: int) -> str:
    """How a report names a directory person every member may see, or NotFoundError (the same
    for a person that does not exist and one only some members may see)."""
    row = conn.execute(
        select(person.c.full_name, first_email().label("email")).where(
            person.c.org_id == org.id,
            person.c.id == person_id,
            person.c.archived_at.is_(None),
            persons_shared(),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no directory person {person_id} that every colleague may see")
    label = row.full_name or row.email or f"person {person_id}"
    return f"{label} <{row.email}>" if row.email else label
