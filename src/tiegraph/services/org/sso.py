"""An organization's OpenID Connect provider for single sign-on, and whether passwords sign in."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, select

from tiegraph.errors import InvalidInputError, TiegraphError
from tiegraph.services.org.orgs import Org, org_from_row
from tiegraph.services.org.settings import get_setting, put_setting, read_setting
from tiegraph.services.sync.passwords import (
    MissingPasswordError,
    checked_env_name,
    seal,
    unseal,
)
from tiegraph.store import Store
from tiegraph.store.schema import organization, web_session

SETTING = "sso"
# Names a sign-in button gets from the issuer's host when the admin gives none.
KNOWN_PROVIDERS = {
    "accounts.google.com": "Google",
    "login.microsoftonline.com": "Microsoft",
}


class SsoUnavailableError(TiegraphError):
    """Single sign-on cannot run now: not configured, or its client secret cannot be had."""


@dataclass(frozen=True)
class SsoConfig:
    issuer: str
    client_id: str
    provider_name: str
    secret_env: str | None
    secret_sealed: str | None
    password_sign_in: bool

    def as_dict(self) -> dict[str, Any]:
        """What `org sso show` and the settings page show: never the secret itself."""
        if self.secret_env:
            secret = f"${self.secret_env} ({'set' if self.secret_env in os.environ else 'NOT set'})"
        else:
            secret = "sealed in the database"
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "provider_name": self.provider_name,
            "client_secret": secret,
            "password_sign_in": self.password_sign_in,
        }


def _config(value: Any) -> SsoConfig | None:
    if not isinstance(value, dict) or not value.get("issuer"):
        return None
    return SsoConfig(
        issuer=str(value["issuer"]),
        client_id=str(value.get("client_id", "")),
        provider_name=str(value.get("provider_name", "")),
        secret_env=value.get("secret_env"),
        secret_sealed=value.get("secret_sealed"),
        password_sign_in=value.get("password_sign_in", True) is not False,
    )


def get_sso(store: Store, org: Org) -> SsoConfig | None:
    return _config(get_setting(store, org, SETTING))


def read_sso(conn: Connection, org: Org) -> SsoConfig | None:
    return _config(read_setting(conn, org, SETTING))


def config_of(settings: dict[str, Any] | None) -> SsoConfig | None:
    """The SSO configuration in an `organization.settings` value already read."""
    return _config((settings or {}).get(SETTING))


def checked_issuer(issuer: str) -> str:
    """An issuer URL: https, or http on a loopback address only (a test or local provider)."""
    issuer = issuer.strip()
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise InvalidInputError(
            f"--issuer {issuer!r}: expected the provider's issuer URL, e.g. "
            "https://accounts.google.com or https://login.microsoftonline.com/TENANT/v2.0"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise InvalidInputError(f"--issuer {issuer!r}: an issuer must use https")
    return issuer


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _provider_name(issuer: str) -> str:
    host = urlsplit(issuer).hostname or issuer
    if host in KNOWN_PROVIDERS:
        return KNOWN_PROVIDERS[host]
    if host.endswith((".okta.com", ".oktapreview.com")):
        return "Okta"
    if "/realms/" in issuer:
        return "Keycloak"
    return host


def set_sso(
    store: Store,
    org: Org,
    *,
    issuer: str,
    client_id: str,
    client_secret: str | None = None,
    client_secret_env: str | None = None,
    provider_name: str | None = None,
) -> SsoConfig:
    """Configure the provider. The client secret is sealed with the server secret, or named by
    an environment variable; given neither, the one already configured is kept."""
    client_id = client_id.strip()
    if not client_id or len(client_id) > 500:
        raise InvalidInputError("--client-id: the id the provider gave when the app was registered")
    if client_secret and client_secret_env:
        raise InvalidInputError("give the client secret or its environment variable, not both")
    current = get_sso(store, org)
    value: dict[str, Any] = {
        "issuer": checked_issuer(issuer),
        "client_id": client_id,
        "provider_name": " ".join((provider_name or "").split())[:60] or _provider_name(issuer),
        "password_sign_in": current.password_sign_in if current else True,
    }
    if client_secret:
        value["secret_sealed"] = seal(client_secret)
    elif client_secret_env:
        value["secret_env"] = _env_name(client_secret_env)
    elif current and (current.secret_env or current.secret_sealed):
        value["secret_env"], value["secret_sealed"] = current.secret_env, current.secret_sealed
    else:
        raise InvalidInputError(
            "the client secret is missing: give --client-secret-env NAME (the variable holding "
            "it) or type it when asked"
        )
    put_setting(store, org, SETTING, {k: v for k, v in value.items() if v is not None})
    found = get_sso(store, org)
    assert found is not None
    return found


def _env_name(name: str) -> str:
    try:
        return checked_env_name(name)
    except InvalidInputError:
        raise InvalidInputError(
            f"--client-secret-env {name!r}: expected the name of an environment variable, e.g. "
            "TIEGRAPH_SSO_CLIENT_SECRET (the name is stored, never the secret)"
        ) from None


def remove_sso(store: Store, org: Org) -> None:
    current = get_sso(store, org)
    if current and not current.password_sign_in:
        raise InvalidInputError(
            "password sign-in is off: switch it on first, or nobody could sign in"
        )
    put_setting(store, org, SETTING, None)


def set_password_sign_in(
    store: Store, org: Org, enabled: bool, keep_session: str | None = None
) -> SsoConfig:
    """Switch password sign-in on or off; off needs single sign-on configured first, and ends
    every session signed in with a password but `keep_session` (the token hash of the admin's
    own, who is switching it off) — single sign-on sessions and API tokens stay."""
    current = get_sso(store, org)
    if current is None:
        raise InvalidInputError(
            "configure single sign-on first: without it and without passwords nobody could sign in"
        )
    value = dict(get_setting(store, org, SETTING))
    value["password_sign_in"] = enabled
    put_setting(store, org, SETTING, value)
    if not enabled:  # sessions signed in with a password end with it
        with store.write() as conn:
            conn.execute(
                web_session.update()
                .where(
                    web_session.c.org_id == org.id,
                    web_session.c.method == "password",
                    web_session.c.ended_at.is_(None),
                    web_session.c.token_hash != (keep_session or ""),
                )
                .values(ended_at=datetime.now(UTC))
            )
    found = get_sso(store, org)
    assert found is not None
    return found


def client_secret(config: SsoConfig) -> str:
    """The client secret, opened now; SsoUnavailableError says why it cannot be."""
    if config.secret_sealed:
        try:
            return unseal(config.secret_sealed)
        except MissingPasswordError as exc:
            raise SsoUnavailableError(f"the SSO client secret cannot be opened: {exc}") from None
    value = os.environ.get(config.secret_env or "")
    if not value:
        raise SsoUnavailableError(
            f"the SSO client secret's environment variable {config.secret_env} is not set"
        )
    return value


def orgs_with_sso(store: Store) -> list[tuple[Org, SsoConfig]]:
    """The organizations that sign in through a provider, for the sign-in page's buttons."""
    with store.read() as conn:
        rows = conn.execute(select(organization).order_by(organization.c.id)).all()
    found = []
    for row in rows:
        config = config_of(row.settings)
        if config is not None:
            found.append((org_from_row(row), config))
    return found
