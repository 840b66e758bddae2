"""Pages: sign-in (rate-limited per account and address), sign-out, and the home redirect."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import InvalidInputError
from tiegraph.services.org import auth, sso_sign_in
from tiegraph.web.routes.pages_sso import render_sign_in
from tiegraph.web.security import (
    SignInLimiter,
    end_session_of,
    local_path,
    start_session,
    store_of,
)
from tiegraph.web.templating import flash, render

router = APIRouter()


def _safe_next(target: str) -> str:
    return local_path(target, "/")  # My day, the landing page


@router.get("/sign-in")
def sign_in_page(request: Request, next: str = "/") -> Response:
    return render_sign_in(request, next)


@router.post("/sign-in")
def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    organization: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    limiter: SignInLimiter = request.app.state.limiter
    store = store_of(request)
    client = request.client.host if request.client else ""
    accounts = auth.sign_in_accounts(store, email)  # of every organization: the strictest count
    throttles = limiter.throttles(email, client, accounts)
    wait = limiter.retry_after(throttles)
    if wait:
        raise HTTPException(
            429,
            f"Too many failed sign-ins for this account: try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    try:
        signed_in = auth.verify_sign_in(store, email, password, org_slug=organization or None)
    except InvalidInputError as exc:
        signed_in, error = None, str(exc)
    else:
        error = "Wrong email or password."
    if signed_in is None:
        limiter.failed(throttles)
        return render_sign_in(request, next, email=email, error=error, status=401)
    limiter.succeeded(throttles)
    start_session(request, signed_in, auth.password_hash_of(store, signed_in))
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    """End the session here; one that signed in through the provider ends there too: a page
    moves the browser on to the provider (the pages' form-action 'self' stops a redirect)."""
    org_id, how = request.session.get("oid"), request.session.get("how")
    end_session_of(request)
    if how == "sso" and isinstance(org_id, int):
        back = str(request.url_for("sign_in_page"))
        found = sso_sign_in.logout_url(store_of(request), org_id, back)
        if found is not None:
            return render(request, "signed_out.html", {"url": found[0], "provider": found[1]})
    flash(request, "Signed out.")
    return RedirectResponse("/sign-in", status_code=303)
