"""Signing out of a session that signed in through the provider ends it at the provider too
(OpenID Connect RP-Initiated Logout 1.0), against the real node-oidc-provider."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, approve

from tiegraph.services.org.orgs import resolve_org
from tiegraph.services.org.sso import set_sso
from tiegraph.store import Store

BASE = "http://testserver"
CALLBACK = f"{BASE}/sign-in/sso/callback"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(
        tmp_path_factory.mktemp("oidc"), CALLBACK, post_logout_uri=f"{BASE}/sign-in"
    )
    running.set_accounts(
        {"ana-sub": {"email": "ana@us.example", "email_verified": True, "name": "Ana Lima"}}
    )
    yield running
    running.close()


def signed_in_at_provider(client: TestClient, browser: httpx.Client) -> bool:
    """Start a sign-in: does the provider send the browser straight back (it knows it)?"""
    url = client.get("/sign-in/sso/default", follow_redirects=False).headers["location"]
    page = browser.get(url)
    while page.is_redirect:
        target = str(page.url.join(page.headers["location"]))
        if target.startswith(CALLBACK):
            return True
        page = browser.get(target)
    assert 'name="login"' in page.text
    return False


def test_signing_out_ends_the_session_at_the_provider(
    app: FastAPI, web_store: Store, provider: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "sso-logout-test-secret-0123456789")
    set_sso(
        web_store,
        resolve_org(web_store),
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        provider_name="Test IdP",
    )
    client = TestClient(app, base_url=BASE)
    with httpx.Client(timeout=20) as browser:
        url = client.get("/sign-in/sso/default", follow_redirects=False).headers["location"]
        back = approve(url, "ana-sub", stop_at=CALLBACK, browser=browser)
        assert client.get(back.headers["location"], follow_redirects=False).status_code == 303
        page = client.get("/settings")
        assert page.status_code == 200 and "Ana Lima ·" in page.text
        assert signed_in_at_provider(client, browser)

        marker = 'name="csrf_token" value="'
        token = page.text[page.text.index(marker) + len(marker) :].split('"', 1)[0]
        out = client.post("/sign-out", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 200 and "Sign out at Test IdP too" in out.text
        refresh = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', out.text)
        assert refresh is not None
        end = html.unescape(refresh.group(1))
        assert end.startswith(f"{provider.issuer}/session/end?client_id={CLIENT_ID}")
        assert client.get("/settings", follow_redirects=False).status_code == 303  # ended here
        done = approve(end, "", stop_at=f"{BASE}/sign-in", browser=browser)
        assert done.headers["location"].startswith(f"{BASE}/sign-in")
        assert not signed_in_at_provider(client, browser)  # and there


def test_a_password_session_signs_out_here_only(app: FastAPI, web_store: Store) -> None:
    from tests.web.conftest import sign_in

    ana = sign_in(app, "ana@us.example")
    assert ana.post("/sign-out").headers["location"] == "/sign-in"  # type: ignore[attr-defined]
