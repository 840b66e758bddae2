"""Who may see what: the sharing rules every interface inherits (DESIGN.md §2.13).

- A member's contacts are theirs alone; other members see only directory persons (a contact
  becomes one when its owner publishes it or has contact sync on).
- A tie is visible to its own member always, and to other members only while its member has
  activity sharing on. A leaver's (an archived member's) ties are visible to nobody, not even
  the operator: they are kept, never shown, and colleagues who also know those persons take
  over.
- `viewer=None` is the operator's organization-wide view (the CLI without `--viewer`); the web
  app and the API always pass a viewer.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, true

from tiegraph.errors import ForbiddenError
from tiegraph.services.org.members import Member
from tiegraph.store.schema import contact, member


def ties_visible(viewer: Member | None) -> ColumnElement[bool]:
    """A condition on the `member` table: members whose ties this viewer may see."""
    if viewer is None:
        return member.c.archived_at.is_(None)
    return and_(
        member.c.archived_at.is_(None),
        or_(member.c.id == viewer.id, member.c.activity_sharing.is_(True)),
    )


def sees_ties_of(viewer: Member | None, member_id: int, activity_sharing: bool) -> bool:
    """The same rule as `ties_visible`, for a member row already in hand."""
    return viewer is None or member_id == viewer.id or activity_sharing


def contacts_visible(viewer: Member | None) -> ColumnElement[bool]:
    """A condition on the `contact` table: contacts this viewer may see (their own)."""
    if viewer is None:
        return true()
    return contact.c.member_id == viewer.id


def require_self(viewer: Member | None, owner: Member, what: str) -> None:
    """A member's own things (contacts, possible matches) are theirs alone to see."""
    if viewer is not None and viewer.id != owner.id:
        raise ForbiddenError(f"{what} are private: only {owner.email} can see them")
