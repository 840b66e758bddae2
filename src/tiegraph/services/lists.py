"""Lists of leads, opportunities and deals: persons or accounts, shared within the organization.

Every member sees every list; who knows each row is answered as the viewer may see it.
Lists are archived, never deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services.directory.lookup import company_by_id, find_company, find_person
from tiegraph.services.insights.account_knowers import AccountKnower, account_knowers
from tiegraph.services.insights.who_knows import TILE, Knower, who_knows
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.schema import (
    company,
    company_domain,
    list_item,
    member,
    person,
    person_email,
    person_list,
)

KINDS = ("leads", "opportunities", "deals")


@dataclass(frozen=True)
class PersonList:
    id: int
    name: str
    kind: str
    owner_email: str
    owner_name: str
    items: int
    created_at: datetime
    archived_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "owner": {"email": self.owner_email, "name": self.owner_name},
            "items": self.items,
            "created_at": _iso(self.created_at),
            "archived_at": _iso(self.archived_at),
        }


@dataclass(frozen=True)
class ListRow:
    """A person (with the who-knows tile) or an account (with its closest members)."""

    type: str  # person | account
    name: str
    email: str = ""
    title: str = ""
    company: str = ""
    domains: tuple[str, ...] = ()
    knowers: tuple[Knower, ...] = ()
    account_knowers: tuple[AccountKnower, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        if self.type == "account":
            return {
                "type": "account",
                "company": {"name": self.name, "domains": list(self.domains)},
                "knowers": [k.as_dict() for k in self.account_knowers],
            }
        return {
            "type": "person",
            "person": {
                "email": self.email,
                "name": self.name,
                "title": self.title,
                "company": self.company,
            },
            "knowers": [k.as_dict() for k in self.knowers],
        }


@dataclass(frozen=True)
class ListView:
    person_list: PersonList
    rows: tuple[ListRow, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.person_list.as_dict(), "rows": [r.as_dict() for r in self.rows]}


@dataclass
class AddReport:
    list_name: str
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.list_name, "added": self.added, "already": self.already}


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInputError("a list needs a name of 1 to 200 characters")
    return name


def _find(conn: Connection, org: Org, name: str | int) -> PersonList | None:
    """The list with this name (any case), or with this id when `name` is an int."""
    items = (
        select(func.count())
        .where(list_item.c.org_id == org.id, list_item.c.list_id == person_list.c.id)
        .scalar_subquery()
    )
    which = (
        person_list.c.id == name
        if isinstance(name, int)
        else func.lower(person_list.c.name) == _checked_name(name).lower()
    )
    row = conn.execute(
        select(person_list, member.c.email, member.c.name.label("owner_name"), items.label("n"))
        .join(member, member.c.id == person_list.c.owner_id)
        .where(person_list.c.org_id == org.id, which)
    ).first()
    if row is None:
        return None
    return PersonList(
        row.id,
        row.name,
        row.kind,
        row.email,
        row.owner_name,
        row.n,
        row.created_at,
        row.archived_at,
    )


def get_list(conn: Connection, org: Org, name: str | int) -> PersonList:
    """A list by its name, or by its id (an int: the web app and the API name lists by id)."""
    found = _find(conn, org, name)
    if found is None:
        if isinstance(name, int):
            raise NotFoundError(f"no list {name}")
        raise NotFoundError(f"no list named {name!r}; see `tiegraph list list`")
    return found


def find_list(store: Store, org: Org, name: str | int) -> PersonList:
    with store.read() as conn:
        return get_list(conn, org, name)


def create_list(store: Store, org: Org, owner: Member, name: str, kind: str) -> PersonList:
    name = _checked_name(name)
    if kind not in KINDS:
        raise InvalidInputError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    with store.write() as conn:
        existing = _find(conn, org, name)
        if existing is not None:
            archived = " (archived)" if existing.archived_at else ""
            raise InvalidInputError(f"a list named {existing.name!r} already exists{archived}")
        conn.execute(
            person_list.insert().values(org_id=org.id, owner_id=owner.id, name=name, kind=kind)
        )
        return get_list(conn, org, name)


def list_lists(store: Store, org: Org, *, archived: bool = False) -> list[PersonList]:
    with store.read() as conn:
        names = conn.execute(
            select(person_list.c.name)
            .where(
                person_list.c.org_id == org.id,
                person_list.c.archived_at.is_not(None)
                if archived
                else person_list.c.archived_at.is_(None),
            )
            .order_by(person_list.c.name)
        ).all()
        return [get_list(conn, org, r.name) for r in names]


def add_to_list(
    store: Store,
    org: Org,
    name: str | int,
    *,
    emails: Sequence[str] = (),
    accounts: Sequence[str] = (),
    account_ids: Sequence[int] = (),
    added_by: Member | None = None,
) -> AddReport:
    """Add directory persons (by email) and accounts (by company name, domain or id), all or
    none."""
    if not emails and not accounts and not account_ids:
        raise InvalidInputError("nothing to add: give emails of persons or --account NAME")
    with store.write() as conn:
        found = get_list(conn, org, name)
        if found.archived_at is not None:
            raise InvalidInputError(f"list {found.name!r} is archived")
        _check_may_change(found, added_by)
        report = AddReport(found.name)
        present = {
            (r.person_id, r.company_id)
            for r in conn.execute(
                select(list_item.c.person_id, list_item.c.company_id).where(
                    list_item.c.org_id == org.id, list_item.c.list_id == found.id
                )
            )
        }
        wanted: list[tuple[str, int | None, int | None]] = []
        for email in emails:
            # A list is the organization's: it names no one known only from unshared activity.
            p = find_person(conn, org, email, shared_only=True)
            wanted.append((f"{p.name} <{p.email}>", p.id, None))
        for account in accounts:
            c = find_company(conn, org, account)
            wanted.append((c.name, None, c.id))
        for account_id in account_ids:
            c = company_by_id(conn, org, account_id)
            wanted.append((c.name, None, c.id))
        for label, person_id, company_id in wanted:
            if (person_id, company_id) in present:
                report.already.append(label)
                continue
            present.add((person_id, company_id))
            conn.execute(
                list_item.insert().values(
                    org_id=org.id,
                    list_id=found.id,
                    person_id=person_id,
                    company_id=company_id,
                    added_by=added_by.id if added_by else None,
                )
            )
            report.added.append(label)
    return report


def _check_may_change(found: PersonList, member: Member | None) -> None:
    """A list is changed by its owner or an admin (`member` None: the operator)."""
    if member is not None and member.role != "admin" and member.email != found.owner_email:
        raise ForbiddenError(f"only {found.owner_name} (its owner) or an admin can change it")


def archive_list(
    store: Store, org: Org, name: str | int, viewer: Member | None = None
) -> PersonList:
    """Archive a list (its owner, an admin or the operator may); it stays readable."""
    with store.write() as conn:
        found = get_list(conn, org, name)
        _check_may_change(found, viewer)
        if found.archived_at is not None:
            raise InvalidInputError(f"list {found.name!r} is already archived")
        conn.execute(
            person_list.update()
            .where(person_list.c.id == found.id)
            .values(archived_at=datetime.now(UTC))
        )
        return get_list(conn, org, found.id)


def show_list(store: Store, org: Org, name: str | int, viewer: Member | None = None) -> ListView:
    """The list's rows in the order added, each with who knows them as the viewer may see."""
    with store.read() as conn:
        found = get_list(conn, org, name)
        items = conn.execute(
            select(list_item.c.person_id, list_item.c.company_id)
            .where(list_item.c.org_id == org.id, list_item.c.list_id == found.id)
            .order_by(list_item.c.id)
        ).all()
        persons = _persons(conn, org, [i.person_id for i in items if i.person_id is not None])
        companies = _companies(conn, org, [i.company_id for i in items if i.company_id is not None])
    emails = [persons[i.person_id]["email"] for i in items if i.person_id in persons]
    tiles = {a.email: a.knowers for a in who_knows(store, org, emails, limit=TILE, viewer=viewer)}
    rows: list[ListRow] = []
    for item in items:
        if item.person_id in persons:
            p = persons[item.person_id]
            rows.append(ListRow("person", knowers=tiles.get(p["email"], ()), **p))
        elif item.company_id in companies:
            c = companies[item.company_id]
            closest = account_knowers(store, org, item.company_id, viewer=viewer)
            rows.append(
                ListRow("account", c["name"], domains=c["domains"], account_knowers=closest)
            )
    return ListView(found, tuple(rows))


def _persons(conn: Connection, org: Org, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    first_email = (
        select(func.min(person_email.c.email))
        .where(person_email.c.org_id == org.id, person_email.c.person_id == person.c.id)
        .scalar_subquery()
    )
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        rows = conn.execute(
            select(
                person.c.id,
                person.c.full_name,
                person.c.title,
                company.c.name,
                first_email.label("email"),
            )
            .outerjoin(company, company.c.id == person.c.company_id)
            .where(person.c.org_id == org.id, person.c.id.in_(ids[start : start + 900]))
        )
        for r in rows:
            found[r.id] = {
                "name": r.full_name or r.email or "",
                "email": r.email or "",
                "title": r.title or "",
                "company": r.name or "",
            }
    return found


def _companies(conn: Connection, org: Org, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start : start + 900]
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
