"""Signing in through the organization's provider: the round trip, and linking the identity."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Connection, insert, select

from tiegraph.connectors import oidc
from tiegraph.connectors.errors import ConnectorError
from tiegraph.core.emails import normalize_email
from tiegraph.errors import NotFoundError, TiegraphError
from tiegraph.services.org.auth import SignedIn
from tiegraph.services.org.members import member_from_row
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.services.org.sso import (
    SsoConfig,
    SsoUnavailableError,
    client_secret,
    config_of,
    get_sso,
)
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import member, member_address, member_identity, organization


class SsoRefusedError(TiegraphError):
    """The provider's answer signs nobody in here: the message says why and what to do."""


@dataclass(frozen=True)
class PendingSignIn:
    """What the callback checks, kept in the browser's signed session cookie meanwhile."""

    org_slug: str
    state: str
    nonce: str
    code_verifier: str
    next: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, value: Any) -> PendingSignIn | None:
        try:
            return cls(**{k: str(value[k]) for k in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            return None


def _configured(store: Store, org_slug: str) -> tuple[Org, SsoConfig]:
    try:
        org = resolve_org(store, org_slug)
    except NotFoundError:
        raise SsoUnavailableError("no such organization signs in through a provider") from None
    config = get_sso(store, org)
    if config is None:
        raise SsoUnavailableError(f"{org.name} has no single sign-on: sign in with a password")
    return org, config


def begin(
    store: Store, org_slug: str, redirect_uri: str, next_path: str
) -> tuple[str, PendingSignIn]:
    """The provider's URL to send the browser to, and what its way back must bring."""
    org, config = _configured(store, org_slug)
    client_secret(config)  # fail here, before the user types anything at the provider
    try:
        metadata = oidc.discover(config.issuer)
    except ConnectorError as exc:
        raise SsoUnavailableError(f"{config.provider_name} cannot be reached: {exc}") from None
    request = oidc.authorization_request(metadata, config.client_id, redirect_uri)
    pending = PendingSignIn(
        org.slug, request.state, request.nonce, request.code_verifier, next_path
    )
    return request.url, pending


def complete(
    store: Store, pending: PendingSignIn, code: str, redirect_uri: str, iss: str | None = None
) -> SignedIn:
    """Exchange the code, verify the ID token, and sign in the member it names (the caller has
    checked the state). `iss`, when the provider sends it back (RFC 9207), must be its own."""
    org, config = _configured(store, pending.org_slug)
    if iss is not None and iss != config.issuer:
        raise SsoRefusedError(f"the answer came from {iss[:100]}, not {config.provider_name}")
    try:
        metadata = oidc.discover(config.issuer)
        tokens = oidc.exchange_code(
            metadata,
            config.client_id,
            client_secret(config),
            redirect_uri,
            code,
            pending.code_verifier,
        )
        identity = oidc.verified_identity(
            metadata, tokens.id_token, config.client_id, pending.nonce
        )
        if identity.email is None and tokens.access_token:
            identity = oidc.with_userinfo(metadata, identity, tokens.access_token)
    except ConnectorError as exc:
        raise SsoUnavailableError(f"{config.provider_name}: {exc}") from None
    except oidc.IdTokenError as exc:
        raise SsoRefusedError(f"{config.provider_name}'s answer was refused: {exc}") from None
    return link_identity(store, org, identity)


def link_identity(store: Store, org: Org, identity: oidc.Identity) -> SignedIn:
    """The member this identity signs in: the one linked to it before, else (first sign-in) the
    member with its verified email, linked from now on. No member is ever created."""
    with store.write() as conn:
        linked = _linked_member(conn, org, identity)
        if linked is not None:
            return SignedIn(org, member_from_row(linked))
        row = _member_by_email(conn, org, identity)
        taken = conn.execute(
            select(member_identity.c.id).where(
                member_identity.c.org_id == org.id,
                member_identity.c.member_id == row.id,
                member_identity.c.issuer == identity.issuer,
            )
        ).first()
        if taken is not None:
            raise SsoRefusedError(
                f"{row.email} is already linked to another account at this provider: sign in "
                "with that one, or ask an admin"
            )
        conn.execute(
            insert(member_identity).values(
                org_id=org.id, member_id=row.id, issuer=identity.issuer, subject=identity.subject
            )
        )
    return SignedIn(org, member_from_row(row))


def _linked_member(conn: Connection, org: Org, identity: oidc.Identity) -> Any:
    row = conn.execute(
        select(member)
        .join(member_identity, same_org(member, member_identity.c.member_id))
        .where(
            member_identity.c.org_id == org.id,
            member_identity.c.issuer == identity.issuer,
            member_identity.c.subject == identity.subject,
        )
    ).first()
    if row is not None and row.archived_at is not None:
        raise SsoRefusedError(f"this account has left {org.name}")
    return row


def _member_by_email(conn: Connection, org: Org, identity: oidc.Identity) -> Any:
    address = normalize_email(identity.email or "")
    if address is None:
        raise SsoRefusedError("the provider did not give an email address (is 'email' allowed?)")
    if not identity.email_verified:
        raise SsoRefusedError(
            f"the provider does not say {address} is verified: it cannot link you to a member"
        )
    row = conn.execute(
        select(member)
        .join(
            member_address,
            (member_address.c.member_id == member.c.id)
            & (member_address.c.org_id == member.c.org_id),
        )
        .where(
            member.c.org_id == org.id,
            member_address.c.email == address,
            member.c.archived_at.is_(None),
        )
    ).first()
    if row is None:
        raise SsoRefusedError(
            f"{address} is not a member of {org.name}: ask an admin to add you, then sign in again"
        )
    return row


def logout_url(store: Store, org_id: int, post_logout_redirect_uri: str) -> tuple[str, str] | None:
    """Where to send the browser to end its session at the provider too (OpenID Connect
    RP-Initiated Logout 1.0), then back, and the provider's name; None when the provider
    offers no end_session_endpoint or cannot be reached (the session here ended all the same)."""
    with store.read() as conn:
        row = conn.execute(select(organization).where(organization.c.id == org_id)).first()
    config = config_of(row.settings) if row is not None else None
    if config is None:
        return None
    try:
        endpoint = oidc.discover(config.issuer).end_session_endpoint
    except ConnectorError:
        return None
    if endpoint is None:
        return None
    query = urlencode(
        {"client_id": config.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}", config.provider_name
