"""Sync sources: a member's CardDAV address book, CalDAV calendar or IMAP mailbox, read one way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Row, select

from tiegraph.connectors.errors import ConnectorError
from tiegraph.connectors.imap import url_mechanism
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.accounts import load_account
from tiegraph.services.sync.passwords import (
    checked_env_name,
    seal,
)
from tiegraph.services.sync.probes import check_with_password, check_with_token
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import connected_account, member, sync_source

KINDS = ("carddav", "caldav", "imap", "graph", "google")
SCHEMES = {
    "carddav": ("http", "https"),
    "caldav": ("http", "https"),
    "imap": ("imap", "imaps"),
    "graph": ("https", "http"),  # https://graph.microsoft.com/v1.0, or a national cloud's
    "google": ("https", "http"),  # https://www.googleapis.com/, or a proxy's endpoint
}
DEFAULT_INTERVAL = 10
MIN_INTERVAL, MAX_INTERVAL = 5, 60


@dataclass(frozen=True)
class SyncSettings:
    """How a sync talks to servers and how much it commits at a time."""

    timeout: float = 30.0  # seconds a server may take to answer one request
    dav_batch: int = 500  # vCards or events per fetch and per transaction
    mail_batch: int = 1000  # messages per fetch and per transaction
    calendar_past: timedelta = timedelta(days=365)  # meetings older than this are not read


@dataclass(frozen=True)
class SyncSource:
    """One source as stored; the password itself is never part of it."""

    id: int
    org_id: int
    member_id: int
    member_email: str
    kind: str
    url: str
    username: str
    password_env: str | None
    password_sealed: str | None = field(repr=False)
    folders: tuple[str, ...]
    interval_minutes: int
    cursor: dict[str, Any] = field(repr=False)
    items_taken: int
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int
    next_run_at: datetime | None
    account_id: int | None = None  # logs in with this connected account's OAuth token
    account_status: str | None = None  # "connected" or "reconnect"

    @property
    def password_kind(self) -> str:
        if self.account_id is not None:
            return f"OAuth account #{self.account_id}"
        if self.password_sealed:
            return "sealed"
        return f"env {self.password_env}" if self.password_env else "none"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "member": self.member_email,
            "kind": self.kind,
            "url": self.url,
            "username": self.username,
            "password": self.password_kind,
            "folders": list(self.folders),
            "interval_minutes": self.interval_minutes,
            "items_taken": self.items_taken,
            "last_success_at": _iso(self.last_success_at),
            "last_error": self.last_error,
            "last_error_at": _iso(self.last_error_at),
            "failures": self.failures,
            "next_run_at": _iso(self.next_run_at),
            "account": self.account_id,
            "account_status": self.account_status,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def aware(moment: datetime | None) -> datetime | None:
    # SQLite hands datetimes back without their zone; everything is stored in UTC.
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def source_of(row: Row[Any]) -> SyncSource:
    return SyncSource(
        id=row.id,
        org_id=row.org_id,
        member_id=row.member_id,
        member_email=row.member_email,
        kind=row.kind,
        url=row.url,
        username=row.username,
        password_env=row.password_env,
        password_sealed=row.password_sealed,
        folders=tuple(row.folders or ()),
        interval_minutes=row.interval_minutes,
        cursor=dict(row.cursor or {}),
        items_taken=int(row.items_taken),
        last_success_at=aware(row.last_success_at),
        last_error=row.last_error,
        last_error_at=aware(row.last_error_at),
        failures=int(row.failures),
        next_run_at=aware(row.next_run_at),
        account_id=row.account_id,
        account_status=row.account_status,
    )


def select_sources(org_id: int | None = None) -> Any:
    """Active sources of active members (of one organization, or all), oldest first."""
    query = (
        select(
            sync_source,
            member.c.email.label("member_email"),
            connected_account.c.status.label("account_status"),
        )
        .join(member, same_org(member, sync_source.c.member_id))
        .outerjoin(connected_account, same_org(connected_account, sync_source.c.account_id))
        .where(sync_source.c.archived_at.is_(None), member.c.archived_at.is_(None))
        .order_by(sync_source.c.id)
    )
    return query if org_id is None else query.where(sync_source.c.org_id == org_id)


def list_sources(store: Store, org: Org) -> list[SyncSource]:
    with store.read() as conn:
        return [source_of(r) for r in conn.execute(select_sources(org.id))]


def load_source(conn: Connection, org_id: int, source_id: int) -> SyncSource:
    row = conn.execute(select_sources(org_id).where(sync_source.c.id == source_id)).first()
    if row is None:
        raise NotFoundError(f"no sync source {source_id} (see `tiegraph sync list`)")
    return source_of(row)


def checked_url(kind: str, url: str) -> str:
    if kind not in KINDS:
        raise InvalidInputError(f"--kind {kind!r}: use one of {', '.join(KINDS)}")
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES[kind] or not parts.hostname:
        schemes = " or ".join(f"{s}://" for s in SCHEMES[kind])
        raise InvalidInputError(f"--url {url!r}: a {kind} source needs a {schemes} URL")
    if kind == "imap" and parts.username and parts.username.upper().startswith(";AUTH="):
        try:
            url_mechanism(url.strip())  # RFC 5092's ;AUTH=: the OAuth login to use
        except ConnectorError as exc:
            raise InvalidInputError(f"--url {exc}") from None
    elif parts.username or parts.password:
        raise InvalidInputError(
            "--url must not hold credentials: give --username, and the password "
            "through --password-env or a sealed password"
        )
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise InvalidInputError(f"--url {url!r}: the port is not a number") from None
    return url.strip()


def checked_interval(minutes: int) -> int:
    if not MIN_INTERVAL <= minutes <= MAX_INTERVAL:
        raise InvalidInputError(
            f"--interval {minutes}: choose between {MIN_INTERVAL} and {MAX_INTERVAL} minutes"
        )
    return minutes


def _account_login(
    store: Store,
    org: Org,
    owner: Member,
    account_id: int,
    kind: str,
    secret: str | None,
    username: str,
) -> str:
    if secret:
        raise InvalidInputError("give a password or --account, not both")
    with store.read() as conn:
        account = load_account(conn, org.id, account_id)
    if account.member_id != owner.id:
        raise InvalidInputError(f"account {account_id} is not {owner.email}'s")
    login = username or account.login
    if not login:
        raise InvalidInputError(f"account {account_id} names no login: give --username")
    return login


def add_source(
    store: Store,
    org: Org,
    owner: Member,
    *,
    kind: str,
    url: str,
    username: str = "",
    password_env: str | None = None,
    password: str | None = None,
    folders: Sequence[str] = (),
    interval_minutes: int = DEFAULT_INTERVAL,
    check: bool = True,
    settings: SyncSettings = SyncSettings(),
    account_id: int | None = None,
) -> SyncSource:
    """Add a source; with `check`, the server must answer and hold what the source names.

    `password` is sealed with the server secret before it is stored; `password_env` stores
    only the variable's name; `account_id` names the owner's connected account whose OAuth
    token logs in instead (its login is the default username).
    """
    url = checked_url(kind, url)
    interval_minutes = checked_interval(interval_minutes)
    if password_env is not None and password is not None:
        raise InvalidInputError("give --password-env or a sealed password, not both")
    if folders and kind != "imap":
        raise InvalidInputError("--folder is for imap sources only")
    env = checked_env_name(password_env) if password_env is not None else None
    sealed = seal(password) if password is not None else None
    if kind == "graph" and account_id is None:
        raise InvalidInputError(
            "a graph source reads a connected Microsoft account: give --account"
        )
    if kind == "imap" and account_id is None and urlsplit(url).username:
        raise InvalidInputError("--url: ;AUTH= names an OAuth login, so it goes with --account")
    if account_id is not None:
        username = _account_login(store, org, owner, account_id, kind, env or sealed, username)
        if check:
            check_with_token(store, org, account_id, kind, url, username, folders, settings.timeout)
    elif check:
        check_with_password(kind, url, username, password, env, folders, settings.timeout)
    with store.write() as conn:
        source_id = conn.execute(
            sync_source.insert()
            .values(
                org_id=org.id,
                member_id=owner.id,
                kind=kind,
                url=url,
                username=username,
                password_env=env,
                password_sealed=sealed,
                folders=list(folders),
                interval_minutes=interval_minutes,
                cursor={},
                account_id=account_id,
            )
            .returning(sync_source.c.id)
        ).scalar_one()
        return load_source(conn, org.id, int(source_id))


def archive_source(store: Store, org: Org, source_id: int) -> SyncSource:
    """Stop syncing a source; what it brought stays (nothing is deleted)."""
    with store.write() as conn:
        found = load_source(conn, org.id, source_id)
        conn.execute(
            sync_source.update()
            .where(sync_source.c.org_id == org.id, sync_source.c.id == source_id)
            .values(archived_at=datetime.now(UTC))
        )
    return found
