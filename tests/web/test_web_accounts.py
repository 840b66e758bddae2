"""A member connects an account from the settings page: off to the real OpenID Connect provider
(code + PKCE), back with the code; a revoked grant shows "reconnect" on the same page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, approve
from tests.web.conftest import Browser

from tiegraph.services.org.orgs import resolve_org
from tiegraph.services.sync import account_apps, accounts
from tiegraph.store import Store

CALLBACK = "http://testserver/settings/accounts/callback"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), CALLBACK)
    yield running
    running.close()


def test_connect_from_settings_then_reconnect(
    ana: Browser,
    bo: Browser,
    web_store: Store,
    provider: OidcProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "web-accounts-test-secret-0123456789")
    page = ana.client.get("/settings").text
    assert "can be connected once an admin registers tiegraph" in page and CALLBACK in page
    assert CALLBACK not in bo.client.get("/settings").text  # the redirect URI: admins' business
    org = resolve_org(web_store)
    account_apps.set_app(
        web_store,
        org,
        provider="oidc",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    page = ana.client.get("/settings").text
    assert "Connect " + provider.issuer in page and "nothing is written back" in page

    started = ana.client.get("/settings/accounts/connect/oidc", follow_redirects=False)
    assert started.status_code == 303 and 'href="/settings/accounts/connect/oidc"' in page
    url = started.headers["location"]
    assert url.startswith(provider.issuer) and "code_challenge_method=S256" in url
    back = approve(url, "ana-sub", stop_at=CALLBACK)
    # Bo cannot finish Ana's connection: the pending state lives in Ana's session.
    stolen = bo.client.get(back.headers["location"], follow_redirects=False)
    assert stolen.status_code == 303 and not accounts.list_accounts(web_store, org)
    done = ana.client.get(back.headers["location"], follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/settings#accounts"
    page = ana.client.get("/settings").text
    assert "Connected: oidc account ana-sub" in page and "Reconnect " in page
    [account] = accounts.list_accounts(web_store, org)
    assert account.member_email == "ana@us.example"

    accounts.mark_reconnect(web_store, org, account.id, "the provider refused the grant")
    page = ana.client.get("/settings").text
    assert "reconnect</span> (the provider refused the grant)" in page
    assert "ana-sub" not in bo.client.get("/settings").text  # one member's accounts only
    assert ana.post(f"/settings/accounts/{account.id}/disconnect").status_code == 303  # type: ignore[attr-defined]
    assert not accounts.list_accounts(web_store, org)


def test_a_callback_without_a_connection_started(ana: Browser) -> None:
    answer = ana.client.get("/settings/accounts/callback?code=x&state=y")
    assert "That connection expired" in answer.text
