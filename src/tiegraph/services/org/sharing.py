"""Who may see what: the sharing rules every interface inherits (DESIGN.md §2.13).

- A member's contacts are theirs alone; other members see only directory persons (a contact
  becomes one when its owner publishes it or has contact sync on).
- A tie is visible to its own member always, and to other members only while its member has
  activity sharing on. A leaver's (an archived member's) ties are visible to nobody, not even
  the operator: they are kept, never shown, and colleagues who also know those persons take
  over.
- A person made from correspondence (origin "correspondence") exists for a viewer only through
  a tie the viewer may see: one known only from a member's unshared activity is not even a name
  to anyone else.
- `viewer=None` is the operator's organization-wide view (the CLI without `--viewer`); the web
  app and the API always pass a viewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, not_, or_, select, true

from tiegraph.errors import ForbiddenError
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store.bulk import IN_CHUNK
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import company, contact, member, person, tie


def ties_visible(viewer: Member | None) -> ColumnElement[bool]:
    """A condition on the `member` table: members whose ties this viewer may see."""
    if viewer is None:
        return member.c.archived_at.is_(None)
    return ties_seen_by(viewer.id)


def ties_seen_by(viewer_id: Any) -> ColumnElement[bool]:
    """`ties_visible` of a viewer given by id: a value, or a bound parameter of a statement
    built once."""
    return and_(
        member.c.archived_at.is_(None),
        or_(member.c.id == viewer_id, member.c.activity_sharing.is_(True)),
    )


def sees_ties_of(viewer: Member | None, member_id: int, activity_sharing: bool) -> bool:
    """The same rule as `ties_visible`, for a member row already in hand."""
    return viewer is None or member_id == viewer.id or activity_sharing


def persons_visible(viewer: Member | None) -> ColumnElement[bool]:
    """A condition on the `person` table: persons this viewer may see at all."""
    if viewer is None:
        return true()
    return persons_seen_by(viewer.id)


def persons_seen_by(viewer_id: Any) -> ColumnElement[bool]:
    """`persons_visible` of a viewer given by id: a value, or a bound parameter."""
    return _seen_through(ties_seen_by(viewer_id))


def persons_shared() -> ColumnElement[bool]:
    """A condition on the `person` table: persons every member may see (what an organization's
    shared things, such as lists, may name)."""
    return _seen_through(and_(member.c.archived_at.is_(None), member.c.activity_sharing.is_(True)))


def _seen_through(members: ColumnElement[bool]) -> ColumnElement[bool]:
    ties = (
        select(tie.c.person_id)
        .join(member, same_org(member, tie.c.member_id))
        .where(tie.c.org_id == person.c.org_id, tie.c.person_id == person.c.id, members)
    )
    return or_(person.c.origin != "correspondence", exists(ties))


def companies_visible(viewer: Member | None) -> ColumnElement[bool]:
    """A condition on the `company` table: a company made from a mail domain (inferred) shows
    only while it employs a person this viewer may see; others always show."""
    if viewer is None:
        return true()
    return companies_seen_by(viewer.id)


def companies_seen_by(viewer_id: Any) -> ColumnElement[bool]:
    """`companies_visible` of a viewer given by id: a value, or a bound parameter."""
    employs = select(person.c.id).where(
        person.c.org_id == company.c.org_id,
        person.c.company_id == company.c.id,
        person.c.archived_at.is_(None),
        persons_seen_by(viewer_id),
    )
    return or_(company.c.inferred.is_(False), exists(employs))


def hidden_persons(
    conn: Connection, org: Org, person_ids: Iterable[int], viewer: Member | None
) -> set[int]:
    """Those of `person_ids` this viewer may not see (`persons_visible`)."""
    if viewer is None:
        return set()
    ids = sorted(set(person_ids))
    hidden: set[int] = set()
    for start in range(0, len(ids), IN_CHUNK):
        hidden.update(
            conn.execute(
                select(person.c.id).where(
                    person.c.org_id == org.id,
                    person.c.id.in_(ids[start : start + IN_CHUNK]),
                    not_(persons_visible(viewer)),
                )
            ).scalars()
        )
    return hidden


def contacts_visible(viewer: Member | None) -> ColumnElement[bool]:
    """A condition on the `contact` table: contacts this viewer may see (their own)."""
    if viewer is None:
        return true()
    return contact.c.member_id == viewer.id


def require_self(viewer: Member | None, owner: Member, what: str) -> None:
    """A member's own things (contacts, possible matches) are theirs alone to see."""
    if viewer is not None and viewer.id != owner.id:
        raise ForbiddenError(f"{what} are private: only {owner.email} can see them")
