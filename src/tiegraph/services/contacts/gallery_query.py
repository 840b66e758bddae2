"""The gallery's rows in SQL: the viewer's contacts and the directory as two arms, each
filtered, counted and paged on its own, so that no statement sorts or counts their union.

A page is the first `offset + limit` rows of each arm in the page's order (an arm ordered by
name walks an index on it and stops), then those few rows merged and ordered once more by the
database, so the order is the database's own collation, exactly as one sorted union had it.
The total is both arms' counts, in one statement. Sorted by score, a page that rows with a
score fill walks the stored scores' index. A search of three characters or more takes its
candidates from trigram indexes: on SQLite an FTS5 index (store/search_index.py), on
PostgreSQL pg_trgm indexes (store/schema.py) on exactly the expressions its condition reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Float,
    and_,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    union_all,
)

from tiegraph.errors import InvalidInputError
from tiegraph.services.contacts.properties import Property
from tiegraph.services.insights.person_ties import known_at_least, summary
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.sharing import contacts_visible, persons_visible
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import (
    company,
    contact,
    contact_email,
    custom_value,
    person,
    person_email,
)
from tiegraph.store.search_index import PENDING

BUILTIN = ("name", "company", "title", "status", "email")
# Relationship columns (services/insights/person_ties.py): sorting by the colleague orders by
# that tie's score.
RELATION = ("colleague", "score", "last_contact", "knowers")
SCORED = ("colleague", "score")  # never null where a person has a row: an index walks them
ARM_NAMES = {False: "contact_rows", True: "person_rows"}
SEARCH_INDEXES = {"contact_rows": "contact_search", "person_rows": "person_search"}
TRIGRAM = 3  # pg_trgm finds a `LIKE '%w%'` by its index once w holds a whole trigram
AT_ONCE = 1000  # a search's page within its first rows is read with its count in one pass


@dataclass(frozen=True)
class Query:
    """What the viewer asked the gallery for (validated by the caller)."""

    org: Org
    viewer: Member
    props: Mapping[int, Property]
    search: str = ""
    status: str | None = None
    scope: str = "all"
    filters: Mapping[int, str] | None = None
    sort: str = "name"
    descending: bool = False
    archived: bool = False
    strength: str | None = None
    emails: bool = False  # the email column read in SQL (search or sort need it)
    trigram: bool = False  # the trigram indexes are there (PostgreSQL: store/schema.py)
    indexed: bool = False  # the search index is there (SQLite: store/search_index.py)


def counted_page(conn: Connection, q: Query, limit: int, offset: int) -> tuple[int, Sequence[Any]]:
    """The total and one page of rows (kind, id, name, company, title, status, email,
    person_id, created) in the order asked, ties broken by name, kind and id."""
    related = summary(q.org, q.viewer) if q.sort in RELATION else None
    arms = [_filtered(q, rows) for rows in _arms(q)]
    # A search matches few rows but reads them all: each arm is read once, counting as it
    # goes, and the page is cut here from the first rows of each (the database's order).
    at_once = bool(q.search.strip()) and offset + limit <= AT_ONCE
    parts = []
    for arm, (stmt, rows) in enumerate(arms):
        if related is not None:
            stmt = stmt.outerjoin(related, related.c.person_id == rows.c.person_id)
        if at_once:
            stmt = stmt.add_columns(
                literal(arm).label("arm"), func.count().over().label("arm_total")
            )
        parts.append(_part(q, rows, *_order(q, rows, stmt, related), offset + limit))
    ordered = _merged(q, parts)
    if at_once:
        rows = conn.execute(ordered).all()
        total = sum({r.arm: r.arm_total for r in rows}.values())
        return int(total), rows[offset : offset + limit]
    # Counted without the columns no condition reads: no join to the employer to count persons.
    lean = arms if q.search.strip() else [_filtered(q, rows) for rows in _arms(q, lean=True)]
    total = conn.execute(select(sum((_count(stmt) for stmt, _ in lean), literal(0)))).scalar_one()
    scored = _scored_first(conn, q, arms, related, offset + limit) if q.sort in SCORED else None
    if scored is not None:
        return int(total), scored[offset:]
    return int(total), conn.execute(ordered.limit(limit).offset(offset)).all()


def _merged(q: Query, parts: Sequence[Any]) -> Any:
    """The parts' rows merged, in the page's order."""
    merged = union_all(*(select(p) for p in parts)).subquery("page") if len(parts) > 1 else parts[0]
    return _ordered(select(merged), merged, merged.c.sort_key, q.descending)


def _scored_first(
    conn: Connection, q: Query, arms: Sequence[Any], related: Any, size: int
) -> Sequence[Any] | None:
    """Sorted by score, the first `size` rows when that many have one: every row with a
    score comes before every row without (nulls last), so each arm's rows with a score are
    walked down the stored scores' index and stop; None when they do not fill the page."""
    parts = []
    for stmt, rows in arms:
        # The directory: `+ 0` keeps the database from reading every person and sorting them
        # all; the scores drive, each person is found by its key. The viewer's own contacts
        # are few: they drive, each finds its score by its key.
        key = related.c.person_id + 0 if rows.name == ARM_NAMES[True] else related.c.person_id
        joined = stmt.join(related, key == rows.c.person_id)
        # No NULLS LAST: the join leaves no null score, and PostgreSQL walks an ascending
        # index backwards only in DESC NULLS FIRST order.
        parts.append(_part(q, rows, joined, related.c.score, size, nullable=False))
    found = conn.execute(_merged(q, parts).limit(size)).all()
    return found if len(found) == size else None


def _part(q: Query, rows: Any, stmt: Any, key: Any, size: int, nullable: bool = True) -> Any:
    """The first `size` rows of one part in the page's order, with their sort key."""
    return (
        _ordered(stmt.add_columns(key.label("sort_key")), rows, key, q.descending, nullable)
        .limit(size)
        .subquery()
    )


def _ordered(stmt: Any, rows: Any, key: Any, descending: bool, nullable: bool = True) -> Any:
    key = key.desc() if descending else key.asc()
    return stmt.order_by(key.nulls_last() if nullable else key, rows.c.name, rows.c.kind, rows.c.id)


def _count(stmt: Any) -> Any:
    return select(func.count()).select_from(stmt.subquery()).scalar_subquery()


def like(text: str) -> str:
    escaped = text.replace("\x00", "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def _arms(q: Query, lean: bool = False) -> list[Any]:
    """The scope's arms under the same columns, each a subquery. Without `emails` (no search
    or sort needs them) the email column is empty: the caller reads the page's only; `lean`
    (counting without a search) leaves the company empty too."""
    org, viewer, archived = q.org, q.viewer, q.archived
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
        (func.coalesce(contact_email_first, "") if q.emails and not lean else literal("")).label(
            "email"
        ),
        contact.c.person_id.label("person_id"),
        contact.c.created_at.label("created"),
        contact.c.name_sort.label("name_sort"),
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
            (literal("") if lean else func.coalesce(company.c.name, "")).label("company"),
            person.c.title.label("title"),
            literal("directory").label("status"),
            (func.coalesce(person_email_first, "") if q.emails and not lean else literal("")).label(
                "email"
            ),
            person.c.id.label("person_id"),
            person.c.created_at.label("created"),
            person.c.name_sort.label("name_sort"),
        )
        .select_from(
            person if lean else person.outerjoin(company, same_org(company, person.c.company_id))
        )
        .where(
            person.c.org_id == org.id,
            person.c.origin != "member",
            persons_visible(viewer),
            person.c.archived_at.is_not(None) if archived else person.c.archived_at.is_(None),
            person.c.id.not_in(known),
        )
    )
    arms = {"all": (mine, directory), "mine": (mine,), "directory": (directory,)}[q.scope]
    return [arm.subquery(ARM_NAMES[arm is directory]) for arm in arms]


def _filtered(q: Query, rows: Any) -> tuple[Any, Any]:
    """The arm's rows matching the search text, the status, the strength and every property
    filter: (statement, the arm's subquery)."""
    stmt = select(rows)
    if q.search.strip():
        pattern = like(q.search.strip())
        long_enough = len(_needle(q.search)) >= TRIGRAM
        if q.trigram and long_enough:
            stmt = stmt.where(rows.c.id.in_(_trigram_hits(rows, q.org, pattern)))
        indexed = q.indexed and long_enough
        if indexed:
            stmt = stmt.where(rows.c.id.in_(_index_hits(rows, q.org, q.search)))
        stmt = stmt.where(
            or_(
                *(func.lower(rows.c[k]).like(pattern, escape="\\") for k in BUILTIN[:-2]),
                (_email_of_row if indexed else _email_like)(rows, q.org, pattern),
            )
        )
    if q.status:
        stmt = stmt.where(rows.c.status == q.status)
    for property_id, wanted in (q.filters or {}).items():
        if property_id not in q.props:
            raise InvalidInputError(f"no property {property_id} to filter on")
        stmt = stmt.where(
            rows.c.kind == "contact",
            rows.c.id.in_(
                select(custom_value.c.contact_id).where(
                    custom_value.c.org_id == q.org.id,
                    custom_value.c.property_id == property_id,
                    func.lower(custom_value.c.value).like(like(wanted), escape="\\"),
                )
            ),
        )
    if q.strength:
        stmt = stmt.where(known_at_least(q.org, q.viewer, rows.c.person_id, q.strength))
    return stmt, rows


def _needle(search: str) -> str:
    return search.strip().replace("\x00", "").lower()


def _index_hits(rows: Any, org: Org, search: str) -> Any:
    """The ids of the arm's rows holding the search text by the FTS5 index, and those whose
    index row a write has yet to refresh: a superset of the rows the search's own condition
    matches, which then picks among them."""
    index = table(SEARCH_INDEXES[rows.name], column("rowid"), column("org_id"))
    pending = table(PENDING, column("org_id"), column("kind"), column("id"))
    phrase = '"' + _needle(search).replace('"', '""') + '"'
    kind = "contact" if rows.name == ARM_NAMES[False] else "person"
    return union_all(
        select(index.c.rowid).where(
            literal_column(index.name).op("MATCH")(phrase), index.c.org_id == org.id
        ),
        select(pending.c.id).where(pending.c.org_id == org.id, pending.c.kind == kind),
    )


def _email_of_row(rows: Any, org: Org, pattern: str) -> Any:
    """Some email of the row matches, looked up for this row: the index left few rows."""
    emails, key = (
        (contact_email, contact_email.c.contact_id)
        if rows.name == ARM_NAMES[False]
        else (person_email, person_email.c.person_id)
    )
    return exists().where(
        emails.c.org_id == org.id, key == rows.c.id, emails.c.email.like(pattern, escape="\\")
    )


def _trigram_hits(rows: Any, org: Org, pattern: str) -> Any:
    """The ids of the arm's rows that a searched column or an email of matches: the rows the
    search's own condition matches, each part found by a trigram index on the very expression
    that condition reads (the condition still applies: the two cannot disagree). One OR per
    table lets PostgreSQL combine that table's indexes; the union joins the tables'."""
    if rows.name == ARM_NAMES[False]:
        texts: tuple[Any, ...] = (
            contact.c.name_sort,
            func.lower(contact.c.company),
            func.lower(contact.c.title),
        )
        return union_all(
            select(contact.c.id).where(
                contact.c.org_id == org.id, or_(*(t.like(pattern, escape="\\") for t in texts))
            ),
            select(contact_email.c.contact_id).where(
                contact_email.c.org_id == org.id, contact_email.c.email.like(pattern, escape="\\")
            ),
        )
    texts = (person.c.name_sort, func.lower(person.c.title))
    return union_all(
        select(person.c.id).where(
            person.c.org_id == org.id, or_(*(t.like(pattern, escape="\\") for t in texts))
        ),
        select(person.c.id)
        .select_from(person.join(company, same_org(company, person.c.company_id)))
        .where(person.c.org_id == org.id, func.lower(company.c.name).like(pattern, escape="\\")),
        select(person_email.c.person_id).where(
            person_email.c.org_id == org.id, person_email.c.email.like(pattern, escape="\\")
        ),
    )


def _email_like(rows: Any, org: Org, pattern: str) -> Any:
    """Some email of the row matches: the matching addresses are found once (one pass over
    the emails), not a first email computed, nor a lookup made, for every row."""
    of_contacts = select(contact_email.c.contact_id).where(
        contact_email.c.org_id == org.id, contact_email.c.email.like(pattern, escape="\\")
    )
    of_persons = select(person_email.c.person_id).where(
        person_email.c.org_id == org.id, person_email.c.email.like(pattern, escape="\\")
    )
    return or_(
        and_(rows.c.kind == "contact", rows.c.id.in_(of_contacts)),
        and_(rows.c.kind == "person", rows.c.id.in_(of_persons)),
    )


def _order(q: Query, rows: Any, stmt: Any, related: Any) -> tuple[Any, Any]:
    sort = q.sort
    if sort in RELATION:
        column = {"colleague": "score", "last_contact": "last_at"}.get(sort, sort)
        return stmt, related.c[column]
    if sort == "name":  # lower(name), generated and indexed (store/schema.py)
        return stmt, rows.c.name_sort
    if sort in BUILTIN:
        return stmt, func.lower(rows.c[sort])
    if sort == "created":
        return stmt, rows.c.created
    prefix, _, raw_id = sort.partition(":")
    if prefix != "prop" or not raw_id.isdigit() or int(raw_id) not in q.props:
        raise InvalidInputError(f"cannot sort by {sort!r}")
    prop = q.props[int(raw_id)]
    value = custom_value.alias("sort_value")
    joined = stmt.outerjoin(
        value,
        and_(
            rows.c.kind == "contact",
            value.c.org_id == q.org.id,
            value.c.property_id == prop.id,
            value.c.contact_id == rows.c.id,
        ),
    )
    text = func.nullif(value.c.value, "")
    key = cast(text, Float) if prop.kind == "number" else func.lower(text)
    return joined, key
