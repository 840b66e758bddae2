"""Pages: the sign-in page, and single sign-on through the organization's OIDC provider."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.services.org import auth, sso, sso_sign_in
from tiegraph.web.security import SignInLimiter, Throttle, local_path, start_session, store_of
from tiegraph.web.templating import render

router = APIRouter()
PENDING = "sso_pending"
NextPath = Annotated[str, Query(max_length=2000)]


def render_sign_in(
    request: Request, next_path: str, *, email: str = "", error: str = "", status: int = 200
) -> Response:
    """The sign-in page: the password form, and a button per organization's provider."""
    providers = sso.orgs_with_sso(store_of(request))
    buttons = [
        {"slug": org.slug, "label": _label(config, org.name, len(providers) > 1)}
        for org, config in providers
    ]
    context = {"next": local_path(next_path, "/"), "email": email, "error": error}
    return render(request, "sign_in.html", {**context, "sso": buttons}, status=status)


def _label(config: sso.SsoConfig, org_name: str, several: bool) -> str:
    label = f"Sign in with {config.provider_name}"
    return f"{label} ({org_name})" if several else label


def _throttles(request: Request, org_slug: str) -> list[Throttle]:
    # Refused answers count per organization and client address, like failed passwords.
    limiter: SignInLimiter = request.app.state.limiter
    client = request.client.host if request.client else ""
    return [Throttle(("sso", org_slug, client), limiter.attempts)]


def _wait_out(request: Request, throttles: list[Throttle]) -> None:
    wait = request.app.state.limiter.retry_after(throttles)
    if wait:
        raise HTTPException(
            429,
            f"Too many refused sign-ins from here: try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )


def _callback_url(request: Request) -> str:
    return str(request.url_for("sso_callback"))


@router.get("/sign-in/sso/callback", name="sso_callback")
def sso_callback(
    request: Request,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
    iss: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """The provider sends the browser back here with a code (or an error)."""
    pending = sso_sign_in.PendingSignIn.from_dict(request.session.pop(PENDING, None))
    if pending is None or not secrets.compare_digest(state, pending.state):
        message = "This sign-in expired or was started in another window: start it again."
        return render_sign_in(request, "/", error=message, status=400)
    throttles = _throttles(request, pending.org_slug)
    _wait_out(request, throttles)
    if error or not code:
        message = f"The provider did not sign you in ({error or 'no code'}): try again."
        return render_sign_in(request, pending.next, error=message, status=401)
    try:
        signed_in = sso_sign_in.complete(
            store_of(request), pending, code, _callback_url(request), iss or None
        )
    except sso.SsoUnavailableError as exc:
        return render_sign_in(request, pending.next, error=f"{exc}.", status=503)
    except sso_sign_in.SsoRefusedError as exc:
        request.app.state.limiter.failed(throttles)
        return render_sign_in(request, pending.next, error=f"Not signed in: {exc}.", status=403)
    request.app.state.limiter.succeeded(throttles)
    start_session(
        request, signed_in, auth.password_hash_of(store_of(request), signed_in), method="sso"
    )
    return RedirectResponse(local_path(pending.next, "/"), status_code=303)


@router.get("/sign-in/sso/{org_slug}")
def sso_start(request: Request, org_slug: str, next: NextPath = "/") -> Response:
    """Send the browser to the organization's provider."""
    _wait_out(request, _throttles(request, org_slug[:64]))
    next_path = local_path(next, "/")
    try:
        url, pending = sso_sign_in.begin(
            store_of(request), org_slug[:64], _callback_url(request), next_path
        )
    except sso.SsoUnavailableError as exc:
        return render_sign_in(request, next_path, error=f"{exc}.", status=503)
    request.session[PENDING] = pending.as_dict()
    return RedirectResponse(url, status_code=303)
