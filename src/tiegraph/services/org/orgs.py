"""Organizations: the default one a solo user never names, and the others chosen by --org."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, select

from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.store import Store
from tiegraph.store.schema import member, organization, person

DEFAULT_SLUG = "default"
DEFAULT_NAME = "My organization"
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# A new organization has no ties, so its stored nurture suggestions are complete from the start
# (services/activity/nurture_store.py); one from before migration 0023 waits for a refresh.
NURTURE_STORED = "nurture_stored"


def _new_settings() -> dict[str, Any]:
    return {NURTURE_STORED: True}


@dataclass(frozen=True)
class Org:
    id: int
    slug: str
    name: str
    activity_sharing_default: bool


@dataclass(frozen=True)
class OrgSummary:
    org: Org
    members: int
    persons: int


def _org(row: Row[Any]) -> Org:
    return Org(
        id=row.id,
        slug=row.slug,
        name=row.name,
        activity_sharing_default=bool(row.activity_sharing_default),
    )


def _find(conn: Connection, slug: str) -> Org | None:
    row = conn.execute(select(organization).where(organization.c.slug == slug)).first()
    return _org(row) if row else None


def validate_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not _SLUG.match(slug):
        raise InvalidInputError(
            f"organization name {slug!r} is not valid: use 1-64 lowercase letters, digits and "
            "hyphens, e.g. 'acme' or 'acme-sales'"
        )
    return slug


def create_org(store: Store, slug: str, name: str | None = None) -> Org:
    slug = validate_slug(slug)
    with store.write() as conn:
        if _find(conn, slug):
            raise InvalidInputError(f"organization {slug!r} already exists")
        conn.execute(
            organization.insert().values(slug=slug, name=name or slug, settings=_new_settings())
        )
        org = _find(conn, slug)
    assert org is not None
    return org


def resolve_org(store: Store, slug: str | None = None) -> Org:
    """The organization named by --org; without one, the default (created on first use)."""
    if slug:
        with store.read() as conn:
            org = _find(conn, slug.strip().lower())
        if org is None:
            raise NotFoundError(
                f"no organization {slug!r}; see `tiegraph org list` or create it with "
                f"`tiegraph org create {slug}`"
            )
        return org
    with store.read() as conn:
        org = _find(conn, DEFAULT_SLUG)
    if org is not None:
        return org
    with store.write() as conn:
        if _find(conn, DEFAULT_SLUG) is None:
            conn.execute(
                organization.insert().values(
                    slug=DEFAULT_SLUG, name=DEFAULT_NAME, settings=_new_settings()
                )
            )
        org = _find(conn, DEFAULT_SLUG)
    assert org is not None
    return org


def rename_org(store: Store, org: Org, name: str) -> Org:
    with store.write() as conn:
        conn.execute(organization.update().where(organization.c.id == org.id).values(name=name))
        renamed = _find(conn, org.slug)
    assert renamed is not None
    return renamed


def list_orgs(store: Store) -> list[OrgSummary]:
    members = (
        select(func.count())
        .where(member.c.org_id == organization.c.id, member.c.archived_at.is_(None))
        .scalar_subquery()
    )
    persons = (
        select(func.count())
        .where(person.c.org_id == organization.c.id, person.c.archived_at.is_(None))
        .scalar_subquery()
    )
    with store.read() as conn:
        rows = conn.execute(
            select(organization, members.label("members"), persons.label("persons")).order_by(
                organization.c.slug
            )
        ).all()
    return [OrgSummary(org=_org(r), members=r.members, persons=r.persons) for r in rows]


def set_activity_sharing_default(store: Store, org: Org, on: bool) -> Org:
    """What activity sharing new members start with (on: opt-out); existing members keep theirs."""
    with store.write() as conn:
        conn.execute(
            organization.update()
            .where(organization.c.id == org.id)
            .values(activity_sharing_default=on)
        )
        updated = _find(conn, org.slug)
    assert updated is not None
    return updated


def org_from_row(row: Row[Any]) -> Org:
    """An Org from an `organization` row read elsewhere."""
    return _org(row)
