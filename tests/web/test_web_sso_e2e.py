"""Single sign-on end to end: Debian's Chromium, a real uvicorn server and a real OpenID Connect
provider (node-oidc-provider on loopback): first sign-in links, later ones go by subject, an
unknown email is refused, password sign-in switched off, and signing out ends the session."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, needs_provider
from tests.servers import free_port
from tests.web.conftest import PASSWORD, running_app, settings
from tests.web.test_web_e2e import ARGS, ARTIFACTS, CHROMIUM, _needs_chromium

from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import resolve_org
from tiegraph.services.org.sso import set_sso
from tiegraph.services.sync import account_apps, accounts
from tiegraph.store import open_store
from tiegraph.web.app import create_app

pytestmark = pytest.mark.e2e
SECRET_KEY = "e2e-server-secret-0123456789abcdef"
ACCOUNTS = {
    "ana-sub": {"email": "ana@us.example", "email_verified": True, "name": "Ana Lima"},
    "cy-sub": {"email": "cy@us.example", "email_verified": False, "name": "Cy Ode"},
    "eve-sub": {"email": "eve@elsewhere.example", "email_verified": True, "name": "Eve"},
}


@pytest.fixture(scope="module")
def app_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def provider(app_port: int, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    _needs_chromium()
    needs_provider()
    callback = (
        f"http://127.0.0.1:{app_port}/sign-in/sso/callback "
        f"http://127.0.0.1:{app_port}/settings/accounts/callback"
    )
    running = OidcProvider(
        tmp_path_factory.mktemp("oidc"),
        callback,
        post_logout_uri=f"http://127.0.0.1:{app_port}/sign-in",
    )
    yield running
    running.close()


@pytest.fixture
def server(
    built_db: Path,
    tmp_path: Path,
    app_port: int,
    provider: OidcProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[str, Any]]:
    """The app on the port the provider knows, SSO configured (client secret sealed)."""
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", SECRET_KEY)
    provider.set_accounts(ACCOUNTS)
    path = tmp_path / "sso.db"
    shutil.copy(built_db, path)
    store = open_store(f"sqlite:///{path}")
    org = resolve_org(store)
    set_sso(store, org, issuer=provider.issuer, client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET, provider_name="Test IdP")  # fmt: skip
    app = create_app(store, settings(tmp_path))
    with running_app(app, app_port) as url:
        yield url, store
    store.dispose()


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def new_tab(browser: Any) -> Any:
    """A tab of a fresh context (its own cookies: another person at another computer)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # The provider's dev pages link a web font: nothing leaves loopback.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    return tab


def sso_sign_in(tab: Any, base: str, login: str) -> None:
    """Click "Sign in with Test IdP", then sign in and consent at the provider as `login`."""
    tab.goto(f"{base}/sign-in")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Sign in with Test IdP").click()
    for _ in range(4):
        if tab.url.startswith(base):
            return
        with tab.expect_navigation(url=re.compile(r".*")):
            if tab.locator('input[name="login"]').count():
                tab.fill('input[name="login"]', login)
                tab.fill('input[name="password"]', "any password: the dev provider takes it")
                tab.click("button[type=submit]")
            else:
                tab.get_by_role("button", name="Continue").click()
    assert tab.url.startswith(base), tab.url


def test_sso_links_signs_in_by_subject_refuses_strangers_and_signs_out(
    server: tuple[str, Any], provider: OidcProvider, chromium: Any
) -> None:
    base, _ = server
    tab = new_tab(chromium)
    sso_sign_in(tab, base, "ana-sub")  # first sign-in: linked to Ana by her verified email
    assert tab.url == f"{base}/"  # My day, the landing page
    tab.goto(f"{base}/settings")
    assert "Single sign-on" in tab.content() and "Test IdP" in tab.content()
    tab.screenshot(path=str(ARTIFACTS / "sso-settings.png"), full_page=True)
    cookies = tab.context.cookies()
    # Signed in through the provider: signing out ends the session there too (it asks first).
    tab.get_by_role("button", name="Sign out").click()
    tab.wait_for_url(re.compile(r".*/session/end.*"))
    with tab.expect_navigation(url=re.compile(rf"^{re.escape(base)}/sign-in")):
        tab.get_by_role("button", name="Yes, sign me out").click()
    assert tab.url.startswith(f"{base}/sign-in")
    jar = {c["name"]: c["value"] for c in cookies}
    with httpx.Client(base_url=base, cookies=jar) as stolen:
        assert stolen.get("/gallery").status_code == 303  # the old cookie opens nothing any more

    # The provider now says Ana's account has Bo's address: she is still Ana, never Bo.
    provider.set_accounts(
        {**ACCOUNTS, "ana-sub": {**ACCOUNTS["ana-sub"], "email": "bo@us.example"}}
    )
    again = new_tab(chromium)
    sso_sign_in(again, base, "ana-sub")
    again.goto(f"{base}/settings")
    assert "Ana Lima ·" in again.content() and "Bo Chen ·" not in again.content()

    stranger = new_tab(chromium)
    sso_sign_in(stranger, base, "eve-sub")
    assert "/sign-in/sso/callback" in stranger.url
    assert "eve@elsewhere.example is not a member of" in stranger.content()
    stranger.screenshot(path=str(ARTIFACTS / "sso-refused.png"), full_page=True)
    assert stranger.request.get(f"{base}/gallery", max_redirects=0).status == 303

    unverified = new_tab(chromium)
    sso_sign_in(unverified, base, "cy-sub")
    assert "does not say cy@us.example is verified" in unverified.content()


def test_password_sign_in_off_refuses_passwords_keeps_tokens_and_sso(
    server: tuple[str, Any], chromium: Any
) -> None:
    base, store = server
    org = resolve_org(store)
    _, token = create_token(store, org, get_member(store, org, "bo@us.example"), "crm")
    admin = new_tab(chromium)
    admin.goto(f"{base}/sign-in")
    admin.fill('input[name="email"]', "ana@us.example")
    admin.fill('input[name="password"]', PASSWORD)
    with admin.expect_navigation():
        admin.get_by_role("button", name="Sign in", exact=True).click()
    admin.goto(f"{base}/settings#sso")
    admin.uncheck('input[name="enabled"]')
    with admin.expect_navigation():
        admin.get_by_role("button", name="Save password sign-in").click()
    assert "Password sign-in is off." in admin.content()

    bo = new_tab(chromium)
    bo.goto(f"{base}/sign-in")
    bo.fill('input[name="email"]', "bo@us.example")
    bo.fill('input[name="password"]', PASSWORD)
    with bo.expect_navigation():
        bo.get_by_role("button", name="Sign in", exact=True).click()
    assert "Password sign-in is off for" in bo.content()
    assert "Sign in with Test IdP" in bo.content()
    bo.screenshot(path=str(ARTIFACTS / "sso-password-off.png"), full_page=True)

    api = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200, api.text

    sso_sign_in(admin.context.new_page(), base, "ana-sub")


def test_a_member_connects_an_account_from_settings(
    server: tuple[str, Any], provider: OidcProvider, chromium: Any
) -> None:
    """Settings → Connect: off to the provider, sign in and consent, back to "Connected"."""
    base, store = server
    org = resolve_org(store)
    account_apps.set_app(
        store,
        org,
        provider="oidc",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )
    tab = new_tab(chromium)
    sso_sign_in(tab, base, "ana-sub")
    tab.goto(f"{base}/settings#accounts")
    with tab.expect_navigation(url=re.compile(r".*")):
        tab.get_by_role("link", name=f"Connect {provider.issuer}").click()
    for _ in range(4):
        if tab.url.startswith(base):
            break
        with tab.expect_navigation(url=re.compile(r".*")):
            if tab.locator('input[name="login"]').count():
                tab.fill('input[name="login"]', "ana-sub")
                tab.fill('input[name="password"]', "any password: the dev provider takes it")
                tab.click("button[type=submit]")
            else:
                tab.get_by_role("button", name="Continue").click()
    assert tab.url == f"{base}/settings#accounts", tab.url
    flashed = tab.locator(".flash").all_inner_texts()
    assert "Connected: oidc account ana@us.example." in flashed, flashed
    tab.screenshot(path=str(ARTIFACTS / "accounts-connected.png"), full_page=True)
    [account] = accounts.list_accounts(store, org)
    assert account.member_email == "ana@us.example" and account.status == "connected"
