"""Signed-in sessions kept in the store: the cookie names one, signing out ends it for good."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, bindparam, delete, insert, or_, update

from tiegraph.store import Store
from tiegraph.store.schema import web_session


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    store: Store, org_id: int, member_id: int, max_age_seconds: int, method: str = "password"
) -> str:
    """A new session of the member; returns the token its cookie carries (stored hashed).

    The member's ended and expired sessions are forgotten at the same time, so the table holds
    about one row per signed-in browser."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with store.write() as conn:
        conn.execute(
            delete(web_session).where(
                web_session.c.org_id == org_id,
                web_session.c.member_id == member_id,
                or_(
                    web_session.c.ended_at.is_not(None),
                    web_session.c.created_at < now - timedelta(seconds=max_age_seconds),
                ),
            )
        )
        conn.execute(
            insert(web_session).values(
                org_id=org_id,
                member_id=member_id,
                token_hash=token_hash(token),
                created_at=now,
                method=method,
            )
        )
    return token


# The session of a token, not ended, bound at execution (live_session_of): a statement built once
# keeps its compiled form (this runs on every page view). Its names are not column names: an
# UPDATE reserves those for its SET clause.
LIVE_SESSION = and_(
    web_session.c.org_id == bindparam("session_org_id"),
    web_session.c.token_hash == bindparam("session_token_hash"),
    web_session.c.ended_at.is_(None),
)


def live_session_of(org_id: int, token: str) -> dict[str, object]:
    """The parameters of LIVE_SESSION for this token."""
    return {"session_org_id": org_id, "session_token_hash": token_hash(token)}


def end_session(store: Store, org_id: int, token: str) -> None:
    """End the session this token names (nothing when it names none, or one already ended)."""
    with store.write() as conn:
        conn.execute(
            update(web_session).where(LIVE_SESSION).values(ended_at=datetime.now(UTC)),
            live_session_of(org_id, token),
        )
