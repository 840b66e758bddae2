"""Reaching a source's server before it is added: the login works, what it names is there."""

from __future__ import annotations

from collections.abc import Sequence

from tiegraph.connectors.caldav import CALENDAR
from tiegraph.connectors.carddav import ADDRESS_BOOK
from tiegraph.connectors.errors import ConnectorError
from tiegraph.connectors.google import GoogleClient
from tiegraph.connectors.graph import GraphClient
from tiegraph.connectors.imap import ImapMailbox
from tiegraph.connectors.webdav import DavClient
from tiegraph.errors import InvalidInputError
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.accounts import access_token
from tiegraph.services.sync.passwords import MissingPasswordError, password_for
from tiegraph.store import Store


def probe(
    kind: str,
    url: str,
    username: str,
    password: str | None,
    folders: Sequence[str],
    timeout: float,
    token: str | None = None,
) -> None:
    """Reach the server and find what the source names, or raise ConnectorError saying why."""
    if kind == "graph":
        assert token is not None
        with GraphClient(lambda _: token, base_url=url, timeout=timeout) as graph:
            graph.get(graph.url("/me/contacts"), {"$top": "1", "$select": "id"})
        return
    if kind == "google":
        assert token is not None
        with GoogleClient(lambda _: token, endpoint=url, timeout=timeout) as google:
            google.get(google.calendar_url("calendars/primary"), {"fields": "id"})
        return
    if kind == "imap":
        with ImapMailbox(url, username, password, timeout=timeout, token=token) as box:
            for folder in folders or (box.default_folder,):
                box.examine(folder)
        return
    bearer = None if token is None else (lambda _: token)
    with DavClient(url, username, password, timeout=timeout, token=bearer) as dav:
        dav.collections(ADDRESS_BOOK if kind == "carddav" else CALENDAR)


def check_with_password(
    kind: str,
    url: str,
    username: str,
    password: str | None,
    env: str | None,
    folders: Sequence[str],
    timeout: float,
) -> None:
    try:
        secret = password if password is not None else password_for(env, None)
    except MissingPasswordError as exc:
        raise InvalidInputError(
            f"source not added: {exc} here, so the server cannot be checked "
            "(set it, or add the source with --no-check)"
        ) from None
    try:
        probe(kind, url, username, secret, folders, timeout)
    except ConnectorError as exc:
        raise InvalidInputError(f"source not added: {exc}") from None


def check_with_token(
    store: Store,
    org: Org,
    account_id: int,
    kind: str,
    url: str,
    username: str,
    folders: Sequence[str],
    timeout: float,
) -> None:
    try:
        token = access_token(store, org, account_id)
        probe(kind, url, username, None, folders, timeout, token=token)
    except ConnectorError as exc:
        raise InvalidInputError(f"source not added: {exc}") from None
