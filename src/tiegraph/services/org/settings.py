"""An organization's settings: named JSON values kept in `organization.settings`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import organization


def read_setting(conn: Connection, org: Org, key: str) -> Any:
    """The value stored under `key`, or None."""
    settings = conn.execute(
        select(organization.c.settings).where(organization.c.id == org.id)
    ).scalar_one_or_none()
    return (settings or {}).get(key)


def get_setting(store: Store, org: Org, key: str) -> Any:
    with store.read() as conn:
        return read_setting(conn, org, key)


def put_setting(store: Store, org: Org, key: str, value: Any) -> None:
    """Store `value` under `key` (None removes it), leaving the other settings as they are."""
    with store.write() as conn:
        settings = dict(
            conn.execute(
                select(organization.c.settings).where(organization.c.id == org.id)
            ).scalar_one()
            or {}
        )
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
        conn.execute(
            organization.update().where(organization.c.id == org.id).values(settings=settings)
        )
