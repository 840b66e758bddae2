"""Connected accounts: a member's grant at Google, Microsoft or another provider, tokens sealed.

Connecting stores the tokens sealed with the server secret; `access_token` hands a sync the
access token, refreshed first when it expires within REFRESH_MARGIN. A grant the provider no
longer honours (invalid_grant) marks the account "reconnect": shown on the member's settings
page and in `sync status`, and every sync using it fails with that word until the member
connects again.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, or_, select

from tiegraph.connectors import oauth
from tiegraph.connectors.errors import ConnectorError
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.account_apps import AccountApp, get_app, oauth_client
from tiegraph.services.sync.passwords import MissingPasswordError, seal, unseal
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import connected_account, member

logger = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
# How long one refresher may take before another may try (the provider's timeouts are shorter);
# those who wait look again every REFRESH_POLL seconds.
REFRESH_LEASE = timedelta(seconds=4 * oauth.TIMEOUT)
REFRESH_POLL = 0.1
CONNECTED, RECONNECT = "connected", "reconnect"


class ReconnectError(ConnectorError):
    """The account's grant is gone: the member has to connect it again."""


@dataclass(frozen=True)
class ConnectedAccount:
    """One account as stored; the tokens themselves are never part of it."""

    id: int
    org_id: int
    member_id: int
    member_email: str
    provider: str
    subject: str
    email: str
    scope: str
    expires_at: datetime | None
    status: str
    status_reason: str | None
    refreshed_at: datetime | None
    access_sealed: str | None = field(repr=False)
    refresh_sealed: str | None = field(repr=False)

    @property
    def login(self) -> str:
        """The name the account signs in to IMAP with: its email, or its subject."""
        return self.email or self.subject

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "member": self.member_email,
            "provider": self.provider,
            "account": self.login,
            "scope": self.scope,
            "status": self.status,
            "status_reason": self.status_reason,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "refreshed_at": self.refreshed_at.isoformat() if self.refreshed_at else None,
        }


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _account(row: Row[Any]) -> ConnectedAccount:
    return ConnectedAccount(
        row.id,
        row.org_id,
        row.member_id,
        row.member_email,
        row.provider,
        row.subject,
        row.email,
        row.scope,
        _aware(row.expires_at),
        row.status,
        row.status_reason,
        _aware(row.refreshed_at),
        row.access_sealed,
        row.refresh_sealed,
    )


def _select(org_id: int) -> Any:
    return (
        select(connected_account, member.c.email.label("member_email"))
        .join(member, same_org(member, connected_account.c.member_id))
        .where(connected_account.c.org_id == org_id, connected_account.c.archived_at.is_(None))
        .order_by(connected_account.c.id)
    )


def list_accounts(store: Store, org: Org, owner: Member | None = None) -> list[ConnectedAccount]:
    query = _select(org.id)
    if owner is not None:
        query = query.where(connected_account.c.member_id == owner.id)
    with store.read() as conn:
        return [_account(r) for r in conn.execute(query)]


def load_account(conn: Connection, org_id: int, account_id: int) -> ConnectedAccount:
    row = conn.execute(_select(org_id).where(connected_account.c.id == account_id)).first()
    if row is None:
        raise NotFoundError(f"no connected account {account_id} (see `tiegraph account list`)")
    return _account(row)


def _sealed(tokens: oauth.TokenSet) -> dict[str, Any]:
    expires = datetime.fromtimestamp(tokens.expires_at, UTC) if tokens.expires_at else None
    return {
        "access_sealed": seal(tokens.access_token),
        "refresh_sealed": seal(tokens.refresh_token) if tokens.refresh_token else None,
        "expires_at": expires,
    }


def save_grant(
    store: Store,
    org: Org,
    owner: Member,
    app: AccountApp,
    client: oauth.Client,
    tokens: oauth.TokenSet,
) -> ConnectedAccount:
    """Store what the provider granted: a new account, or the same one connected again."""
    subject, email = oauth.account_of(client, tokens.access_token)
    values = {
        **_sealed(tokens),
        "subject": subject,
        "email": email,
        "scope": tokens.scope or app.scopes,
        "status": CONNECTED,
        "status_reason": None,
        "refreshed_at": datetime.now(UTC),
        "archived_at": None,
    }
    key = (
        connected_account.c.org_id == org.id,
        connected_account.c.member_id == owner.id,
        connected_account.c.provider == app.provider,
    )
    with store.write() as conn:
        found = conn.execute(select(connected_account.c.id).where(*key)).scalar_one_or_none()
        if found is None:
            found = conn.execute(
                connected_account.insert()
                .values(org_id=org.id, member_id=owner.id, provider=app.provider, **values)
                .returning(connected_account.c.id)
            ).scalar_one()
        else:
            conn.execute(connected_account.update().where(*key).values(**values))
        return load_account(conn, org.id, int(found))


def connect_with_device(
    store: Store,
    org: Org,
    owner: Member,
    provider: str,
    show: Callable[[oauth.DeviceAuthorization, str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> ConnectedAccount:
    """The device flow (RFC 8628): `show` tells the member where to go and what code to type
    (and the consent text), then this waits until they approve at the provider."""
    app = get_app(store, org, provider)
    client = oauth_client(app)
    device = oauth.start_device(client, app.scopes)
    show(device, app.kind.consent)
    tokens = oauth.poll_device(client, device, sleep)
    return save_grant(store, org, owner, app, client, tokens)


@dataclass(frozen=True)
class PendingConnection:
    """What the callback must check, kept (in the signed session) until the provider answers."""

    provider: str
    state: str
    code_verifier: str = field(repr=False)

    def as_dict(self) -> dict[str, str]:
        return {"provider": self.provider, "state": self.state, "verifier": self.code_verifier}

    @classmethod
    def from_dict(cls, value: Any) -> PendingConnection | None:
        if not isinstance(value, dict) or not all(
            isinstance(value.get(k), str) for k in ("provider", "state", "verifier")
        ):
            return None
        return cls(value["provider"], value["state"], value["verifier"])


def begin_browser(
    store: Store, org: Org, provider: str, redirect_uri: str
) -> tuple[str, PendingConnection]:
    """Where to send the member's browser (PKCE S256, random state), and what to keep until
    the provider redirects back."""
    app = get_app(store, org, provider)
    client = oauth_client(app)
    started = oauth.browser_authorization(client, redirect_uri, app.scopes, dict(app.kind.extra))
    return started.url, PendingConnection(provider, started.state, started.code_verifier)


def finish_browser(
    store: Store,
    org: Org,
    owner: Member,
    pending: PendingConnection,
    redirect_uri: str,
    *,
    code: str,
    state: str,
) -> ConnectedAccount:
    """The provider sent the browser back: check the state, trade the code for tokens."""
    if not secrets.compare_digest(state.encode(), pending.state.encode()):
        raise InvalidInputError("the provider's answer does not match this connection (state)")
    app = get_app(store, org, pending.provider)
    client = oauth_client(app)
    tokens = oauth.exchange_code(client, code, redirect_uri, pending.code_verifier)
    return save_grant(store, org, owner, app, client, tokens)


def access_token(
    store: Store, org: Org, account_id: int, *, force: bool = False, now: datetime | None = None
) -> str:
    """The account's access token, refreshed first when it expires within REFRESH_MARGIN (or
    `force`: the server refused the current one). ReconnectError when the grant is gone."""
    moment = now or datetime.now(UTC)
    with store.read() as conn:
        account = load_account(conn, org.id, account_id)
    _usable(account)
    if not force and account.expires_at and account.expires_at - REFRESH_MARGIN > moment:
        return _open(account, account.access_sealed)
    if not force and account.expires_at is None and account.access_sealed:
        return _open(account, account.access_sealed)  # the provider said nothing of expiry
    return _refreshed(store, org, account, moment)


def _usable(account: ConnectedAccount) -> None:
    if account.status == RECONNECT:
        raise ReconnectError(
            f"reconnect: {account.provider} account {account.login or account.id} of "
            f"{account.member_email} ({account.status_reason or 'the grant is gone'})"
        )


def _open(account: ConnectedAccount, sealed: str | None) -> str:
    if not sealed:
        raise ReconnectError(f"reconnect: account {account.id} holds no token")
    try:
        return unseal(sealed)
    except MissingPasswordError as exc:
        raise ConnectorError(f"account {account.id}'s token cannot be opened: {exc}") from None


def _refreshed(store: Store, org: Org, account: ConnectedAccount, moment: datetime) -> str:
    # Single-flight across processes without holding a lock while the provider answers: a
    # refresher first claims the account for REFRESH_LEASE (a short write), asks the provider
    # with nothing locked, then stores the new tokens only if the refresh token it used is
    # still the stored one (compare and swap). The others wait for the claim to end and take
    # the token it stored. A provider that rotates refresh tokens would refuse the old one,
    # and reading it twice may even revoke the whole grant.
    deadline = time.monotonic() + REFRESH_LEASE.total_seconds() + 5
    while True:
        claim = _claim_refresh(store, org, account)
        if isinstance(claim, str):
            return claim
        if claim is not None:
            break
        if time.monotonic() > deadline:
            raise ConnectorError(f"connected account {account.id}: another refresh never ended")
        time.sleep(REFRESH_POLL)
    try:
        client = oauth_client(get_app(store, org, account.provider))
        tokens = oauth.refresh(client, _open(claim, claim.refresh_sealed))
    except oauth.GrantRevokedError:
        _release(store, org, account.id)
        return _gone(store, org, account, "the provider refused the grant (revoked or expired)")
    except BaseException:
        _release(store, org, account.id)
        raise
    # The claim ends with the new tokens stored, in one write: released earlier, a waiting
    # refresher would find the old refresh token still there and spend it a second time.
    with store.write() as conn:
        swapped = conn.execute(
            connected_account.update()
            .where(
                connected_account.c.org_id == org.id,
                connected_account.c.id == account.id,
                connected_account.c.refresh_sealed == claim.refresh_sealed,
            )
            .values(**_sealed(tokens), refreshed_at=moment, refreshing_until=None)
        ).rowcount
        current = load_account(conn, org.id, account.id)
    if not swapped:  # another refresher stored first (our claim had run out): theirs stays
        logger.info("connected account %s: refreshed by another sync meanwhile", account.id)
        _usable(current)
        return _open(current, current.access_sealed)
    logger.info("connected account %s: access token refreshed", account.id)
    return tokens.access_token


def _claim_refresh(
    store: Store, org: Org, account: ConnectedAccount
) -> ConnectedAccount | str | None:
    """The account to refresh, now claimed by us; the access token when another refresher
    stored one since `account` was read; None while another refresher holds the claim."""
    now = datetime.now(UTC)
    gone = ""
    with store.write() as conn:
        current = load_account(conn, org.id, account.id)
        if current.status == RECONNECT:
            gone = current.status_reason or "the grant is gone"
        elif current.refresh_sealed != account.refresh_sealed and current.access_sealed:
            logger.info("connected account %s: refreshed by another sync meanwhile", account.id)
            return _open(current, current.access_sealed)
        elif not current.refresh_sealed:
            gone = "expired, and the provider gave no refresh token"
        else:
            claimed = conn.execute(
                connected_account.update()
                .where(
                    connected_account.c.org_id == org.id,
                    connected_account.c.id == account.id,
                    connected_account.c.refresh_sealed == current.refresh_sealed,
                    or_(
                        connected_account.c.refreshing_until.is_(None),
                        connected_account.c.refreshing_until < now,
                    ),
                )
                .values(refreshing_until=now + REFRESH_LEASE)
            ).rowcount
            return current if claimed else None
    return _gone(store, org, account, gone)


def _release(store: Store, org: Org, account_id: int) -> None:
    with store.write() as conn:
        conn.execute(
            connected_account.update()
            .where(connected_account.c.org_id == org.id, connected_account.c.id == account_id)
            .values(refreshing_until=None)
        )


def _gone(store: Store, org: Org, account: ConnectedAccount, reason: str) -> str:
    mark_reconnect(store, org, account.id, reason)
    raise ReconnectError(
        f"reconnect: {account.provider} account {account.login or account.id} of "
        f"{account.member_email} ({reason})"
    )


def mark_reconnect(store: Store, org: Org, account_id: int, reason: str) -> None:
    with store.write() as conn:
        conn.execute(
            connected_account.update()
            .where(connected_account.c.org_id == org.id, connected_account.c.id == account_id)
            .values(status=RECONNECT, status_reason=reason[:300], access_sealed=None)
        )


def disconnect(store: Store, org: Org, account_id: int) -> ConnectedAccount:
    """Forget the tokens (revoked at the provider when it can); what was synced stays."""
    with store.read() as conn:
        account = load_account(conn, org.id, account_id)
    if account.refresh_sealed:
        try:
            client = oauth_client(get_app(store, org, account.provider))
            oauth.revoke(client, _open(account, account.refresh_sealed))
        except Exception as exc:  # the provider may be gone: forgetting here must still work
            logger.warning("connected account %s: revocation failed: %s", account.id, exc)
    with store.write() as conn:
        conn.execute(
            connected_account.update()
            .where(connected_account.c.org_id == org.id, connected_account.c.id == account.id)
            .values(archived_at=datetime.now(UTC), access_sealed=None, refresh_sealed=None)
        )
    return account
