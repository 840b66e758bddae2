"""Connected accounts against a real OpenID Connect provider (node-oidc-provider on loopback):
the device flow and the code flow with PKCE connect, tokens are sealed at rest, refreshed
before they expire, and a revoked grant turns the account to "reconnect", never a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select, text
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider, approve, register_app
from tests.oidc_provider import connect_by_device as device_connect

from tiegraph.connectors import oauth
from tiegraph.errors import InvalidInputError, NotFoundError
from tiegraph.services.org.members import add_member, get_member
from tiegraph.services.org.orgs import Org, resolve_org
from tiegraph.services.sync import account_apps, accounts
from tiegraph.services.sync.passwords import unseal
from tiegraph.store import Store
from tiegraph.store.schema import connected_account

CALLBACK = "http://127.0.0.1:9/settings/accounts/callback"
SECRET_KEY = "accounts-test-server-secret-0123456789"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), CALLBACK)
    yield running
    running.close()


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", SECRET_KEY)


def org_with_app(store: Store, provider: OidcProvider) -> Org:
    org = resolve_org(store)
    add_member(store, org, email="ana@us.example", name="Ana Lima")
    register_app(store, org, provider, scopes="openid email offline_access mail.read")
    return org


def connect_by_device(store: Store, org: Org, login: str) -> accounts.ConnectedAccount:
    asked: list[float] = []
    shown: list[str] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        threading.Event().wait(0.3)  # the member types the code meanwhile

    found = device_connect(store, org, login, sleep=sleep, consents=shown)
    assert "nothing is written back" in shown[0]
    # oidc-provider's device answer names no interval: RFC 8628 says poll every 5 s.
    assert asked and set(asked) == {5}
    return found


def test_device_flow_connects_and_seals_the_tokens(store: Store, provider: OidcProvider) -> None:
    org = org_with_app(store, provider)
    account = connect_by_device(store, org, "user1")
    assert account.status == "connected" and account.login == "user1"
    assert "offline_access" in account.scope and account.expires_at is not None
    with store.read() as conn:
        row = conn.execute(select(connected_account)).one()
        dump = json.dumps(
            [list(map(str, r)) for r in conn.execute(text("SELECT * FROM connected_account"))]
        )
    token = accounts.access_token(store, org, account.id)
    assert token not in dump and unseal(row.access_sealed) == token
    assert row.refresh_sealed and unseal(row.refresh_sealed) not in dump
    assert "access_sealed" not in repr(account) and token not in repr(account)
    # The token works at the provider: it names the account that approved.
    answer = httpx.get(f"{provider.issuer}/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.json()["sub"] == "user1"


def test_refreshed_before_expiry_then_revoked_means_reconnect(
    store: Store, provider: OidcProvider
) -> None:
    org = org_with_app(store, provider)
    account = connect_by_device(store, org, "user2")
    first = accounts.access_token(store, org, account.id)
    assert accounts.access_token(store, org, account.id) == first  # far from expiry: kept
    # Four minutes before expiry: inside the margin, so a new token comes first.
    soon = account.expires_at - timedelta(minutes=4)  # type: ignore[operator]
    second = accounts.access_token(store, org, account.id, now=soon)
    assert second != first
    [again] = accounts.list_accounts(store, org)
    assert again.refreshed_at is not None and again.expires_at >= account.expires_at  # type: ignore[operator]

    # The member revokes tiegraph at the provider: the refresh token is refused.
    with store.read() as conn:
        sealed = conn.execute(select(connected_account.c.refresh_sealed)).scalar_one()
    client = account_apps.oauth_client(account_apps.get_app(store, org, "oidc"))
    oauth.revoke(client, unseal(sealed))
    with pytest.raises(accounts.ReconnectError, match="reconnect: oidc account user2"):
        accounts.access_token(store, org, account.id, force=True)
    [gone] = accounts.list_accounts(store, org)
    assert gone.status == "reconnect" and "revoked" in (gone.status_reason or "")
    with pytest.raises(accounts.ReconnectError):  # no network needed to say so again
        accounts.access_token(store, org, account.id)

    # Connecting again mends the same account.
    mended = connect_by_device(store, org, "user2")
    assert mended.id == account.id and mended.status == "connected"


def test_code_flow_with_pkce_and_state(sqlite_store: Store, provider: OidcProvider) -> None:
    org = org_with_app(sqlite_store, provider)
    owner = get_member(sqlite_store, org, "ana@us.example")
    url, started = accounts.begin_browser(sqlite_store, org, "oidc", CALLBACK)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["prompt"] == ["consent"]
    assert started.code_verifier not in url and query["state"] == [started.state]
    back = approve(url, "user3", stop_at=CALLBACK)
    answer = parse_qs(urlsplit(back.headers["location"]).query)
    with pytest.raises(InvalidInputError, match="state"):
        accounts.finish_browser(
            sqlite_store, org, owner, started, CALLBACK, code=answer["code"][0], state="forged"
        )
    account = accounts.finish_browser(
        sqlite_store,
        org,
        owner,
        started,
        CALLBACK,
        code=answer["code"][0],
        state=answer["state"][0],
    )
    assert account.login == "user3" and account.status == "connected"
    with pytest.raises(oauth.GrantRevokedError):  # a code works once
        accounts.finish_browser(
            sqlite_store,
            org,
            owner,
            started,
            CALLBACK,
            code=answer["code"][0],
            state=answer["state"][0],
        )


def test_apps_are_checked_and_secrets_never_shown(sqlite_store: Store) -> None:
    org = resolve_org(sqlite_store)
    with pytest.raises(NotFoundError, match="account app set --provider google"):
        account_apps.get_app(sqlite_store, org, "google")
    with pytest.raises(InvalidInputError, match="--provider 'yahoo'"):
        account_apps.set_app(sqlite_store, org, provider="yahoo", client_id="x")
    with pytest.raises(InvalidInputError, match="--issuer"):
        account_apps.set_app(sqlite_store, org, provider="oidc", client_id="x")
    with pytest.raises(InvalidInputError, match="--tenant"):
        account_apps.set_app(
            sqlite_store, org, provider="microsoft", client_id="x", tenant="a b/../c"
        )
    app = account_apps.set_app(
        sqlite_store,
        org,
        provider="microsoft",
        client_id="x",
        client_secret="very-secret-value",
        tenant="contoso.example",
    )
    assert app.issuer == "https://login.microsoftonline.com/contoso.example/v2.0"
    assert "Mail.ReadBasic" in app.scopes and "Mail.Read " not in app.scopes + " "
    assert "very-secret-value" not in json.dumps(app.as_dict())
    google = account_apps.set_app(
        sqlite_store, org, provider="google", client_id="g", client_secret_env="GOOGLE_SECRET"
    )
    assert "contacts.readonly" in google.scopes and "calendar.readonly" in google.scopes
    assert google.as_dict()["client_secret"] == "$GOOGLE_SECRET (NOT set)"


class DevicePolls(BaseHTTPRequestHandler):
    """A token endpoint answering as RFC 8628 §3.5 has it: pending, slow_down, then tokens."""

    answers: ClassVar[list[tuple[int, dict[str, object]]]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        status, body = self.answers.pop(0)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


def test_device_polling_honours_slow_down_and_denial() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), DevicePolls)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/token"
    client = oauth.Client(oauth.Endpoints(url, url, url), "cli")
    device = oauth.DeviceAuthorization("d", "ABCD", url, None, 2e9, oauth.DEFAULT_INTERVAL)
    pending = (400, {"error": "authorization_pending"})
    DevicePolls.answers[:] = [
        pending,
        (400, {"error": "slow_down"}),
        pending,
        (400, {"error": "slow_down"}),
        (200, {"access_token": "a", "expires_in": 60, "token_type": "Bearer"}),
    ]
    waits: list[float] = []
    tokens = oauth.poll_device(client, device, waits.append)
    assert waits == [5, 5, 10, 10, 15] and tokens.access_token == "a"
    DevicePolls.answers[:] = [pending, (400, {"error": "access_denied"})]
    with pytest.raises(oauth.AuthorizationDeniedError, match="access_denied"):
        oauth.poll_device(client, device, waits.append)
    expired = oauth.DeviceAuthorization(
        "d", "ABCD", url, None, datetime.now(UTC).timestamp() - 1, 5
    )
    with pytest.raises(oauth.AuthorizationDeniedError, match="expired"):
        oauth.poll_device(client, expired, waits.append)
    server.shutdown()
    server.server_close()


def test_cli_registers_the_app_and_connects_by_device_code(
    provider: OidcProvider, tmp_path: Path
) -> None:
    """`account app set` seals the secret read from stdin; `account connect` prints where to
    go and the code, waits, and stores the account: the real command in its own process."""
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {**os.environ, "TIEGRAPH_SECRET_KEY": SECRET_KEY}

    def tiegraph(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "tiegraph", *args, "--db", db],
            input=stdin,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert tiegraph("init").returncode == 0
    assert tiegraph("member", "add", "--email", "ana@us.example", "--name", "Ana").returncode == 0
    bad = tiegraph("account", "app", "set", "--provider", "oidc", "--client-id", "x")
    assert bad.returncode == 2 and "--issuer" in bad.stderr
    done = tiegraph(
        "account",
        "app",
        "set",
        "--provider",
        "oidc",
        "--issuer",
        provider.issuer,
        "--client-id",
        CLIENT_ID,
        "--scopes",
        "openid email offline_access",
        stdin=CLIENT_SECRET + "\n",
    )
    assert done.returncode == 0 and "sealed in the database" in done.stdout
    assert CLIENT_SECRET not in done.stdout + tiegraph("account", "app", "list").stdout
    assert CLIENT_SECRET.encode() not in (tmp_path / "cli.db").read_bytes()

    command = [
        sys.executable,
        "-m",
        "tiegraph",
        "account",
        "connect",
        "--member",
        "ana@us.example",
        "--provider",
        "oidc",
        "--json",
        "--db",
        db,
    ]
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None and process.stdout is not None
        told = [process.stderr.readline() for _ in range(3)]
        assert "nothing is written back" in told[0] and "enter the code" in told[1]
        url = told[2].strip().removeprefix("(or open ").removesuffix(")")
        approve(url, "user9")
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert json.loads(out)["account"] == "user9" and json.loads(out)["status"] == "connected"
    listed = tiegraph("account", "list", "--json")
    assert json.loads(listed.stdout)["accounts"][0]["member"] == "ana@us.example"


@pytest.fixture(scope="module")
def rotating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc-rotating"), CALLBACK, rotate_refresh=True)
    yield running
    running.close()


def test_refresh_is_single_flight_when_the_provider_rotates_refresh_tokens(
    store: Store, rotating: OidcProvider, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="tiegraph.services.sync.accounts")
    org = org_with_app(store, rotating)
    account = connect_by_device(store, org, "user7")
    with store.read() as conn:
        consumed = unseal(conn.execute(select(connected_account.c.refresh_sealed)).scalar_one())
    # Four syncs find the token refused at the same moment and all ask for a new one. Each read
    # the same refresh token; the provider consumes it at the first use, and a second use of a
    # consumed refresh token revokes the whole grant: only one of them may use it.
    start = threading.Barrier(4)
    tokens: list[str] = []
    failures: list[BaseException] = []

    def refresh() -> None:
        start.wait()
        try:
            tokens.append(accounts.access_token(store, org, account.id, force=True))
        except BaseException as exc:  # the assertion below names it
            failures.append(exc)

    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == [] and len(tokens) == 4
    [after] = accounts.list_accounts(store, org)
    assert after.status == "connected"
    assert "refreshed by another sync meanwhile" in caplog.text
    # Every token handed out works at the provider, and the stored refresh token is the new one.
    for token in set(tokens):
        answer = httpx.get(f"{rotating.issuer}/me", headers={"Authorization": f"Bearer {token}"})
        assert answer.json()["sub"] == "user7"
    with store.read() as conn:
        assert unseal(conn.execute(select(connected_account.c.refresh_sealed)).scalar_one()) != (
            consumed
        )
    assert accounts.access_token(store, org, account.id, force=True) not in tokens


def test_refresh_holds_no_lock_while_the_provider_answers(
    store: Store, rotating: OidcProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A provider answering slowly (3 s) holds up no other write (SQLite's write lock was held up to
    30 s), and a second refresher meanwhile waits for the first's token instead of using the
    same refresh token (which this provider rotates)."""
    org = org_with_app(store, rotating)
    account = connect_by_device(store, org, "user8")
    real_refresh = oauth.refresh
    asked = threading.Event()

    def slow_refresh(client: oauth.Client, refresh_token: str) -> oauth.TokenSet:
        asked.set()
        time.sleep(3)
        return real_refresh(client, refresh_token)

    monkeypatch.setattr(oauth, "refresh", slow_refresh)
    tokens: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: tokens.append(accounts.access_token(store, org, account.id, force=True))
        )
        for _ in range(2)
    ]
    threads[0].start()
    assert asked.wait(10)
    threads[1].start()
    started = time.monotonic()
    with store.write() as conn:  # another sync saving its cursor, say
        conn.execute(
            connected_account.update()
            .where(connected_account.c.id == account.id)
            .values(scope=connected_account.c.scope)
        )
    took = time.monotonic() - started
    for thread in threads:
        thread.join(30)
    assert took < 1.5, f"a write waited {took:.1f} s for the provider (3 s)"
    assert len(tokens) == 2 and len(set(tokens)) == 1
    answer = httpx.get(f"{rotating.issuer}/me", headers={"Authorization": f"Bearer {tokens[0]}"})
    assert answer.json()["sub"] == "user8"
    [after] = accounts.list_accounts(store, org)
    assert after.status == "connected"
    with store.read() as conn:
        assert conn.execute(select(connected_account.c.refreshing_until)).scalar_one() is None
