"""The OAuth apps an admin registers for connected accounts: Google, Microsoft, or any provider.

One app per provider and organization, kept in the organization's settings under "accounts":
client id, the client secret sealed (or an environment variable's name), issuer, scopes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from tiegraph.connectors import oauth, oidc
from tiegraph.connectors.errors import ConnectorError
from tiegraph.errors import InvalidInputError, NotFoundError, TiegraphError
from tiegraph.services.org.orgs import Org
from tiegraph.services.org.settings import get_setting, put_setting
from tiegraph.services.org.sso import checked_issuer
from tiegraph.services.sync.passwords import MissingPasswordError, checked_env_name, seal, unseal
from tiegraph.store import Store

SETTING = "accounts"


@dataclass(frozen=True)
class ProviderKind:
    """What tiegraph asks of a kind of provider: the narrowest read-only scopes it offers."""

    name: str
    issuer: str
    scopes: str
    consent: str  # what the member is told before they go to the provider
    extra: tuple[tuple[str, str], ...] = ()  # authorization request parameters


PROVIDERS = {
    "google": ProviderKind(
        "Google",
        "https://accounts.google.com",
        "openid email https://www.googleapis.com/auth/contacts.readonly "
        "https://www.googleapis.com/auth/calendar.readonly https://mail.google.com/",
        "read your contacts and calendar (read-only scopes) and, through IMAP, the sender, "
        "recipients and dates of your mail: Google has no read-only IMAP scope, so tiegraph "
        "opens folders read-only and never fetches a subject or a body",
        (("access_type", "offline"), ("prompt", "consent")),
    ),
    "microsoft": ProviderKind(
        "Microsoft",
        "https://login.microsoftonline.com/{tenant}/v2.0",
        "openid email offline_access Contacts.Read Calendars.Read Mail.ReadBasic",
        "read your contacts and calendar, and the sender, recipients and dates of your mail "
        "(Mail.ReadBasic carries no body); nothing is written back",
    ),
    "oidc": ProviderKind(
        "OpenID Connect provider",
        "",
        "openid email offline_access",
        "read your mail's sender, recipients and dates through IMAP; nothing is written back",
        (("prompt", "consent"),),  # some providers give a refresh token only after consent
    ),
}


class AccountAppError(TiegraphError):
    """The provider's app is not configured, or its secret cannot be opened now."""


@dataclass(frozen=True)
class AccountApp:
    provider: str
    issuer: str
    client_id: str
    scopes: str
    secret_env: str | None
    secret_sealed: str | None

    @property
    def kind(self) -> ProviderKind:
        return PROVIDERS[self.provider]

    @property
    def name(self) -> str:
        return self.kind.name if self.provider != "oidc" else self.issuer

    def as_dict(self) -> dict[str, Any]:
        """What `account app list` shows: never the secret itself."""
        if self.secret_env:
            secret = f"${self.secret_env} ({'set' if self.secret_env in os.environ else 'NOT set'})"
        else:
            secret = "sealed in the database" if self.secret_sealed else "none (public client)"
        return {
            "provider": self.provider,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "scopes": self.scopes,
            "client_secret": secret,
        }


def _app(provider: str, value: Any) -> AccountApp | None:
    if provider not in PROVIDERS or not isinstance(value, dict):
        return None
    return AccountApp(
        provider,
        str(value["issuer"]),
        str(value["client_id"]),
        str(value.get("scopes") or PROVIDERS[provider].scopes),
        value.get("secret_env"),
        value.get("secret_sealed"),
    )


def list_apps(store: Store, org: Org) -> list[AccountApp]:
    apps = get_setting(store, org, SETTING) or {}
    return [a for p in PROVIDERS if (a := _app(p, apps.get(p))) is not None]


def get_app(store: Store, org: Org, provider: str) -> AccountApp:
    checked_provider(provider)
    found = _app(provider, (get_setting(store, org, SETTING) or {}).get(provider))
    if found is None:
        raise NotFoundError(
            f"no {PROVIDERS[provider].name} app is configured: an admin runs "
            f"`tiegraph account app set --provider {provider} ...` (docs/accounts.md)"
        )
    return found


def checked_provider(provider: str) -> str:
    if provider not in PROVIDERS:
        raise InvalidInputError(f"--provider {provider!r}: use one of {', '.join(PROVIDERS)}")
    return provider


def set_app(
    store: Store,
    org: Org,
    *,
    provider: str,
    client_id: str,
    client_secret: str | None = None,
    client_secret_env: str | None = None,
    tenant: str | None = None,
    issuer: str | None = None,
    scopes: str | None = None,
) -> AccountApp:
    """Register (or change) the provider's app; the secret is sealed, or named by a variable."""
    kind = PROVIDERS[checked_provider(provider)]
    client_id = client_id.strip()
    if not client_id or len(client_id) > 500:
        raise InvalidInputError("--client-id: the id the provider gave when the app was registered")
    if client_secret and client_secret_env:
        raise InvalidInputError("give the client secret or its environment variable, not both")
    value: dict[str, Any] = {
        "client_id": client_id,
        "issuer": _issuer(provider, kind, tenant, issuer),
    }
    if scopes and " ".join(scopes.split()) != kind.scopes:
        value["scopes"] = " ".join(scopes.split())
    if client_secret:
        value["secret_sealed"] = seal(client_secret)
    elif client_secret_env:
        value["secret_env"] = checked_env_name(client_secret_env)
    apps = dict(get_setting(store, org, SETTING) or {})
    apps[provider] = value
    put_setting(store, org, SETTING, apps)
    return get_app(store, org, provider)


def _issuer(provider: str, kind: ProviderKind, tenant: str | None, issuer: str | None) -> str:
    if provider == "microsoft":
        tenant = (tenant or "organizations").strip()
        if not tenant.replace("-", "").replace(".", "").isalnum():
            raise InvalidInputError(f"--tenant {tenant!r}: a tenant id or domain, or organizations")
        return checked_issuer(issuer) if issuer else kind.issuer.format(tenant=tenant)
    if provider == "oidc" and not issuer:
        raise InvalidInputError("--issuer: the provider's issuer URL (its discovery document's)")
    return checked_issuer(issuer) if issuer else kind.issuer


def remove_app(store: Store, org: Org, provider: str) -> None:
    apps = dict(get_setting(store, org, SETTING) or {})
    apps.pop(checked_provider(provider), None)
    put_setting(store, org, SETTING, apps or None)


def oauth_client(app: AccountApp) -> oauth.Client:
    """The app's endpoints (from the issuer's discovery document) and credentials, opened now."""
    try:
        metadata = oidc.discover(app.issuer)
    except ConnectorError as exc:
        raise AccountAppError(f"{app.name} cannot be reached: {exc}") from None
    device = metadata.device_authorization_endpoint
    if device is None and app.provider == "microsoft":
        # Entra ID's discovery document leaves its device endpoint out.
        device = metadata.token_endpoint.rsplit("/", 1)[0] + "/devicecode"
    endpoints = oauth.Endpoints(
        metadata.authorization_endpoint,
        metadata.token_endpoint,
        device,
        metadata.revocation_endpoint,
        metadata.userinfo_endpoint,
    )
    return oauth.Client(endpoints, app.client_id, _secret(app))


def _secret(app: AccountApp) -> str:
    if app.secret_sealed:
        try:
            return unseal(app.secret_sealed)
        except MissingPasswordError as exc:
            raise AccountAppError(f"the {app.name} client secret cannot be opened: {exc}") from None
    if app.secret_env:
        value = os.environ.get(app.secret_env)
        if not value:
            raise AccountAppError(
                f"the {app.name} client secret's variable {app.secret_env} is not set"
            )
        return value
    return ""
