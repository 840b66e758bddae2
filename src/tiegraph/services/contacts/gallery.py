"""The contact gallery: the viewer's contacts and the directory in one grid, with saved columns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Float, and_, cast, func, literal, or_, select, union_all

from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts.properties import Property, _properties, values_of
from tiegraph.services.insights.person_ties import (
    STRENGTHS,
    PersonTies,
    known_at_least,
    summary,
    ties_of,
)
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import contacts_visible, persons_visible
from tiegraph.services.paging import Page, checked_window, count_of
from tiegraph.store import Store
from tiegraph.store.bulk import upsert_rows
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    company,
    contact,
    contact_email,
    custom_value,
    member_preference,
    person,
    person_email,
)

BUILTIN = ("name", "company", "title", "status", "email")
# Relationship columns (services/insights/person_ties.py): the strongest colleague the viewer
# may see, that tie's score, the last contact, how many colleagues know the person. Sorting by
# the colleague orders by that tie's score.
RELATION = ("colleague", "score", "last_contact", "knowers")
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


def _like(text: str) -> str:
    escaped = text.replace("\x00", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _sources(org: Org, viewer: Member, archived: bool, scope: str, emails: bool = True) -> Any:
    """Both kinds of row under the same columns, as one subquery. Without `emails` (no search
    or sort needs them) the email column is empty: `_first_emails` reads the page's only,
    instead of a subquery for every row of the directory."""
    contact_email_first = (
        select(func.min(contact_email.c.email))
        .where(contact_email.c.org_id == org.id, contact_email.c.contact_id == contact.c.id)
        .scalar_subquery()
    )
    person_email_first = (
        select(func.min(person_email.c.email))
        .where(person_email.c.org_id == org.id, person_email.c.person_id == person.c.id)
        .scalar_subquery()
    )
    state = contact.c.archived_at.is_not(None) if archived else contact.c.archived_at.is_(None)
    mine = select(
        literal("contact").label("kind"),
        contact.c.id.label("id"),
        contact.c.full_name.label("name"),
        contact.c.company.label("company"),
        contact.c.title.label("title"),
        contact.c.status.label("status"),
        (func.coalesce(contact_email_first, "") if emails else literal("")).label("email"),
        contact.c.person_id.label("person_id"),
        contact.c.created_at.label("created"),
    ).where(contact.c.org_id == org.id, contacts_visible(viewer), state)
    # A person the viewer already has as a matched contact shows once, as the contact.
    known = select(contact.c.person_id).where(
        contact.c.org_id == org.id,
        contact.c.member_id == viewer.id,
        contact.c.person_id.is_not(None),
        contact.c.archived_at.is_(None),
    )
    directory = (
        select(
            literal("person").label("kind"),
            person.c.id.label("id"),
            person.c.full_name.label("name"),
            func.coalesce(company.c.name, "").label("company"),
            person.c.title.label("title"),
            literal("directory").label("status"),
            (func.coalesce(person_email_first, "") if emails else literal("")).label("email"),
            person.c.id.label("person_id"),
            person.c.created_at.label("created"),
        )
        .outerjoin(company, same_org(company, person.c.company_id))
        .where(
            person.c.org_id == org.id,
            person.c.origin != "member",
            persons_visible(viewer),
            person.c.archived_at.is_not(None) if archived else person.c.archived_at.is_(None),
            person.c.id.not_in(known),
        )
    )
    parts = {"all": (mine, directory), "mine": (mine,), "directory": (directory,)}[scope]
    return union_all(*parts).subquery("rows") if len(parts) > 1 else parts[0].subquery("rows")


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
        rows = _sources(org, viewer, archived, scope, emails)
        stmt = _filtered(select(rows), rows, org, props, search, status, filters or {})
        if strength:
            stmt = stmt.where(known_at_least(org, viewer, rows.c.person_id, strength))
        total = count_of(conn, stmt)  # the relationship join changes no count: not counted
        related = None
        if sort in RELATION:
            related = summary(org, viewer)
            stmt = stmt.outerjoin(related, related.c.person_id == rows.c.person_id)
        stmt, key = _order(rows, stmt, sort, props, org, related)
        key = key.desc() if descending else key.asc()
        page = conn.execute(
            stmt.order_by(key.nulls_last(), rows.c.name, rows.c.kind, rows.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
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


def _filtered(
    stmt: Any,
    rows: Any,
    org: Org,
    props: Mapping[int, Property],
    search: str,
    status: str | None,
    filters: Mapping[int, str],
) -> Any:
    """The rows matching the search text, the status and every property filter."""
    if search.strip():
        like = _like(search.strip())
        stmt = stmt.where(
            or_(
                *(func.lower(rows.c[k]).like(like, escape="\\") for k in BUILTIN[:-2]),
                _email_like(rows, org, like),
            )
        )
    if status:
        stmt = stmt.where(rows.c.status == status)
    for property_id, wanted in filters.items():
        if property_id not in props:
            raise InvalidInputError(f"no property {property_id} to filter on")
        stmt = stmt.where(
            rows.c.kind == "contact",
            rows.c.id.in_(
                select(custom_value.c.contact_id).where(
                    custom_value.c.org_id == org.id,
                    custom_value.c.property_id == property_id,
                    func.lower(custom_value.c.value).like(_like(wanted), escape="\\"),
                )
            ),
        )
    return stmt


def _email_like(rows: Any, org: Org, like: str) -> Any:
    """Some email of the row matches: the matching addresses are found once (one pass over
    the emails), not a first email computed, nor a lookup made, for every row."""
    of_contacts = select(contact_email.c.contact_id).where(
        contact_email.c.org_id == org.id, contact_email.c.email.like(like, escape="\\")
    )
    of_persons = select(person_email.c.person_id).where(
        person_email.c.org_id == org.id, person_email.c.email.like(like, escape="\\")
    )
    return or_(
        and_(rows.c.kind == "contact", rows.c.id.in_(of_contacts)),
        and_(rows.c.kind == "person", rows.c.id.in_(of_persons)),
    )


def _order(
    rows: Any, stmt: Any, sort: str, props: Mapping[int, Property], org: Org, related: Any
) -> Any:
    if sort in RELATION:
        column = {"colleague": "score", "score": "score"}.get(sort, sort)
        return stmt, related.c[column]
    if sort in BUILTIN:
        return stmt, func.lower(rows.c[sort])
    if sort == "created":
        return stmt, rows.c.created
    prefix, _, raw_id = sort.partition(":")
    if prefix != "prop" or not raw_id.isdigit() or int(raw_id) not in props:
        raise InvalidInputError(f"cannot sort by {sort!r}")
    prop = props[int(raw_id)]
    value = custom_value.alias("sort_value")
    joined = stmt.outerjoin(
        value,
        and_(
            rows.c.kind == "contact",
            value.c.org_id == org.id,
            value.c.property_id == prop.id,
            value.c.contact_id == rows.c.id,
        ),
    )
    text = func.nullif(value.c.value, "")
    key = cast(text, Float) if prop.kind == "number" else func.lower(text)
    return joined, key
