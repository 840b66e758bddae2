"""The contact gallery: the viewer's contacts and the directory in one grid, with saved columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts.gallery_query import BUILTIN, RELATION, Query, counted_page
from tiegraph.services.contacts.properties import Property, _properties, values_of
from tiegraph.services.insights.person_ties import STRENGTHS, PersonTies, ties_of
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.paging import Page, checked_window
from tiegraph.store import Store
from tiegraph.store.bulk import upsert_rows
from tiegraph.store.schema import (
    contact_email,
    member_preference,
    person_email,
)

STATUSES = ("matched", "possible", "private", "directory")
SCOPES = ("all", "mine", "directory")
PREFERENCE = "gallery.columns"


@dataclass(frozen=True)
class GalleryRow:
    """A row: one of the viewer's own contacts (kind contact) or a directory person (person)."""

    kind: str
    id: int
    name: str
    company: str
    title: str
    status: str
    email: str
    person_id: int | None
    archived: bool
    values: Mapping[int, str] = field(default_factory=dict)
    ties: PersonTies = field(default_factory=PersonTies)


@dataclass(frozen=True)
class Columns:
    """A member's gallery layout: column order, hidden columns, sort and page size."""

    order: tuple[str, ...] = BUILTIN
    hidden: tuple[str, ...] = ()
    sort: str = "name"
    descending: bool = False
    page_size: int = 50

    @property
    def shown(self) -> tuple[str, ...]:
        return tuple(c for c in self.order if c not in self.hidden)

    def as_dict(self) -> dict[str, Any]:
        return {
            "order": list(self.order),
            "hidden": list(self.hidden),
            "sort": self.sort,
            "descending": self.descending,
            "page_size": self.page_size,
        }


def column_keys(props: Sequence[Property]) -> tuple[str, ...]:
    return BUILTIN + RELATION + tuple(f"prop:{p.id}" for p in props)


def _normalized(columns: Columns, keys: Sequence[str]) -> Columns:
    order = [c for c in dict.fromkeys(columns.order) if c in keys]
    order += [k for k in keys if k not in order]
    hidden = tuple(c for c in dict.fromkeys(columns.hidden) if c in keys and c != "name")
    sort = columns.sort if columns.sort in (*keys, "created") else "name"
    size = min(max(columns.page_size, 1), 200)
    return Columns(tuple(order), hidden, sort, columns.descending, size)


def get_columns(store: Store, org: Org, viewer: Member) -> Columns:
    with store.read() as conn:
        props = _properties(conn, org)
        row = conn.execute(
            select(member_preference.c.value).where(
                member_preference.c.org_id == org.id,
                member_preference.c.member_id == viewer.id,
                member_preference.c.key == PREFERENCE,
            )
        ).first()
    saved = row.value if row and isinstance(row.value, dict) else {}
    columns = Columns(
        order=tuple(str(c) for c in saved.get("order", BUILTIN)),
        hidden=tuple(str(c) for c in saved.get("hidden", ())),
        sort=str(saved.get("sort", "name")),
        descending=bool(saved.get("descending", False)),
        page_size=int(saved.get("page_size", 50)),
    )
    return _normalized(columns, column_keys(props))


def save_columns(store: Store, org: Org, viewer: Member, columns: Columns) -> Columns:
    """Save the viewer's layout; unknown columns are refused, so a typo is not silently lost."""
    with store.write() as conn:
        keys = column_keys(_properties(conn, org))
        unknown = [c for c in (*columns.order, *columns.hidden) if c not in keys]
        if unknown:
            raise InvalidInputError(f"unknown column {unknown[0]!r}; columns: {', '.join(keys)}")
        if columns.sort not in (*keys, "created"):
            raise InvalidInputError(f"cannot sort by {columns.sort!r}")
        if not 1 <= columns.page_size <= 200:
            raise InvalidInputError("page size must be between 1 and 200")
        normalized = _normalized(columns, keys)
        upsert_rows(
            conn,
            member_preference,
            [
                {
                    "org_id": org.id,
                    "member_id": viewer.id,
                    "key": PREFERENCE,
                    "value": normalized.as_dict(),
                }
            ],
            key=("org_id", "member_id", "key"),
            update=["value"],
        )
    return normalized


def move_column(columns: Columns, key: str, step: int) -> Columns:
    """The layout with one column moved left (step -1) or right (+1)."""
    order = list(columns.order)
    if key not in order:
        raise InvalidInputError(f"unknown column {key!r}")
    at = order.index(key)
    to = min(max(at + step, 0), len(order) - 1)
    order.insert(to, order.pop(at))
    return replace(columns, order=tuple(order))


def gallery_rows(
    store: Store,
    org: Org,
    viewer: Member,
    *,
    search: str = "",
    status: str | None = None,
    scope: str = "all",
    filters: Mapping[int, str] | None = None,
    sort: str = "name",
    descending: bool = False,
    archived: bool = False,
    strength: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[GalleryRow]:
    """One page of the grid as the viewer may see it: their own contacts, and the directory.

    `strength`: only persons whose strongest visible tie is at least strong or good, or who
    are known at all (STRENGTHS)."""
    limit, offset = checked_window(limit, offset)
    if status and status not in STATUSES:
        raise InvalidInputError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    if scope not in SCOPES:
        raise InvalidInputError(f"scope {scope!r} is not one of {', '.join(SCOPES)}")
    if strength and strength not in STRENGTHS:
        raise InvalidInputError(f"strength {strength!r} is not one of {', '.join(STRENGTHS)}")
    with store.read() as conn:
        props = {p.id: p for p in _properties(conn, org)}
        emails = sort == "email"
        query = Query(
            org, viewer, props, search, status, scope, filters, sort, descending, archived,
            strength, emails, trigram=store.dialect == "postgresql",
            indexed=store.dialect == "sqlite",
        )  # fmt: skip
        total, page = counted_page(conn, query, limit, offset)
        values = values_of(conn, org, [r.id for r in page if r.kind == "contact"])
        firsts = {} if emails else _first_emails(conn, org, page)
        known = ties_of(conn, org, viewer, [r.person_id for r in page if r.person_id])
    items = [
        GalleryRow(
            r.kind,
            r.id,
            r.name,
            r.company,
            r.title,
            r.status,
            firsts.get((r.kind, r.id), r.email),
            r.person_id,
            archived,
            values.get(r.id, {}) if r.kind == "contact" else {},
            known.get(r.person_id, PersonTies()) if r.person_id else PersonTies(),
        )
        for r in page
    ]
    return Page(items, total, limit, offset)


def _first_emails(conn: Any, org: Org, page: Sequence[Any]) -> dict[tuple[str, int], str]:
    """The first email of each row of a page, by (kind, id)."""
    found: dict[tuple[str, int], str] = {}
    contacts = [r.id for r in page if r.kind == "contact"]
    persons = [r.id for r in page if r.kind == "person"]
    if contacts:
        rows = conn.execute(
            select(contact_email.c.contact_id, func.min(contact_email.c.email))
            .where(contact_email.c.org_id == org.id, contact_email.c.contact_id.in_(contacts))
            .group_by(contact_email.c.contact_id)
        )
        found.update({("contact", cid): email for cid, email in rows})
    if persons:
        rows = conn.execute(
            select(person_email.c.person_id, func.min(person_email.c.email))
            .where(person_email.c.org_id == org.id, person_email.c.person_id.in_(persons))
            .group_by(person_email.c.person_id)
        )
        found.update({("person", pid): email for pid, email in rows})
    return found
