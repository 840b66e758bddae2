"""OAuth 2.0 for connected accounts: code + PKCE, device authorization (RFC 8628), refresh.

Plain httpx, one function per grant: the token endpoint's answers are read here and turned
into `TokenSet` values or errors; nothing is stored and no token is ever put in a message.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from tiegraph.connectors.errors import ConnectorError

TIMEOUT = 15.0
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_INTERVAL = 5  # RFC 8628 §3.2: when the device response names no interval
SLOW_DOWN_STEP = 5  # RFC 8628 §3.5: seconds added at every slow_down


class GrantRevokedError(ConnectorError):
    """The refresh token no longer works (revoked, expired, password changed): the member has to
    connect the account again."""


class AuthorizationDeniedError(ConnectorError):
    """The member refused, or the device code expired before they approved."""


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    device: str | None = None
    revocation: str | None = None
    userinfo: str | None = None


@dataclass(frozen=True)
class Client:
    """A registered app: its id and secret (empty for a public client) and the endpoints."""

    endpoints: Endpoints
    client_id: str
    client_secret: str = field(repr=False, default="")


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: float | None  # seconds since the epoch
    scope: str


@dataclass(frozen=True)
class BrowserAuthorization:
    """Where to send the browser, and what the callback must check (kept by the caller)."""

    url: str
    state: str
    code_verifier: str = field(repr=False)


@dataclass(frozen=True)
class DeviceAuthorization:
    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_at: float
    interval: int


def browser_authorization(
    client: Client, redirect_uri: str, scope: str, extra: Mapping[str, str] | None = None
) -> BrowserAuthorization:
    """A fresh authorization request with state and a PKCE S256 challenge, both random."""
    state, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "code_challenge": challenge.decode().rstrip("="),
        "code_challenge_method": "S256",
        **(extra or {}),
    }
    glue = "&" if "?" in client.endpoints.authorization else "?"
    return BrowserAuthorization(
        client.endpoints.authorization + glue + urlencode(query), state, verifier
    )


def exchange_code(client: Client, code: str, redirect_uri: str, code_verifier: str) -> TokenSet:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    return _tokens(_post(client, client.endpoints.token, form), None)


def refresh(client: Client, refresh_token: str) -> TokenSet:
    """New tokens for the refresh token; GrantRevokedError when the grant is gone."""
    answer = _post(
        client,
        client.endpoints.token,
        {"grant_type": "refresh_token", "refresh_token": refresh_token},
    )
    return _tokens(answer, refresh_token)


def start_device(client: Client, scope: str) -> DeviceAuthorization:
    if not client.endpoints.device:
        raise ConnectorError("this provider offers no device authorization (RFC 8628)")
    found = _json(_post(client, client.endpoints.device, {"scope": scope}), "device authorization")
    try:
        return DeviceAuthorization(
            device_code=str(found["device_code"]),
            user_code=str(found["user_code"]),
            # Microsoft said verification_url before RFC 8628 was final.
            verification_uri=str(found.get("verification_uri") or found["verification_url"]),
            verification_uri_complete=found.get("verification_uri_complete"),
            expires_at=time.time() + float(found.get("expires_in") or 600),
            interval=int(found.get("interval") or DEFAULT_INTERVAL),
        )
    except (KeyError, TypeError, ValueError):
        raise ConnectorError("the provider's device authorization answer lacks a field") from None


def poll_device(
    client: Client,
    device: DeviceAuthorization,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> TokenSet:
    """Wait for the member to approve: poll at the interval, slower at every slow_down."""
    interval = device.interval
    form = {"grant_type": DEVICE_GRANT, "device_code": device.device_code}
    while True:
        sleep(interval)
        if clock() > device.expires_at:
            raise AuthorizationDeniedError("the code expired before it was approved: start again")
        answer = _send(client, client.endpoints.token, form)
        error = _error(answer)
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += SLOW_DOWN_STEP
            continue
        if error in ("access_denied", "expired_token"):
            raise AuthorizationDeniedError(f"the provider says {error}: start again")
        return _tokens(answer, None)


def revoke(client: Client, token: str) -> None:
    """Ask the provider to forget the grant (RFC 7009); a provider without the endpoint is fine."""
    if client.endpoints.revocation:
        _post(client, client.endpoints.revocation, {"token": token})


def account_of(client: Client, access_token: str) -> tuple[str, str]:
    """(subject, email) the provider's userinfo endpoint names for this token; empty when it
    has no such endpoint (the member then names the login where one is needed)."""
    if not client.endpoints.userinfo:
        return "", ""
    try:
        answer = httpx.get(
            client.endpoints.userinfo,
            timeout=TIMEOUT,
            headers={"Authorization": f"Bearer {access_token}"},
        )
    except httpx.HTTPError as exc:
        raise ConnectorError(
            f"the userinfo endpoint cannot be reached: {type(exc).__name__}"
        ) from None
    if answer.status_code >= 400:
        return "", ""
    found = _json(answer, "userinfo")
    return str(found.get("sub") or ""), str(
        found.get("email") or found.get("preferred_username") or ""
    )


def _send(client: Client, url: str, form: dict[str, str]) -> httpx.Response:
    auth = (client.client_id, client.client_secret) if client.client_secret else None
    if auth is None:
        form = {**form, "client_id": client.client_id}
    try:
        return httpx.post(
            url, data=form, auth=auth, timeout=TIMEOUT, headers={"Accept": "application/json"}
        )
    except httpx.HTTPError as exc:
        raise ConnectorError(f"{url} cannot be reached: {type(exc).__name__}") from None


def _post(client: Client, url: str, form: dict[str, str]) -> httpx.Response:
    answer = _send(client, url, form)
    error = _error(answer)
    if error == "invalid_grant":
        raise GrantRevokedError("the provider refused the grant (invalid_grant): reconnect")
    if error:
        raise ConnectorError(f"{url} refused: {error}")
    if answer.status_code >= 400:
        raise ConnectorError(f"{url} answered HTTP {answer.status_code}")
    return answer


def _error(answer: httpx.Response) -> str | None:
    if answer.status_code < 400:
        return None
    try:
        found = answer.json()
    except ValueError:
        return None
    error = found.get("error") if isinstance(found, dict) else None
    return str(error)[:80] if error else None


def _json(answer: httpx.Response, what: str) -> dict[str, Any]:
    try:
        found = answer.json()
    except ValueError:
        raise ConnectorError(f"the provider's {what} answer is not JSON") from None
    if not isinstance(found, dict):
        raise ConnectorError(f"the provider's {what} answer is not a JSON object")
    return found


def _tokens(answer: httpx.Response, old_refresh: str | None) -> TokenSet:
    found = _json(answer, "token")
    access = found.get("access_token")
    if not isinstance(access, str) or not access:
        raise ConnectorError("the provider answered without an access token")
    expires = found.get("expires_in")
    refresh_token = found.get("refresh_token")
    return TokenSet(
        access_token=access,
        # A provider that does not rotate refresh tokens sends none back: the old one holds.
        refresh_token=refresh_token if isinstance(refresh_token, str) else old_refresh,
        expires_at=time.time() + float(expires) if isinstance(expires, int | float) else None,
        scope=str(found.get("scope") or ""),
    )
