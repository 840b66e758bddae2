"""Sign-in and API tokens: argon2 password hashes, and high-entropy tokens stored as sha256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select

from tiegraph.core.emails import normalize_email, sign_in_email
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.org.members import Member, member_from_row
from tiegraph.services.org.orgs import Org, org_from_row
from tiegraph.services.org.sso import config_of
from tiegraph.store import Store
from tiegraph.store.distribution import same_org
from tiegraph.store.schema import api_token, member, member_address, organization

MIN_PASSWORD = 8
TOKEN_PREFIX = "tg"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of a password, refusing ones too short to be worth hashing."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher().hash(password)


def set_password(store: Store, org: Org, target: Member, password: str) -> None:
    """Set a member's password (stored as an argon2 hash, never in clear)."""
    set_password_hash(store, org, target, hash_password(password))


def set_password_hash(store: Store, org: Org, target: Member, password_hash: str) -> None:
    with store.write() as conn:
        conn.execute(
            member.update()
            .where(member.c.org_id == org.id, member.c.id == target.id)
            .values(password_hash=password_hash)
        )


@dataclass(frozen=True)
class SignedIn:
    org: Org
    member: Member


def _candidates(store: Store, email: str, org_slug: str | None) -> list[Any]:
    query = (
        select(
            member,
            organization.c.slug.label("org_slug"),
            organization.c.name.label("org_name"),
            organization.c.settings.label("org_settings"),
        )
        .join(organization, organization.c.id == member.c.org_id)
        .join(
            member_address,
            (member_address.c.member_id == member.c.id)
            & (member_address.c.org_id == member.c.org_id),
        )
        .where(member_address.c.email == email, member.c.archived_at.is_(None))
        .order_by(member.c.org_id)
    )
    if org_slug:
        query = query.where(organization.c.slug == org_slug.strip().lower())
    with store.read() as conn:
        return list(conn.execute(query).all())


def sign_in_accounts(store: Store, email: str, org_slug: str | None = None) -> list[int]:
    """The ids of the members an email typed at sign-in may name (of any organization unless
    one is given): a limiter counts their failures whatever address of theirs was typed."""
    address = normalize_email(sign_in_email(email))
    if address is None:
        return []
    return sorted({int(row.id) for row in _candidates(store, address, org_slug)})


def verify_sign_in(
    store: Store, email: str, password: str, *, org_slug: str | None = None
) -> SignedIn | None:
    """The member these credentials sign in, or None; one message for every failure.

    Without an organization, the member of any organization whose password matches; when
    several do, the caller must name one (InvalidInputError).
    """
    address = normalize_email(sign_in_email(email))
    if address is None:
        return None
    matches = []
    candidates = _candidates(store, address, org_slug)
    allowed = [row for row in candidates if _password_sign_in(row)]
    if candidates and not allowed:
        raise PasswordSignInOffError(_sso_only(candidates[0]))
    for row in allowed:
        if row.password_hash and _verified(row.password_hash, password):
            matches.append(row)
    if not matches:
        if not allowed:
            _verified(_dummy_hash(), password)  # the same work whether the account exists or not
        return None
    if len(matches) > 1:
        raise InvalidInputError("this account is in several organizations: name one to sign in")
    row = matches[0]
    with store.read() as conn:
        org_row = conn.execute(select(organization).where(organization.c.id == row.org_id)).one()
    return SignedIn(org_from_row(org_row), member_from_row(row))


class PasswordSignInOffError(InvalidInputError):
    """The organization signs in through its provider only (API tokens still work)."""


def _password_sign_in(row: Any) -> bool:
    config = config_of(row.org_settings)
    return config is None or config.password_sign_in


def _sso_only(row: Any) -> str:
    config = config_of(row.org_settings)
    name = config.provider_name if config else "your organization's provider"
    return f'Password sign-in is off for {row.org_name}: use "Sign in with {name}".'


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def _verified(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher().verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def password_hash_of(store: Store, signed_in: SignedIn) -> str | None:
    """The member's password hash now: a session remembers its tail, so that a new password
    ends the sessions begun before it."""
    with store.read() as conn:
        found: str | None = conn.execute(
            select(member.c.password_hash).where(
                member.c.org_id == signed_in.org.id, member.c.id == signed_in.member.id
            )
        ).scalar_one_or_none()
    return found


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(store: Store, org: Org, owner: Member, name: str) -> tuple[ApiToken, str]:
    """A new API token for the owner; the clear token is returned once and never stored."""
    name = " ".join(name.replace("\x00", "").split())[:100]
    if not name:
        raise InvalidInputError("an API token needs a name, e.g. 'CRM sync'")
    # The org id in clear lets a request find its token by the indexed (org_id, hash) pair.
    clear = f"{TOKEN_PREFIX}_{org.id}_{secrets.token_urlsafe(32)}"
    with store.write() as conn:
        token_id = conn.execute(
            api_token.insert()
            .values(org_id=org.id, member_id=owner.id, name=name, token_hash=_token_hash(clear))
            .returning(api_token.c.id)
        ).scalar_one()
    found = [t for t in list_tokens(store, org, owner) if t.id == token_id]
    return found[0], clear


def list_tokens(store: Store, org: Org, owner: Member) -> list[ApiToken]:
    with store.read() as conn:
        rows = conn.execute(
            select(api_token)
            .where(api_token.c.org_id == org.id, api_token.c.member_id == owner.id)
            .order_by(api_token.c.id)
        ).all()
    return [ApiToken(r.id, r.name, r.created_at, r.last_used_at, r.revoked_at) for r in rows]


def revoke_token(store: Store, org: Org, owner: Member, token_id: int) -> ApiToken:
    with store.write() as conn:
        done = conn.execute(
            api_token.update()
            .where(
                api_token.c.org_id == org.id,
                api_token.c.member_id == owner.id,
                api_token.c.id == token_id,
                api_token.c.revoked_at.is_(None),
            )
            .values(revoked_at=datetime.now(UTC))
        )
        if done.rowcount == 0:
            raise NotFoundError(f"no active API token {token_id} of {owner.email}")
    return next(t for t in list_tokens(store, org, owner) if t.id == token_id)


# Built once with bound parameters (SQLAlchemy reuses its compiled form): this runs on every API
# request. The organization comes in the same round trip.
# A signed-in member's row with what a request needs of their organization (sessions and tokens).
MEMBER_WITH_ORG = (
    member,
    organization.c.slug.label("org_slug"),
    organization.c.name.label("org_name"),
    organization.c.activity_sharing_default.label("org_sharing"),
)
TOKEN_MEMBER = (
    select(*MEMBER_WITH_ORG)
    .join(api_token, same_org(member, api_token.c.member_id))
    .join(organization, organization.c.id == member.c.org_id)
    .where(
        api_token.c.org_id == bindparam("org_id"),
        api_token.c.token_hash == bindparam("token_hash"),
        api_token.c.revoked_at.is_(None),
        member.c.archived_at.is_(None),
    )
)


def member_for_token(store: Store, clear: str) -> SignedIn | None:
    """The member an API token belongs to, or None when it is unknown or revoked."""
    prefix, _, rest = clear.partition("_")
    org_part, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not org_part.isdigit() or not secret or len(clear) > 200:
        return None
    with store.read() as conn:
        row = conn.execute(
            TOKEN_MEMBER, {"org_id": int(org_part), "token_hash": _token_hash(clear)}
        ).first()
    if row is None:
        return None
    org = Org(row.org_id, row.org_slug, row.org_name, bool(row.org_sharing))
    return SignedIn(org, member_from_row(row))
