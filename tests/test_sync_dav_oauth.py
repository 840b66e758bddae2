"""CardDAV and CalDAV with a connected account's OAuth token: Radicale with a small auth plugin
(tests/radicale_bearer.py) that checks every `Authorization: Bearer` token at the real OpenID
Connect provider (introspection); `sync add --account` and `sync run` from the CLI, a token
expired at the provider refreshed once, no token in any log line."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, OidcProvider
from typer.testing import CliRunner

from servers import Radicale, make_org, vcard
from test_sync_caldav import ICS, calendar, past_events
from test_sync_imap_oauth import connect
from tiegraph.cli import app
from tiegraph.connectors.carddav import ADDRESS_BOOK
from tiegraph.connectors.errors import ConnectorError
from tiegraph.connectors.webdav import DavClient
from tiegraph.services.sync.sources import list_sources
from tiegraph.store import Store
from tiegraph.store.schema import activity_item, connected_account, contact_source

ACCESS_TTL = 8  # seconds: a token kept past it is refused by Radicale (401)
VCARD = "text/vcard"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), "http://127.0.0.1:9/cb", ACCESS_TTL)
    yield running
    running.close()


@pytest.fixture(scope="module")
def radicale(
    provider: OidcProvider, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Radicale]:
    where = f"http://{CLIENT_ID}:{CLIENT_SECRET}@127.0.0.1:{provider.port}/token/introspection"
    server = Radicale(tmp_path_factory.mktemp("radicale"), introspection_url=where)
    server.start()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "dav-oauth-test-secret-0123456789")


def count(store: Store, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    return result.output


def test_carddav_and_caldav_log_in_with_the_account_token(
    store: Store,
    db_url: str,
    provider: OidcProvider,
    radicale: Radicale,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    book = radicale.new_collection("".join(vcard(n) for n in range(6)), VCARD)
    meetings = radicale.new_collection(calendar(*past_events(3)), ICS)
    # The server lets no one in without a login, and takes no token the provider did not give.
    assert httpx.request("PROPFIND", book).status_code == 401
    forged = {"Authorization": "Bearer not-a-token-the-provider-gave"}
    assert httpx.request("PROPFIND", book, headers=forged).status_code == 401

    org = make_org(store, tmp_path)
    account_id = str(connect(store, org, provider, "ana"))  # the token's subject: Radicale's user
    for kind, url in (("carddav", book), ("caldav", meetings)):
        common = ["--member", "ana@us.example", "--kind", kind, "--url", url, "--db", db_url]
        added = cli("sync", "add", *common, "--account", account_id)  # checked with the token
        assert f"{kind} {url}" in added and f"(password: OAuth account #{account_id})" in added
    assert {s.password_kind for s in list_sources(store, org)} == {f"OAuth account #{account_id}"}
    cli("sync", "run", "--once", "--db", db_url)
    assert count(store, contact_source) == 6 and count(store, activity_item) == 3
    assert all(s.failures == 0 and s.last_error is None for s in list_sources(store, org))

    # The store believes the token good for an hour, but it expired at the provider: Radicale
    # answers 401, the sync refreshes once and goes on.
    time.sleep(ACCESS_TTL + 1)
    with store.write() as conn:
        conn.execute(
            connected_account.update().values(expires_at=datetime.now(UTC) + timedelta(hours=1))
        )
        before = conn.execute(select(connected_account.c.refreshed_at)).scalar_one()
    radicale.put(f"{book}card-6.vcf", vcard(6), VCARD)
    cli("sync", "run", "--once", "--db", db_url)
    assert count(store, contact_source) == 7 and count(store, activity_item) == 3
    with store.read() as conn:
        assert conn.execute(select(connected_account.c.refreshed_at)).scalar_one() != before
    assert "Bearer" not in caplog.text


def test_a_token_refused_even_fresh_is_said_in_words(
    radicale: Radicale,
) -> None:
    book = radicale.new_collection(vcard(1), VCARD)
    asked: list[bool] = []

    def token(refresh: bool) -> str:
        asked.append(refresh)
        return "not-a-token-the-provider-gave"

    refused = r"login refused \(the token was refused, fresh too\)"
    with pytest.raises(ConnectorError, match=refused), DavClient(book, token=token) as dav:
        dav.collections(ADDRESS_BOOK)
    assert asked == [False, True]  # one refresh, then it gives up
