"""The API's shapes for a member's own account: sharing and API tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tiegraph.services.org.auth import ApiToken
from tiegraph.web.schemas.common import ApiInput, ApiOutput


class SharingIn(ApiInput):
    contact_sync: bool | None = None
    activity_sharing: bool | None = None


class TokenIn(ApiInput):
    name: str = Field(min_length=1, max_length=100)


class TokenOut(ApiOutput):
    id: int
    name: str
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def token_out(t: ApiToken) -> TokenOut:
    return TokenOut(**t.__dict__)


class NewTokenOut(TokenOut):
    token: str = Field(description="Shown this once: only its hash is kept.")
