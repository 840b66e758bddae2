"""Custom properties: the organization's own columns of the contact gallery, and their values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.bulk import IN_CHUNK, upsert_rows
from tiegraph.store.schema import contact, custom_property, custom_value

KINDS = ("text", "number", "date", "choice")
MAX_VALUE = 2_000


@dataclass(frozen=True)
class Property:
    id: int
    name: str
    kind: str
    choices: tuple[str, ...]
    position: int


def _property(r: Any) -> Property:
    return Property(r.id, r.name, r.kind, tuple(r.choices or ()), r.position)


def list_properties(store: Store, org: Org) -> list[Property]:
    with store.read() as conn:
        return _properties(conn, org)


def _properties(conn: Connection, org: Org) -> list[Property]:
    rows = conn.execute(
        select(custom_property)
        .where(custom_property.c.org_id == org.id, custom_property.c.archived_at.is_(None))
        .order_by(custom_property.c.position, custom_property.c.id)
    )
    return [_property(r) for r in rows]


def create_property(
    store: Store,
    org: Org,
    *,
    name: str,
    kind: str = "text",
    choices: Sequence[str] = (),
    created_by: Member | None = None,
) -> Property:
    """A new column; one deleted before under the same name comes back with its values (and
    belongs to whoever brings it back)."""
    name = " ".join(name.replace("\x00", "").split())
    if not 1 <= len(name) <= 100:
        raise InvalidInputError("a property needs a name of 1 to 100 characters")
    if kind not in KINDS:
        raise InvalidInputError(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    options = list(dict.fromkeys(c.strip() for c in choices if c.strip()))
    if kind == "choice" and not options:
        raise InvalidInputError("a choice property needs at least one choice")
    with store.write() as conn:
        existing = conn.execute(
            select(custom_property).where(
                custom_property.c.org_id == org.id, custom_property.c.name == name
            )
        ).first()
        if existing is not None and existing.archived_at is None:
            raise InvalidInputError(f"there is already a property named {name!r}")
        position = conn.execute(
            select(func.coalesce(func.max(custom_property.c.position), 0) + 1).where(
                custom_property.c.org_id == org.id
            )
        ).scalar_one()
        values = {
            "kind": kind,
            "choices": options,
            "position": position,
            "archived_at": None,
            "created_by": created_by.id if created_by else None,
        }
        if existing is not None:
            conn.execute(
                custom_property.update().where(custom_property.c.id == existing.id).values(**values)
            )
            property_id = existing.id
        else:
            property_id = conn.execute(
                custom_property.insert()
                .values(org_id=org.id, name=name, **values)
                .returning(custom_property.c.id)
            ).scalar_one()
        row = conn.execute(select(custom_property).where(custom_property.c.id == property_id)).one()
    return _property(row)


def archive_property(
    store: Store, org: Org, property_id: int, viewer: Member | None = None
) -> None:
    """Delete a column from the gallery: archived, its values kept. Its maker or an admin may
    (`viewer` None: the operator, from the command line)."""
    with store.write() as conn:
        maker = conn.execute(
            select(custom_property.c.created_by).where(
                custom_property.c.org_id == org.id, custom_property.c.id == property_id
            )
        ).first()
        if maker is None:
            raise NotFoundError(f"no property {property_id}")
        if viewer is not None and viewer.role != "admin" and maker.created_by != viewer.id:
            raise ForbiddenError("only the member who made this column or an admin can delete it")
        done = conn.execute(
            custom_property.update()
            .where(
                custom_property.c.org_id == org.id,
                custom_property.c.id == property_id,
                custom_property.c.archived_at.is_(None),
            )
            .values(archived_at=datetime.now(UTC))
        )
        if done.rowcount == 0:
            raise NotFoundError(f"no property {property_id}")


def checked_value(prop: Property, raw: str) -> str:
    """The value as stored for this kind of property, or an InvalidInputError saying why not."""
    value = raw.replace("\x00", "").strip()
    if len(value) > MAX_VALUE:
        raise InvalidInputError(f"a value holds at most {MAX_VALUE} characters")
    if not value:
        return ""
    if prop.kind == "number":
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            raise InvalidInputError(f"{prop.name}: {value!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise InvalidInputError(f"{prop.name}: {value!r} is not a number")
        return repr(number) if not number.is_integer() else str(int(number))
    if prop.kind == "date":
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise InvalidInputError(f"{prop.name}: {value!r} is not a date (YYYY-MM-DD)") from None
    if prop.kind == "choice" and value not in prop.choices:
        raise InvalidInputError(f"{prop.name}: choose one of {', '.join(prop.choices)}")
    return value


def set_value(
    store: Store, org: Org, owner: Member, contact_id: int, property_id: int, raw: str
) -> str:
    """Set one cell of the owner's own contact; an empty value clears it."""
    with store.write() as conn:
        props = {p.id: p for p in _properties(conn, org)}
        if property_id not in props:
            raise NotFoundError(f"no property {property_id}")
        owned = conn.execute(
            select(contact.c.id).where(
                contact.c.org_id == org.id,
                contact.c.id == contact_id,
                contact.c.member_id == owner.id,
            )
        ).first()
        if owned is None:
            raise NotFoundError(f"no contact {contact_id} in {owner.email}'s address book")
        value = checked_value(props[property_id], raw)
        row = {"org_id": org.id, "property_id": property_id, "contact_id": contact_id}
        upsert_rows(conn, custom_value, [row | {"value": value}], key=tuple(row), update=["value"])
    return value


def values_of(conn: Connection, org: Org, contact_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """Every stored value of these contacts: {contact id: {property id: value}}."""
    found: dict[int, dict[int, str]] = {}
    for start in range(0, len(contact_ids), IN_CHUNK):
        rows = conn.execute(
            select(custom_value).where(
                custom_value.c.org_id == org.id,
                custom_value.c.contact_id.in_(list(contact_ids[start : start + 900])),
            )
        )
        for r in rows:
            found.setdefault(r.contact_id, {})[r.property_id] = r.value
    return found
