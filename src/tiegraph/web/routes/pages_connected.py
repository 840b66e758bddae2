"""Pages: a member connects a Google, Microsoft or other OAuth account from the settings page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.connectors.errors import ConnectorError
from tiegraph.errors import TiegraphError
from tiegraph.services.sync import account_apps, accounts
from tiegraph.web.pagination import PathId
from tiegraph.web.security import PageViewer, store_of
from tiegraph.web.templating import flash

router = APIRouter()
PENDING = "account_pending"
BACK = "/settings#accounts"


def connected_accounts(request: Request, viewer: PageViewer) -> dict[str, object]:
    """What the settings page shows: the member's accounts, and the apps to connect with."""
    store = store_of(request)
    apps = account_apps.list_apps(store, viewer.org)
    return {
        "accounts": accounts.list_accounts(store, viewer.org, viewer.member),
        "apps": [
            {"provider": a.provider, "name": a.name, "consent": a.kind.consent, "scopes": a.scopes}
            for a in apps
        ],
        "redirect_uri": str(request.url_for("account_callback")),
    }


# A link, not a form: the pages' Content-Security-Policy (form-action 'self') stops a form's
# redirect to another origin. Starting here only asks the provider; the state ties the way back
# to this session.
@router.get("/settings/accounts/connect/{provider}")
def account_connect(request: Request, viewer: PageViewer, provider: str) -> Response:
    """Off to the provider (authorization code with PKCE); it sends the browser back."""
    try:
        url, pending = accounts.begin_browser(
            store_of(request), viewer.org, provider[:20], str(request.url_for("account_callback"))
        )
    except (TiegraphError, ConnectorError) as exc:
        flash(request, f"Not connected: {exc}.")
        return RedirectResponse(BACK, status_code=303)
    request.session[PENDING] = pending.as_dict()
    return RedirectResponse(url, status_code=303)


@router.get("/settings/accounts/callback", name="account_callback")
def account_callback(
    request: Request,
    viewer: PageViewer,
    code: Annotated[str, Query(max_length=2000)] = "",
    state: Annotated[str, Query(max_length=200)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """The provider sends the browser back here with a code (or an error)."""
    pending = accounts.PendingConnection.from_dict(request.session.pop(PENDING, None))
    if pending is None:
        flash(request, "That connection expired or was started in another window: start again.")
    elif error or not code:
        flash(request, f"Not connected: the provider said {error or 'nothing'}.")
    else:
        try:
            found = accounts.finish_browser(
                store_of(request),
                viewer.org,
                viewer.member,
                pending,
                str(request.url_for("account_callback")),
                code=code,
                state=state,
            )
            flash(request, f"Connected: {found.provider} account {found.login}.")
        except (TiegraphError, ConnectorError) as exc:
            flash(request, f"Not connected: {exc}.")
    return RedirectResponse(BACK, status_code=303)


@router.post("/settings/accounts/{account_id}/disconnect")
def account_disconnect(request: Request, viewer: PageViewer, account_id: PathId) -> Response:
    store = store_of(request)
    mine = {a.id for a in accounts.list_accounts(store, viewer.org, viewer.member)}
    if account_id in mine:
        found = accounts.disconnect(store, viewer.org, account_id)
        flash(request, f"Disconnected: {found.provider} account {found.login}.")
    return RedirectResponse(BACK, status_code=303)
