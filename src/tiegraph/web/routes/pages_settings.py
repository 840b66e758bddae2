"""Pages: the member's settings (sharing, password, API tokens) and the organization's (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from tiegraph.errors import InvalidInputError
from tiegraph.services.org import auth, sso
from tiegraph.services.org.members import list_members, set_member_sharing
from tiegraph.services.org.orgs import rename_org
from tiegraph.store.schema import member
from tiegraph.web import sessions
from tiegraph.web.pagination import PathId
from tiegraph.web.routes.pages_connected import connected_accounts
from tiegraph.web.routes.pages_intro_settings import intro_settings
from tiegraph.web.security import PageViewer, require_admin, start_session, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()


def _settings(request: Request, viewer: PageViewer, new_token: str = "") -> Response:
    store = store_of(request)
    context = {
        "tokens": auth.list_tokens(store, viewer.org, viewer.member),
        "new_token": new_token,
        "members": len(list_members(store, viewer.org)),
        "sso": _sso_settings(request, viewer),
        "connected": connected_accounts(request, viewer),
        **intro_settings(request, viewer),
    }
    return render(request, "settings.html", context)


@router.get("/settings")
def settings_page(request: Request, viewer: PageViewer) -> Response:
    return _settings(request, viewer)


@router.post("/settings/sharing")
def sharing(
    request: Request,
    viewer: PageViewer,
    contact_sync: Annotated[bool, Form()] = False,
    activity_sharing: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    set_member_sharing(
        store_of(request),
        viewer.org,
        viewer.member,
        contact_sync=contact_sync,
        activity_sharing=activity_sharing,
    )
    flash(request, "Sharing saved.")
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/password")
def password(
    request: Request,
    viewer: PageViewer,
    current: Annotated[str, Form(max_length=1000)],
    new: Annotated[str, Form(max_length=1000)],
) -> RedirectResponse:
    store = store_of(request)
    if auth.verify_sign_in(store, viewer.member.email, current, org_slug=viewer.org.slug) is None:
        raise InvalidInputError("the current password is wrong")
    auth.set_password(store, viewer.org, viewer.member, new)
    with store.read() as conn:
        new_hash = conn.execute(
            select(member.c.password_hash).where(member.c.id == viewer.member.id)
        ).scalar_one()
    method = str(request.session.get("how") or "password")  # a new password, the same sign-in
    start_session(request, auth.SignedIn(viewer.org, viewer.member), new_hash, method)
    flash(request, "Password changed; other sessions are signed out.")
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/tokens")
def create_token(
    request: Request, viewer: PageViewer, name: Annotated[str, Form(max_length=200)]
) -> Response:
    """The new token is shown on this answer only (not after a redirect: it is never stored)."""
    _, clear = auth.create_token(store_of(request), viewer.org, viewer.member, name)
    return _settings(request, viewer, new_token=clear)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(request: Request, viewer: PageViewer, token_id: PathId) -> RedirectResponse:
    auth.revoke_token(store_of(request), viewer.org, viewer.member, token_id)
    flash(request, "Token revoked.")
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/organization")
def organization(
    request: Request, viewer: PageViewer, name: Annotated[str, Form(max_length=200)]
) -> RedirectResponse:
    require_admin(viewer)
    if not name.strip():
        raise InvalidInputError("the organization needs a name")
    rename_org(store_of(request), viewer.org, " ".join(name.split()))
    flash(request, "Organization renamed.")
    return RedirectResponse("/settings", status_code=303)


def _sso_settings(request: Request, viewer: PageViewer) -> dict[str, object]:
    """What an admin sees of single sign-on, and the redirect URI to register at the provider."""
    if not viewer.is_admin:
        return {}
    config = sso.get_sso(store_of(request), viewer.org)
    return {
        "config": config.as_dict() if config else None,
        "secret_env": config.secret_env if config else "",
        "redirect_uri": str(request.url_for("sso_callback")),
    }


@router.post("/settings/sso")
def sso_settings(
    request: Request,
    viewer: PageViewer,
    issuer: Annotated[str, Form(max_length=500)] = "",
    client_id: Annotated[str, Form(max_length=500)] = "",
    client_secret: Annotated[str, Form(max_length=2000)] = "",
    client_secret_env: Annotated[str, Form(max_length=200)] = "",
    provider_name: Annotated[str, Form(max_length=60)] = "",
    action: Annotated[str, Form(max_length=10)] = "save",
) -> RedirectResponse:
    require_admin(viewer)
    store = store_of(request)
    if action == "remove":
        sso.remove_sso(store, viewer.org)
        flash(request, "Single sign-on removed.")
    else:
        sso.set_sso(
            store,
            viewer.org,
            issuer=issuer,
            client_id=client_id,
            client_secret=client_secret or None,
            client_secret_env=client_secret_env.strip() or None,
            provider_name=provider_name,
        )
        flash(request, "Single sign-on saved.")
    return RedirectResponse("/settings#sso", status_code=303)


@router.post("/settings/password-sign-in")
def password_sign_in(
    request: Request, viewer: PageViewer, enabled: Annotated[bool, Form()] = False
) -> RedirectResponse:
    require_admin(viewer)
    token = request.session.get("sid")
    keep = sessions.token_hash(token) if isinstance(token, str) else None
    sso.set_password_sign_in(store_of(request), viewer.org, enabled, keep_session=keep)
    flash(request, f"Password sign-in is {'on' if enabled else 'off'}.")
    return RedirectResponse("/settings#sso", status_code=303)
