"""A real OpenID Connect provider (node-oidc-provider, tests/oidc) run on loopback for SSO tests."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.servers import free_port, wait_for_port

from tiegraph.connectors import oauth
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync import account_apps, accounts
from tiegraph.store import Store

FOLDER = Path(__file__).resolve().parent / "oidc"
NODE = shutil.which("node") or ""
# .ci/run sets it: a missing node or `npm ci` then fails the tests instead of skipping them.
REQUIRE = os.environ.get("TIEGRAPH_REQUIRE_E2E", "") == "1"
CLIENT_ID = "tiegraph-tests"
CLIENT_SECRET = "test-client-secret-0123456789"


def needs_provider() -> None:
    missing = ""
    if not NODE:
        missing = "node (Node.js 20+) is not on PATH"
    elif not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        missing = f"oidc-provider is not installed: run `npm ci --prefix {FOLDER}` (.ci/run does)"
    if missing and REQUIRE:
        pytest.fail(f"TIEGRAPH_REQUIRE_E2E=1 but {missing}")
    if missing:
        pytest.skip(missing)


class OidcProvider:
    """The provider process; `accounts` maps a login to the claims it signs in with (re-read at
    every sign-in, so a test can change what the provider says about someone)."""

    def __init__(
        self,
        folder: Path,
        redirect_uri: str,
        access_ttl: int = 3600,
        post_logout_uri: str = "",
        *,
        rotate_refresh: bool = False,
    ) -> None:
        needs_provider()
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.accounts_file = folder / "accounts.json"
        self.log = folder / "oidc-provider.log"
        self.set_accounts({})
        env = {
            "PATH": os.environ.get("PATH", ""),
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_REDIRECT_URI": redirect_uri,  # several: separated by spaces
            "OIDC_ACCESS_TTL": str(access_ttl),
            "OIDC_POST_LOGOUT_URI": post_logout_uri or "http://127.0.0.1:9/",
            "OIDC_ACCOUNTS": str(self.accounts_file),
            "OIDC_ROTATE_REFRESH": "1" if rotate_refresh else "0",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [NODE, str(FOLDER / "provider.mjs")], env=env, stdout=log, stderr=log
            )
        wait_for_port(self.port, self.process, self.log)

    def set_accounts(self, accounts: dict[str, dict[str, object]]) -> None:
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- a person at the provider's pages (its devInteractions forms), without a browser ----------

_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input([^>]*)>")
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def _submit(http: httpx.Client, page: httpx.Response, login: str) -> httpx.Response:
    match = _FORM.search(page.text)
    assert match, f"no form at {page.url}: {page.text[:300]}"
    action, body = html.unescape(match.group(1)), match.group(2)
    form = {}
    for tag in _INPUT.findall(body):
        attributes = dict(_ATTRIBUTE.findall(tag))
        form[attributes["name"]] = html.unescape(attributes.get("value", ""))
    if "login" in form:
        form.update(login=login, password="any: the dev provider takes it")
    if "session/end" in action:
        form["logout"] = "yes"  # the "Yes, sign me out" button
    return http.post(str(page.url.join(action)), data=form)


def approve(
    url: str, login: str, *, stop_at: str = "", browser: httpx.Client | None = None
) -> httpx.Response:
    """Open `url` (an authorization request, a device's verification_uri_complete, a logout
    request), sign in as `login`, consent, confirm: the answer that leaves the provider (a
    redirect to `stop_at`) or its last page (the device flow's "success"). `browser` keeps the
    provider's cookies from one call to the next, as a browser would."""
    with contextlib.nullcontext(browser) if browser else httpx.Client(timeout=20) as http:
        page = http.get(url)
        for _ in range(12):
            if page.is_redirect:
                target = str(page.url.join(page.headers["location"]))
                if stop_at and target.startswith(stop_at):
                    return page
                page = http.get(target)
                continue
            if "<form" not in page.text:
                return page
            page = _submit(http, page, login)
        raise AssertionError(f"the provider's pages never ended: {page.url}")


def register_app(
    store: Store, org: Org, provider: OidcProvider, scopes: str = "openid email offline_access"
) -> None:
    """The organization's OAuth app at `provider` (the admin's one-time set-up)."""
    account_apps.set_app(
        store,
        org,
        provider="oidc",
        issuer=provider.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        scopes=scopes,
    )


def connect_by_device(
    store: Store,
    org: Org,
    login: str,
    *,
    member_email: str = "ana@us.example",
    sleep: Callable[[float], None] = lambda _: time.sleep(0.3),
    consents: list[str] | None = None,
) -> accounts.ConnectedAccount:
    """Connect the member's account by the device flow, `login` approving at the provider (in a
    thread, as the member would type the code while the CLI polls). `consents` gets the
    consent text the member was shown; `sleep` is each wait between polls."""

    def show(device: oauth.DeviceAuthorization, consent: str) -> None:
        if consents is not None:
            consents.append(consent)
        assert device.verification_uri_complete
        threading.Thread(target=approve, args=(device.verification_uri_complete, login)).start()

    owner = get_member(store, org, member_email)
    return accounts.connect_with_device(store, org, owner, "oidc", show, sleep)
