"""Members: the colleagues whose address books and activity feed the graph; also persons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from tiegraph.core.emails import normalize_email
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.activity import summaries
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.overlaps import refresh_overlaps
from tiegraph.store.schema import member, member_address, person, person_email

ROLES = ("admin", "member")


@dataclass(frozen=True)
class Member:
    id: int
    org_id: int
    email: str
    name: str
    role: str
    person_id: int | None
    contact_sync: bool
    activity_sharing: bool
    addresses: tuple[str, ...] = ()


def _member(row: Row[Any], addresses: tuple[str, ...] = ()) -> Member:
    return Member(
        id=row.id,
        org_id=row.org_id,
        email=row.email,
        name=row.name,
        role=row.role,
        person_id=row.person_id,
        contact_sync=bool(row.contact_sync),
        activity_sharing=bool(row.activity_sharing),
        addresses=addresses or (row.email,),
    )


def checked_email(raw: str) -> str:
    email = normalize_email(raw)
    if email is None:
        raise InvalidInputError(f"{raw!r} is not an email address (expected e.g. ana@example.com)")
    return email


def _person_for(conn: Connection, org: Org, email: str, name: str) -> int:
    """The directory person with this email, or a new one: a member is also a person."""
    found = conn.execute(
        select(person_email.c.person_id).where(
            person_email.c.org_id == org.id, person_email.c.email == email
        )
    ).first()
    if found:
        return int(found.person_id)
    first, _, last = name.partition(" ")
    person_id = conn.execute(
        person.insert()
        .values(org_id=org.id, first_name=first, last_name=last, full_name=name, origin="member")
        .returning(person.c.id)
    ).scalar_one()
    conn.execute(person_email.insert().values(org_id=org.id, person_id=person_id, email=email))
    return int(person_id)


def add_member(
    store: Store,
    org: Org,
    *,
    email: str,
    name: str,
    role: str = "member",
    addresses: tuple[str, ...] = (),
    exist_ok: bool = False,
) -> Member:
    """Add a member (and the directory person they are); `addresses` are their other emails."""
    email = checked_email(email)
    extra = tuple(dict.fromkeys(checked_email(a) for a in addresses if a.strip()))
    name = " ".join(name.split())
    if not name:
        raise InvalidInputError("a member needs a name (--name 'Ana Lima')")
    if role not in ROLES:
        raise InvalidInputError(f"role {role!r} is not one of {', '.join(ROLES)}")
    with store.write() as conn:
        existing = find_member(conn, org, email)
        if existing is not None:
            if exist_ok:
                return existing
            raise InvalidInputError(f"{email} is already a member of {org.slug}")
        for address in (email, *extra):
            taken = conn.execute(
                select(member_address.c.member_id).where(
                    member_address.c.org_id == org.id, member_address.c.email == address
                )
            ).first()
            if taken:
                raise InvalidInputError(f"{address} already belongs to another member")
        person_id = _person_for(conn, org, email, name)
        member_id = conn.execute(
            member.insert()
            .values(
                org_id=org.id,
                person_id=person_id,
                email=email,
                name=name,
                role=role,
                activity_sharing=org.activity_sharing_default,
            )
            .returning(member.c.id)
        ).scalar_one()
        conn.execute(
            member_address.insert(),
            [{"org_id": org.id, "member_id": member_id, "email": a} for a in (email, *extra)],
        )
        refresh_overlaps(conn, org.id, [person_id])  # their history connects them now
        created = find_member(conn, org, email)
    assert created is not None
    return created


def find_member(conn: Connection, org: Org, email: str) -> Member | None:
    """The member owning this address (any of theirs), or None."""
    row = conn.execute(
        select(member)
        .join(member_address, same_org(member, member_address.c.member_id))
        .where(member_address.c.org_id == org.id, member_address.c.email == email)
    ).first()
    if row is None:
        return None
    return _member(row, _addresses(conn, org, row.id))


def get_member(store: Store, org: Org, email: str) -> Member:
    address = checked_email(email)
    with store.read() as conn:
        found = find_member(conn, org, address)
    if found is None:
        raise NotFoundError(f"{address} is not a member of {org.name}; an admin can add them")
    return found


def _addresses(conn: Connection, org: Org, member_id: int) -> tuple[str, ...]:
    rows = conn.execute(
        select(member_address.c.email)
        .where(member_address.c.org_id == org.id, member_address.c.member_id == member_id)
        .order_by(member_address.c.id)
    )
    return tuple(r.email for r in rows)


def list_members(store: Store, org: Org) -> list[Member]:
    with store.read() as conn:
        rows = conn.execute(
            select(member)
            .where(member.c.org_id == org.id, member.c.archived_at.is_(None))
            .order_by(member.c.name)
        ).all()
        addresses: dict[int, list[str]] = {}
        for a in conn.execute(
            select(member_address.c.member_id, member_address.c.email)
            .where(member_address.c.org_id == org.id)
            .order_by(member_address.c.id)
        ):
            addresses.setdefault(a.member_id, []).append(a.email)
    return [_member(r, tuple(addresses.get(r.id, ()))) for r in rows]


MIN_MEMBERS_FOR_CONTACT_SYNC = 2  # sharing contacts with nobody would only publish them


def member_from_row(row: Row[Any]) -> Member:
    """A Member from a `member` row read elsewhere (its other addresses are not loaded)."""
    return _member(row)


def member_by_id(store: Store, org: Org, member_id: int) -> Member:
    with store.read() as conn:
        row = conn.execute(
            select(member).where(member.c.org_id == org.id, member.c.id == member_id)
        ).first()
        if row is None:
            raise NotFoundError(f"no member {member_id} in {org.slug}")
        return _member(row, _addresses(conn, org, row.id))


def set_member_sharing(
    store: Store,
    org: Org,
    target: Member,
    *,
    contact_sync: bool | None = None,
    activity_sharing: bool | None = None,
) -> Member:
    """Turn a member's contact sync (opt-in) or activity sharing (opt-out) on or off.

    Turning contact sync off stops sharing new contacts; those already shared stay in the
    directory until archived. Turning activity sharing off hides the member's ties from
    colleagues at once (their own view is unchanged).
    """
    values: dict[str, bool] = {}
    with store.write() as conn:
        if contact_sync:
            members = conn.execute(
                select(func.count()).where(
                    member.c.org_id == org.id, member.c.archived_at.is_(None)
                )
            ).scalar_one()
            if members < MIN_MEMBERS_FOR_CONTACT_SYNC:
                raise InvalidInputError(
                    f"contact sync shares contacts with colleagues: it needs an organization of "
                    f"at least two members ({org.slug} has {members})"
                )
        if contact_sync is not None:
            values["contact_sync"] = contact_sync
        if activity_sharing is not None:
            values["activity_sharing"] = activity_sharing
        if values:
            conn.execute(
                member.update()
                .where(member.c.org_id == org.id, member.c.id == target.id)
                .values(**values)
            )
        if activity_sharing is not None:  # their ties enter or leave what every member sees
            summaries.refresh(conn, org, members=[target.id])
        updated = find_member(conn, org, target.email)
    assert updated is not None
    return updated


@dataclass(frozen=True)
class Leaving:
    """What `leave_member` did: the member, when they left, and whether it was just now."""

    member: Member
    left_at: datetime
    already: bool = False


def leave_member(store: Store, org: Org, target: Member) -> Leaving:
    """Mark a member as having left (a leaver): archived, never deleted.

    From then on they are never proposed as an introducer nor shown as a knower in any view
    (services/org/sharing.py); colleagues who also know those persons take over. Their ties,
    contacts and interactions are kept; the persons they knew stay in the directory; they can
    no longer sign in (password, tokens, single sign-on), their sync sources stop, and mail
    from their addresses is read as from anyone else's. Leaving twice changes nothing.
    """
    with store.write() as conn:
        row = conn.execute(
            select(member.c.archived_at).where(member.c.org_id == org.id, member.c.id == target.id)
        ).first()
        if row is None:
            raise NotFoundError(f"{target.email} is not a member of {org.slug}")
        if row.archived_at is not None:
            left = row.archived_at
            return Leaving(target, left if left.tzinfo else left.replace(tzinfo=UTC), True)
        now = datetime.now(UTC)
        conn.execute(
            member.update()
            .where(member.c.org_id == org.id, member.c.id == target.id)
            .values(archived_at=now)
        )
        summaries.refresh(conn, org, members=[target.id])  # a leaver's ties count for no one
    return Leaving(target, now)
