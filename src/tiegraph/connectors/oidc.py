"""An OpenID Connect provider: discovery, authorization code with PKCE, verified ID tokens."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc6749.errors import OAuth2Error
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from tiegraph.connectors.errors import ConnectorError

SCOPES = "openid email profile"
TIMEOUT = 10.0
CACHE_SECONDS = 600.0
LEEWAY_SECONDS = 60
# Asymmetric signatures only: an ID token signed with the client secret (HS*) or not at all
# ("none") proves nothing the provider's published keys can check.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA")


class IdTokenError(Exception):
    """An ID token that does not prove who signed in: bad signature, issuer, audience, nonce,
    or expired. The message is one line naming what failed, never the token."""


class SignatureError(IdTokenError):
    """The ID token is not signed by any key the provider publishes (or not at all)."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    auth_method: str
    userinfo_endpoint: str | None = None
    device_authorization_endpoint: str | None = None
    revocation_endpoint: str | None = None
    end_session_endpoint: str | None = None


@dataclass(frozen=True)
class Tokens:
    id_token: str
    access_token: str | None


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what the callback must check (kept by the caller)."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: issuer + subject name them for good; email may change."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str


_cache: dict[str, tuple[float, Any]] = {}
_cache_lock = threading.Lock()


def _get_json(url: str) -> Any:
    try:
        answer = httpx.get(url, timeout=TIMEOUT, follow_redirects=False)
        answer.raise_for_status()
        return answer.json()
    except httpx.HTTPStatusError as exc:
        raise ConnectorError(f"{url} answered HTTP {exc.response.status_code}") from None
    except httpx.HTTPError as exc:
        raise ConnectorError(f"{url} cannot be reached: {type(exc).__name__}") from None
    except ValueError:
        raise ConnectorError(f"{url} did not answer JSON") from None


def _cached(url: str, refresh: bool = False) -> Any:
    with _cache_lock:
        hit = _cache.get(url)
    if hit and not refresh and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    value = _get_json(url)
    with _cache_lock:
        _cache[url] = (time.monotonic(), value)
    return value


def discover(issuer: str) -> ProviderMetadata:
    """The provider's endpoints from its discovery document, which must name the same issuer."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    found = _cached(url)
    if not isinstance(found, dict) or found.get("issuer") != issuer:
        raise ConnectorError(f"{url} names another issuer than {issuer}")
    try:
        authorize, token = str(found["authorization_endpoint"]), str(found["token_endpoint"])
        jwks_uri = str(found["jwks_uri"])
    except KeyError as exc:
        raise ConnectorError(f"{url} lacks {exc.args[0]}") from None
    offered = found.get("id_token_signing_alg_values_supported") or ["RS256"]
    methods = found.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    algorithms = tuple(a for a in ALGORITHMS if a in offered) or ("RS256",)
    names = ("userinfo_endpoint", "device_authorization_endpoint", "revocation_endpoint",
             "end_session_endpoint")  # fmt: skip
    userinfo, device, revocation, end_session = (
        str(found[n]) if found.get(n) else None for n in names
    )
    return ProviderMetadata(
        issuer, authorize, token, jwks_uri, algorithms, method, userinfo, device, revocation,
        end_session,
    )  # fmt: skip


def _client(metadata: ProviderMetadata, client_id: str, secret: str, redirect: str) -> OAuth2Client:
    return OAuth2Client(
        client_id,
        secret,
        scope=SCOPES,
        redirect_uri=redirect,
        code_challenge_method="S256",
        token_endpoint_auth_method=metadata.auth_method,
        timeout=TIMEOUT,
    )


def authorization_request(
    metadata: ProviderMetadata, client_id: str, redirect_uri: str
) -> AuthorizationRequest:
    """A fresh authorization request: state, nonce and a PKCE verifier (S256), each random."""
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    with _client(metadata, client_id, "", redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
        )
    return AuthorizationRequest(url, state, nonce, verifier)


def exchange_code(
    metadata: ProviderMetadata,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
) -> Tokens:
    """The tokens the provider gives for this authorization code (and the PKCE verifier)."""
    with _client(metadata, client_id, client_secret, redirect_uri) as client:
        try:
            token = client.fetch_token(
                metadata.token_endpoint, code=code, code_verifier=code_verifier
            )
        except OAuth2Error as exc:
            raise ConnectorError(f"the provider refused the sign-in: {exc.error}") from None
        except httpx.HTTPError as exc:
            raise ConnectorError(f"the provider cannot be reached: {type(exc).__name__}") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise ConnectorError("the provider answered without an ID token (is 'openid' allowed?)")
    access_token = token.get("access_token")
    return Tokens(id_token, access_token if isinstance(access_token, str) else None)


def with_userinfo(metadata: ProviderMetadata, identity: Identity, access_token: str) -> Identity:
    """The identity with the email the userinfo endpoint gives, for providers that keep it out
    of the ID token; only when userinfo names the same subject (OpenID Connect Core 5.3.2)."""
    if metadata.userinfo_endpoint is None:
        return identity
    try:
        answer = httpx.get(
            metadata.userinfo_endpoint,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=TIMEOUT,
        )
        answer.raise_for_status()
        found = answer.json()
    except (httpx.HTTPError, ValueError):
        raise ConnectorError("the provider's userinfo endpoint did not answer") from None
    if not isinstance(found, dict) or found.get("sub") != identity.subject:
        raise ConnectorError("the provider's userinfo names another subject than the ID token")
    email = found.get("email")
    return Identity(
        identity.issuer,
        identity.subject,
        email if isinstance(email, str) else None,
        found.get("email_verified") is True or found.get("xms_edov") is True,
        str(found.get("name") or identity.name),
    )


def provider_keys(metadata: ProviderMetadata, refresh: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(_cached(metadata.jwks_uri, refresh))
    except (JoseError, ValueError, TypeError, KeyError):
        raise ConnectorError(f"{metadata.jwks_uri} holds no usable keys") from None


def verified_identity(
    metadata: ProviderMetadata, id_token: str, client_id: str, nonce: str
) -> Identity:
    """The identity in this ID token, checked against the provider's keys (fetched again once
    when the token names a key not seen yet: the provider rotated its keys)."""
    try:
        return verify_id_token(
            id_token,
            provider_keys(metadata),
            metadata.issuer,
            client_id,
            nonce,
            algorithms=metadata.algorithms,
        )
    except SignatureError:
        fresh = provider_keys(metadata, refresh=True)
        return verify_id_token(
            id_token, fresh, metadata.issuer, client_id, nonce, algorithms=metadata.algorithms
        )


def verify_id_token(
    id_token: str,
    keys: KeySet,
    issuer: str,
    client_id: str,
    nonce: str,
    *,
    algorithms: tuple[str, ...] = ALGORITHMS,
    now: int | None = None,
) -> Identity:
    """Signature, then iss, aud, exp, iat, nonce and azp: any failure raises IdTokenError."""
    try:
        token = jwt.decode(id_token, keys, algorithms=list(algorithms))
    except (JoseError, ValueError) as exc:
        raise SignatureError(f"the ID token's signature does not verify ({_reason(exc)})") from None
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": issuer},
        "aud": {"essential": True, "value": client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "nonce": {"essential": True, "value": nonce},
    }
    claims = CodeIDToken(
        token.claims, token.header, options, {"nonce": nonce, "client_id": client_id}
    )
    try:
        claims.validate(now=now if now is not None else int(time.time()), leeway=LEEWAY_SECONDS)
    except JoseError as exc:
        raise IdTokenError(f"the ID token was refused ({_reason(exc)})") from None
    # Entra ID says a verified address with xms_edov (its "email domain owner verified").
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    email = claims.get("email")
    return Identity(
        issuer=issuer,
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) else None,
        email_verified=verified,
        name=str(claims.get("name") or ""),
    )


def _reason(exc: Exception) -> str:
    return " ".join(str(getattr(exc, "description", "") or exc).split())[:200] or type(exc).__name__
