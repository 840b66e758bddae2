"""IMAP sync with a connected account's OAuth token: Dovecot's oauth2 passdb checks every token
at the real OpenID Connect provider (introspection), XOAUTH2 logs in, headers only; a token the
server refuses is refreshed once; a revoked grant shows as "reconnect" in `sync status`."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    OidcProvider,
    connect_by_device,
    register_app,
)
from typer.testing import CliRunner

from servers import Dovecot, make_org
from test_sync_imap import SMALL, count, mails
from tiegraph.cli import app
from tiegraph.connectors import oauth
from tiegraph.connectors.errors import ConnectorError
from tiegraph.connectors.imap import ImapMailbox, TokenRefusedError
from tiegraph.errors import InvalidInputError
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync import account_apps, accounts
from tiegraph.services.sync.passwords import unseal
from tiegraph.services.sync.runner import run_all_syncs
from tiegraph.services.sync.sources import add_source, list_sources
from tiegraph.store import Store
from tiegraph.store.schema import activity_item, connected_account

ACCESS_TTL = 8  # seconds: shorter than the margin, so every use refreshes first; a kept one expires


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), "http://127.0.0.1:9/cb", ACCESS_TTL)
    yield running
    running.close()


@pytest.fixture(scope="module")
def dovecot(provider: OidcProvider) -> Iterator[Dovecot]:
    server = Dovecot(introspection_url=introspection(provider))
    server.start()
    yield server
    server.close()


def introspection(provider: OidcProvider) -> str:
    return f"http://{CLIENT_ID}:{CLIENT_SECRET}@127.0.0.1:{provider.port}/token/introspection"


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "imap-oauth-test-secret-0123456789")


def connect(store: Store, org: Org, provider: OidcProvider, login: str) -> int:
    register_app(store, org, provider)
    return connect_by_device(store, org, login).id


def test_xoauth2_sync_refresh_and_reconnect(
    store: Store,
    dovecot: Dovecot,
    provider: OidcProvider,
    tmp_path: Path,
    db_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    user = dovecot.new_user()  # Dovecot's login name: the token's subject must be the same
    dovecot.append(user, "INBOX", mails(range(12)))
    org = make_org(store, tmp_path)
    account_id = connect(store, org, provider, user)
    owner = get_member(store, org, "ana@us.example")
    source = add_source(store, org, owner, kind="imap", url=dovecot.url, account_id=account_id)
    assert source.username == user and source.password_kind == f"OAuth account #{account_id}"

    [outcome] = run_all_syncs(store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 12 and count(store, activity_item) == 12
    log = dovecot.log()
    assert f"imap({user})" in log and "body_count=0 body_bytes=0" in log

    # The store believes the token good for an hour, but it expired at the provider: Dovecot
    # refuses it, the sync refreshes once and goes on.
    time.sleep(ACCESS_TTL + 1)
    with store.write() as conn:
        conn.execute(
            connected_account.update().values(expires_at=datetime.now(UTC) + timedelta(hours=1))
        )
        before = conn.execute(select(connected_account.c.refreshed_at)).scalar_one()
    dovecot.append(user, "INBOX", mails(range(12, 15), day=2))
    [later] = run_all_syncs(store, org, settings=SMALL)
    assert later.error is None and later.taken == 3 and count(store, activity_item) == 15
    with store.read() as conn:
        assert conn.execute(select(connected_account.c.refreshed_at)).scalar_one() != before

    # The member revokes tiegraph at the provider: the source says "reconnect", never crashes.
    with store.read() as conn:
        sealed = conn.execute(select(connected_account.c.refresh_sealed)).scalar_one()
    oauth.revoke(
        account_apps.oauth_client(account_apps.get_app(store, org, "oidc")), unseal(sealed)
    )
    [revoked] = run_all_syncs(store, org, settings=SMALL)
    assert revoked.error and revoked.error.startswith("reconnect:") and revoked.taken == 0
    [shown] = list_sources(store, org)
    assert shown.account_status == "reconnect" and shown.failures == 1
    status = CliRunner().invoke(app, ["sync", "status", "--db", db_url], env={"COLUMNS": "300"})
    assert status.exit_code == 0 and f"RECONNECT account #{account_id}" in status.output
    listed = CliRunner().invoke(app, ["account", "list", "--db", db_url, "--json"])
    assert '"status": "reconnect"' in listed.output and sealed not in listed.output
    # No token in any log line of the whole story (httpx logs every request at INFO).
    assert unseal(sealed) not in caplog.text and "Bearer" not in caplog.text
    assert "HTTP Request" in caplog.text


def test_a_refused_token_and_a_foreign_account(
    sqlite_store: Store, dovecot: Dovecot, provider: OidcProvider, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    with pytest.raises(TokenRefusedError, match="XOAUTH2 login refused"):
        ImapMailbox(dovecot.url, user, None, token="not-a-token-the-provider-gave")
    with pytest.raises(
        ConnectorError, match=r"no OAuth login \(XOAUTH2 or OAUTHBEARER; it offers neither\)"
    ):
        # Radicale-free check: a server without OAuth mechanisms says so, in words.
        plain = Dovecot()
        plain.start()
        try:
            ImapMailbox(plain.url, user, None, token="t")
        finally:
            plain.close()
    org = make_org(sqlite_store, tmp_path)
    account_id = connect(sqlite_store, org, provider, user)
    bo = get_member(sqlite_store, org, "bo@us.example")
    with pytest.raises(InvalidInputError, match=r"not bo@us\.example.s"):
        add_source(sqlite_store, org, bo, kind="imap", url=dovecot.url, account_id=account_id)


def logins(dovecot: Dovecot, user: str) -> list[str]:
    """The SASL mechanism of each OAuth login of the user, from Dovecot's own log lines (the
    test's own APPENDs log in with PLAIN)."""
    found = re.findall(rf"Login: user=<{user}>, method=(\w+)", dovecot.log())
    return [mechanism for mechanism in found if mechanism != "PLAIN"]


def test_oauthbearer_when_the_url_names_it(
    store: Store, dovecot: Dovecot, provider: OidcProvider, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    dovecot.append(user, "INBOX", mails(range(5)))
    org = make_org(store, tmp_path)
    account_id = connect(store, org, provider, user)
    owner = get_member(store, org, "ana@us.example")
    # The server offers both: XOAUTH2 comes first unless the URL says otherwise (RFC 5092).
    forced = dovecot.url.replace("imap://", "imap://;AUTH=oauthbearer@")
    source = add_source(store, org, owner, kind="imap", url=forced, account_id=account_id)
    [outcome] = run_all_syncs(store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 5 and count(store, activity_item) == 5
    # add_source's check and the sync: both logged in with OAUTHBEARER, checked at the provider.
    assert logins(dovecot, user) == ["OAUTHBEARER", "OAUTHBEARER"]
    assert source.url == forced
    with ImapMailbox(dovecot.url, user, None, token=accounts.access_token(store, org, account_id)):
        pass
    assert logins(dovecot, user)[-1] == "XOAUTH2"


def test_a_server_offering_one_mechanism_gets_that_one(
    sqlite_store: Store, provider: OidcProvider, tmp_path: Path
) -> None:
    only = Dovecot(introspection_url=introspection(provider), oauth_mechanisms="oauthbearer")
    only.start()
    try:
        user = only.new_user()
        only.append(user, "INBOX", mails(range(3)))
        org = make_org(sqlite_store, tmp_path)
        account_id = connect(sqlite_store, org, provider, user)
        owner = get_member(sqlite_store, org, "ana@us.example")
        add_source(sqlite_store, org, owner, kind="imap", url=only.url, account_id=account_id)
        [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
        assert outcome.error is None and outcome.taken == 3
        assert logins(only, user) == ["OAUTHBEARER", "OAUTHBEARER"]
        # Forcing the one it does not offer says so, before any token is sent.
        forced = only.url.replace("imap://", "imap://;AUTH=XOAUTH2@")
        with pytest.raises(InvalidInputError, match=r"XOAUTH2; it offers OAUTHBEARER"):
            add_source(sqlite_store, org, owner, kind="imap", url=forced, account_id=account_id)
    finally:
        only.close()
    # A URL's login part is only ever ;AUTH= with a mechanism tiegraph speaks, and only with
    # a connected account (a password login has no use for it).
    with pytest.raises(InvalidInputError, match="only login part an imap URL may hold"):
        add_source(
            sqlite_store,
            org,
            owner,
            kind="imap",
            url="imap://;AUTH=PLAIN@127.0.0.1:9/",
            account_id=account_id,
            check=False,
        )
    with pytest.raises(InvalidInputError, match="goes with --account"):
        add_source(
            sqlite_store,
            org,
            owner,
            kind="imap",
            url="imap://;AUTH=OAUTHBEARER@127.0.0.1:9/",
            username="x",
            password="y",
            check=False,
        )
