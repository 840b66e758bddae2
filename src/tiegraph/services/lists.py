"""Lists of leads, opportunities and deals: persons or accounts, shared within the organization.

Every member sees every list; only its owner or an admin changes it. A list names only
persons every member may see. Lists are archived and rows taken off are marked removed: never
deleted. The rows with who knows them are read in list_rows.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, select

from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services.directory.by_id import (
    companies_by_id,
    emails_of,
    persons_by_id,
    shared_person_label,
)
from tiegraph.services.directory.lookup import company_by_id, find_company, find_person
from tiegraph.services.org.members import Member, checked_email
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    list_item,
    member,
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
            "created_at": iso(self.created_at),
            "archived_at": iso(self.archived_at),
        }


@dataclass
class AddReport:
    list_name: str
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.list_name, "added": self.added, "already": self.already}


@dataclass
class RemoveReport:
    list_name: str
    removed: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)  # asked for, but not on the list

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.list_name, "removed": self.removed, "absent": self.absent}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise InvalidInputError("a list needs a name of 1 to 200 characters")
    return name


# The organization's lists, by name, each with its owner and rows, in one query; built once
# with a bound parameter (org_id): the person page reads the open ones on every view.
_ITEMS = (
    select(func.count())
    .where(
        list_item.c.org_id == person_list.c.org_id,
        list_item.c.list_id == person_list.c.id,
        list_item.c.removed_at.is_(None),
    )
    .scalar_subquery()
)
_LISTS = (
    select(person_list, member.c.email, member.c.name.label("owner_name"), _ITEMS.label("n"))
    .join(member, same_org(member, person_list.c.owner_id))
    .where(person_list.c.org_id == bindparam("org_id"))
    .order_by(person_list.c.name)
)
_OPEN_LISTS = _LISTS.where(person_list.c.archived_at.is_(None))
_ARCHIVED_LISTS = _LISTS.where(person_list.c.archived_at.is_not(None))


def _lists(conn: Connection, org: Org, *where: ColumnElement[bool]) -> list[PersonList]:
    """The organization's lists meeting `where`, by name, each with its owner and rows."""
    return _rows_of(conn.execute(_LISTS.where(*where), {"org_id": org.id}))


def _rows_of(rows: Any) -> list[PersonList]:
    return [
        PersonList(r.id, r.name, r.kind, r.email, r.owner_name, r.n, r.created_at, r.archived_at)
        for r in rows
    ]


def _find(conn: Connection, org: Org, name: str | int) -> PersonList | None:
    """The list with this name (any case), or with this id when `name` is an int."""
    which = (
        person_list.c.id == name
        if isinstance(name, int)
        else func.lower(person_list.c.name) == _checked_name(name).lower()
    )
    found = _lists(conn, org, which)
    return found[0] if found else None


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
    with store.write() as conn:
        return _create(conn, org, owner, name, kind)


def _create(conn: Connection, org: Org, owner: Member, name: str, kind: str) -> PersonList:
    name = _checked_name(name)
    if kind not in KINDS:
        raise InvalidInputError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
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
        return _rows_of(
            conn.execute(_ARCHIVED_LISTS if archived else _OPEN_LISTS, {"org_id": org.id})
        )


def lists_to_change(store: Store, org: Org, viewer: Member) -> list[PersonList]:
    """The open lists `viewer` may add to and remove from: their own, or all for an admin."""
    return [
        x for x in list_lists(store, org) if viewer.role == "admin" or x.owner_email == viewer.email
    ]


def add_to_list(
    store: Store,
    org: Org,
    name: str | int,
    *,
    emails: Sequence[str] = (),
    person_ids: Sequence[int] = (),
    accounts: Sequence[str] = (),
    account_ids: Sequence[int] = (),
    added_by: Member | None = None,
) -> AddReport:
    """Add directory persons (by email or id) and accounts (by company name, domain or id),
    all or none."""
    with store.write() as conn:
        found = get_list(conn, org, name)
        return _add(conn, org, found, added_by, emails, person_ids, accounts, account_ids)


def add_to_new_list(
    store: Store,
    org: Org,
    owner: Member,
    name: str,
    kind: str,
    *,
    emails: Sequence[str] = (),
    person_ids: Sequence[int] = (),
    accounts: Sequence[str] = (),
    account_ids: Sequence[int] = (),
) -> AddReport:
    """Create a list of `owner`'s and add to it, in one step: if one row is refused, the list
    is not created either."""
    with store.write() as conn:
        found = _create(conn, org, owner, name, kind)
        return _add(conn, org, found, owner, emails, person_ids, accounts, account_ids)


def _add(
    conn: Connection,
    org: Org,
    found: PersonList,
    added_by: Member | None,
    emails: Sequence[str],
    person_ids: Sequence[int],
    accounts: Sequence[str],
    account_ids: Sequence[int],
) -> AddReport:
    if not (emails or person_ids or accounts or account_ids):
        raise InvalidInputError("nothing to add: name persons (by email) or accounts")
    _check_open(found)
    _check_may_change(found, added_by)
    report = AddReport(found.name)
    present = {(r.person_id, r.company_id) for r in active_rows(conn, org, found)}
    wanted: list[tuple[str, int | None, int | None]] = []
    for email in emails:
        # A list is the organization's: it names no one known only from unshared activity.
        p = find_person(conn, org, email, shared_only=True)
        wanted.append((f"{p.name} <{p.email}>", p.id, None))
    wanted.extend((shared_person_label(conn, org, i), i, None) for i in person_ids)
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


def remove_from_list(
    store: Store,
    org: Org,
    name: str | int,
    *,
    emails: Sequence[str] = (),
    person_ids: Sequence[int] = (),
    accounts: Sequence[str] = (),
    account_ids: Sequence[int] = (),
    removed_by: Member | None = None,
) -> RemoveReport:
    """Take persons and accounts off a list (its owner, an admin or the operator): the rows are
    marked removed, not deleted. What is not on the list is reported as such."""
    if not (emails or person_ids or accounts or account_ids):
        raise InvalidInputError("nothing to remove: name persons (by email) or accounts")
    with store.write() as conn:
        found = get_list(conn, org, name)
        _check_open(found)
        _check_may_change(found, removed_by)
        rows = active_rows(conn, org, found)
        by_person = {r.person_id: r.id for r in rows if r.person_id is not None}
        by_company = {r.company_id: r.id for r in rows if r.company_id is not None}
        emails_on = emails_of(conn, org, list(by_person))
        asked: list[tuple[str, int | None]] = []  # what was named, and its row on the list
        for raw in emails:
            email = checked_email(raw)
            asked.append((email, by_person.get(emails_on.get(email, -1))))
        asked.extend((f"person {i}", by_person.get(i)) for i in person_ids)
        for account in accounts:
            c = find_company(conn, org, account)
            asked.append((c.name, by_company.get(c.id)))
        asked.extend((f"account {i}", by_company.get(i)) for i in account_ids)
        labels = _row_labels(conn, org, rows)
        report, gone = RemoveReport(found.name), set()
        for label, row_id in asked:
            if row_id is None:
                report.absent.append(label)
            elif row_id not in gone:
                gone.add(row_id)
                report.removed.append(labels[row_id])
        if gone:
            conn.execute(
                list_item.update()
                .where(list_item.c.org_id == org.id, list_item.c.id.in_(sorted(gone)))
                .values(
                    removed_at=datetime.now(UTC),
                    removed_by=removed_by.id if removed_by else None,
                )
            )
    return report


def active_rows(conn: Connection, org: Org, found: PersonList) -> list[Any]:
    """The list's rows (id, person_id, company_id) not removed, in the order added."""
    return list(
        conn.execute(
            select(list_item.c.id, list_item.c.person_id, list_item.c.company_id)
            .where(
                list_item.c.org_id == org.id,
                list_item.c.list_id == found.id,
                list_item.c.removed_at.is_(None),
            )
            .order_by(list_item.c.id)
        )
    )


def _row_labels(conn: Connection, org: Org, rows: list[Any]) -> dict[int, str]:
    """Row id → how a report names it: "Name <email>" for a person, the company's name."""
    persons = persons_by_id(conn, org, [r.person_id for r in rows if r.person_id], shared_only=True)
    companies = companies_by_id(conn, org, [r.company_id for r in rows if r.company_id])
    labels = {}
    for r in rows:
        if r.person_id is not None:
            p = persons.get(r.person_id, {"name": f"person {r.person_id}", "email": ""})
            labels[r.id] = f"{p['name']} <{p['email']}>" if p["email"] else p["name"]
        else:
            labels[r.id] = companies.get(r.company_id, {"name": f"account {r.company_id}"})["name"]
    return labels


def _check_open(found: PersonList) -> None:
    if found.archived_at is not None:
        raise InvalidInputError(f"list {found.name!r} is archived")


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
