"""Who is asking: the session of a signed-in member, CSRF tokens, sign-in limits, API tokens."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import bindparam, delete, insert, select

from tiegraph.core.emails import sign_in_email
from tiegraph.errors import ForbiddenError
from tiegraph.services.org import auth
from tiegraph.services.org.members import Member, member_from_row
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store
from tiegraph.store.schema import member, organization, sign_in_failure, web_session
from tiegraph.web import sessions
from tiegraph.web.sign_in import SignInRequired

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Viewer:
    """The signed-in member and their organization: every service call passes them on."""

    org: Org
    member: Member

    @property
    def is_admin(self) -> bool:
        return self.member.role == "admin"


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _fingerprint(password_hash: str | None) -> str:
    # A new password ends the sessions signed in with the old one.
    return (password_hash or "")[-12:]


def start_session(
    request: Request,
    signed_in: auth.SignedIn,
    password_hash: str | None,
    method: str = "password",
) -> None:
    """A new session for the member (the one this browser had, if any, ends); `method`:
    password or sso."""
    store, settings = store_of(request), request.app.state.settings
    end_session_of(request)
    token = sessions.open_session(
        store, signed_in.org.id, signed_in.member.id, settings.session_max_age, method
    )
    request.session.update(
        {
            "mid": signed_in.member.id,
            "oid": signed_in.org.id,
            "sid": token,
            "pw": _fingerprint(password_hash),
            "csrf": secrets.token_urlsafe(24),
            "how": method,
        }
    )


def end_session_of(request: Request) -> None:
    """Sign this browser out: its session ends in the store, so a copy of the cookie is
    worthless too, and the cookie is emptied."""
    org_id, token = request.session.get("oid"), request.session.get("sid")
    if isinstance(org_id, int) and isinstance(token, str):
        sessions.end_session(store_of(request), org_id, token)
    request.session.clear()


def csrf_token(request: Request) -> str:
    """This session's CSRF token (one is made for an anonymous visitor too: the sign-in form)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return str(token)


# Built once with bound parameters: SQLAlchemy then reuses its compiled form and cache key, not
# building them afresh on every page view (a few hundred microseconds each).
SESSION_VIEWER = (
    select(*auth.MEMBER_WITH_ORG)
    .join(organization, organization.c.id == member.c.org_id)
    .join(
        web_session,
        (web_session.c.org_id == member.c.org_id) & (web_session.c.member_id == member.c.id),
    )
    .where(
        member.c.org_id == bindparam("session_org_id"),
        member.c.id == bindparam("member_id"),
        member.c.archived_at.is_(None),
        sessions.LIVE_SESSION,
    )
)


def _session_viewer(request: Request) -> Viewer | None:
    member_id, org_id = request.session.get("mid"), request.session.get("oid")
    token = request.session.get("sid")
    if not isinstance(member_id, int) or not isinstance(org_id, int) or not isinstance(token, str):
        return None
    with store_of(request).read() as conn:
        # One round trip: this runs on every page view.
        row = conn.execute(
            SESSION_VIEWER, {"member_id": member_id, **sessions.live_session_of(org_id, token)}
        ).first()
    if row is None or _fingerprint(row.password_hash) != request.session.get("pw"):
        return None
    org = Org(row.org_id, row.org_slug, row.org_name, bool(row.org_sharing))
    return Viewer(org, member_from_row(row))


def page_viewer(request: Request) -> Viewer:
    """The signed-in member of a page; without one the browser goes to the sign-in page."""
    viewer = _session_viewer(request)
    if viewer is None:
        request.session.clear()
        raise SignInRequired()
    request.state.viewer = viewer
    return viewer


# Declares the API's bearer tokens in the OpenAPI document (the docs page's Authorize); the
# header is read below, so that a missing token is a 401 in the one error envelope.
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="ApiToken",
    description="A personal API token (Settings → API tokens): `Authorization: Bearer tg_…`.",
)


def api_viewer(
    request: Request, declared: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]
) -> Viewer:
    """The member an API request's bearer token belongs to (401 without a valid one)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    signed_in = None
    if scheme.lower() == "bearer" and token.strip():  # the header `declared` documents
        signed_in = auth.member_for_token(store_of(request), token.strip())
    if signed_in is None:
        raise HTTPException(
            401,
            "Send a valid API token: 'Authorization: Bearer tg_…' (create one in Settings)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Viewer(signed_in.org, signed_in.member)


PageViewer = Annotated[Viewer, Depends(page_viewer)]
ApiViewer = Annotated[Viewer, Depends(api_viewer)]


def local_path(target: str, default: str) -> str:
    """`target` when it is a path of this site, else `default`: never an open redirect (a
    browser reads "//host" and "/\\host" as another site)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def require_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise ForbiddenError("this organization setting needs an admin")


async def check_csrf(request: Request) -> None:
    """Every unsafe page request carries the session's CSRF token, in the form or a header;
    and no field of its form holds a NUL character (see refuse_nul)."""
    if request.method not in UNSAFE:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER, "")
    content_type = request.headers.get("content-type", "")
    form = None
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
    if not sent and form is not None:
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise HTTPException(
            403, "This form expired or was not sent from tiegraph: reload the page and try again."
        )
    if form is not None:
        refuse_nul(form.multi_items())


def refuse_nul(fields: Iterable[tuple[str, Any]]) -> None:
    """A form field holding a NUL character is refused (422, naming the field) before any
    page sees it: PostgreSQL refuses one in text and SQLite cuts strings at it, and a page
    that stored the rest would keep something else than was typed. Files are read apart."""
    for name, value in fields:
        if isinstance(value, str) and "\x00" in value:
            shown = "".join(ch for ch in name if ch.isprintable())[:60]
            raise HTTPException(
                422,
                f"The field {shown!r} holds a NUL character (0x00), which cannot be stored: "
                "remove it and send the form again.",
            )


# Failed sign-ins of one account from all addresses together before it waits out the window:
# this many times the per-address limit, so that guessing from many addresses is bounded too.
ACCOUNT_FACTOR = 4


@dataclass(frozen=True)
class Throttle:
    """One count of failed sign-ins: its key, and the failures it allows in the window."""

    key: tuple[str, ...]
    attempts: int


class SignInLimiter:
    """Failed sign-ins per account and client address, and per account from anywhere, in a
    sliding window, kept in the store so that every worker of `tiegraph serve --workers N`
    counts the same failures.

    An account is both the email as typed (in its one sign-in form: no other spelling of it
    escapes the count) and every member it may name, so another address of the same member
    shares the count too."""

    def __init__(self, store: Store, attempts: int, window_seconds: float) -> None:
        self.store, self.attempts, self.window = store, attempts, window_seconds

    def throttles(self, email: str, client: str, member_ids: list[int]) -> list[Throttle]:
        accounts = [("email", sign_in_email(email))] + [("member", str(m)) for m in member_ids]
        per_client = [Throttle((*account, client), self.attempts) for account in accounts]
        everywhere = self.attempts * ACCOUNT_FACTOR
        return per_client + [Throttle((*account, "*"), everywhere) for account in accounts]

    @staticmethod
    def _key(key: tuple[str, ...]) -> str:
        return hashlib.sha256("\0".join(key).encode()).hexdigest()

    def retry_after(self, throttles: list[Throttle]) -> int:
        """Seconds until these counts allow another try; 0 when they do now."""
        now = time.time()
        hashed = {self._key(t.key): t for t in throttles}
        with self.store.read() as conn:
            rows = conn.execute(
                select(sign_in_failure.c.key, sign_in_failure.c.failed_at).where(
                    sign_in_failure.c.key.in_(sorted(hashed)),
                    sign_in_failure.c.failed_at > now - self.window,
                )
            ).all()
        wait = 0
        for key, throttle in hashed.items():
            times = sorted((r.failed_at for r in rows if r.key == key), reverse=True)
            if len(times) >= throttle.attempts:
                oldest_counted = times[throttle.attempts - 1]
                wait = max(wait, max(1, int(oldest_counted + self.window - now) + 1))
        return wait

    def failed(self, throttles: list[Throttle]) -> None:
        now = time.time()
        with self.store.write() as conn:
            # Failures out of the window count no more: each failure clears every old one (the
            # table holds one window of failures; each costs a password hash, so not many).
            conn.execute(
                delete(sign_in_failure).where(sign_in_failure.c.failed_at <= now - self.window)
            )
            conn.execute(
                insert(sign_in_failure),
                [{"key": self._key(t.key), "failed_at": now} for t in throttles],
            )

    def succeeded(self, throttles: list[Throttle]) -> None:
        """Forget these counts; without any failure, no write: a sign-in needs no write lock."""
        hashed = sorted({self._key(t.key) for t in throttles})
        with self.store.read() as conn:
            found = conn.execute(
                select(sign_in_failure.c.key).where(sign_in_failure.c.key.in_(hashed)).limit(1)
            ).first()
        if found is None:
            return
        with self.store.write() as conn:
            conn.execute(delete(sign_in_failure).where(sign_in_failure.c.key.in_(hashed)))
