"""Microsoft Graph sync against a local Graph (tests/graph_server.py) whose tokens are the real
OpenID Connect provider's: delta paging, a second sync that takes only what is new, 429 with
Retry-After honoured, 401 refreshed once, 410 read again without doubling, headers only, and a
process killed mid-sync whose rerun equals an uninterrupted sync."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from tests.graph_server import GraphServer, contact, mail, meeting
from tests.oidc_provider import OidcProvider, connect_by_device, register_app

from servers import make_org, snapshot
from tiegraph.formats.graph import MESSAGE_FIELDS
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.runner import run_all_syncs, run_source
from tiegraph.services.sync.sources import add_source, list_sources
from tiegraph.store import Store, open_store
from tiegraph.store.schema import activity_item, connected_account, contact_source

ACCESS_TTL = 8  # seconds: a token kept past it is refused by Graph (401)
SECRET = "graph-sync-test-secret-0123456789"


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), "http://127.0.0.1:9/cb", ACCESS_TTL)
    yield running
    running.close()


@pytest.fixture
def graph(provider: OidcProvider) -> Iterator[GraphServer]:
    server = GraphServer(f"{provider.issuer}/token/introspection")
    yield server
    server.close()


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", SECRET)


def fill(graph: GraphServer) -> None:
    graph.add("contacts", [contact(n) for n in range(12)])
    graph.add("inbox", [mail(n, sent=False) for n in range(7)])
    graph.add("sentitems", [mail(n, sent=True) for n in range(7, 13)])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    graph.add("events", [meeting(n, f"2026-0{n + 1}-10") for n in range(4)])
    graph.add("events", [meeting(4, tomorrow)])  # still to come: read once it has started


def connected_source(store: Store, org: Org, provider: OidcProvider, graph: GraphServer) -> None:
    register_app(store, org, provider)
    account = connect_by_device(store, org, "ana")
    owner = get_member(store, org, "ana@us.example")
    add_source(store, org, owner, kind="graph", url=graph.base, account_id=account.id)


def count(store: Store, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_delta_sync_new_only_throttled_and_resynced(
    store: Store, provider: OidcProvider, graph: GraphServer, tmp_path: Path
) -> None:
    fill(graph)
    org = make_org(store, tmp_path)
    connected_source(store, org, provider, graph)
    graph.throttle = 1
    [first] = run_all_syncs(store, org)
    assert first.error is None, first.error
    report = first.report
    assert report.throttled_seconds == 1  # Retry-After: 1, honoured
    assert report.contacts.attempted == 12 and report.contacts.matched == 12
    assert report.mail.interactions == 13 and report.calendar.interactions == 4
    assert count(store, activity_item) == 17 and count(store, contact_source) == 12
    selects = {q.get("$select") for p, q in graph.requests if "messages" in p and "$select" in q}
    assert selects == {MESSAGE_FIELDS} and "subject" not in MESSAGE_FIELDS
    with store.read() as conn:
        tables = ["contact", "contact_source", "activity_item", "interaction", "sync_source"]
        dump = str([conn.execute(text(f"SELECT * FROM {t}")).all() for t in tables])
    assert "secret plans" not in dump and "never read" not in dump

    [second] = run_all_syncs(store, org)
    assert second.error is None and second.taken == 0

    graph.add("contacts", [contact(n) for n in range(12, 14)])
    graph.add("inbox", [mail(n, sent=False, day=2) for n in range(13, 15)])
    [third] = run_all_syncs(store, org)
    assert third.error is None and third.taken == 4
    assert count(store, contact_source) == 14 and count(store, activity_item) == 19

    # Graph forgets the delta tokens: everything is read again, nothing counts twice.
    graph.forget_delta_tokens()
    graph.add("inbox", [mail(15, sent=False, day=3)])
    [resynced] = run_all_syncs(store, org)
    assert resynced.error is None, resynced.error
    assert count(store, contact_source) == 14 and count(store, activity_item) == 20
    assert any(q.get("$deltatoken", "").startswith("1.") for _, q in graph.requests)

    # Two days on, tomorrow's meeting has happened: it is read again (one GET of that event,
    # its fields selected, no subject) and taken; nothing else is asked twice.
    [source] = list_sources(store, org)
    assert list(source.cursor["streams"]["calendar"]["later"]) == ["AAMkEvent4="]
    asked = len(graph.requests)
    later_now = datetime.now(UTC) + timedelta(days=2)
    later = run_source(store, org, source, now=later_now)
    assert later.error is None and later.report.calendar.interactions == 1
    assert count(store, activity_item) == 21
    gets = [(p, q) for p, q in graph.requests[asked:] if p.startswith("/v1.0/me/events/")]
    assert [p for p, _ in gets] == ["/v1.0/me/events/AAMkEvent4="]
    assert "subject" not in gets[0][1]["$select"].split(",")
    assert list_sources(store, org)[0].cursor["streams"]["calendar"]["later"] == {}
    after = run_source(store, org, list_sources(store, org)[0], now=later_now)
    assert after.error is None and after.taken == 0 and count(store, activity_item) == 21


def test_an_expired_token_is_refreshed_once(
    sqlite_store: Store, provider: OidcProvider, graph: GraphServer, tmp_path: Path
) -> None:
    fill(graph)
    org = make_org(sqlite_store, tmp_path)
    connected_source(sqlite_store, org, provider, graph)
    time.sleep(ACCESS_TTL + 1)  # the token expired at the provider; the store thinks not
    with sqlite_store.write() as conn:
        later = datetime.now(UTC) + timedelta(hours=1)
        conn.execute(connected_account.update().values(expires_at=later))
    [outcome] = run_all_syncs(sqlite_store, org)
    assert outcome.error is None and graph.refused == 1
    assert count(sqlite_store, activity_item) == 17


KILLER = """
import sys
from tiegraph.cli import main
main(["sync", "run", "--once", "--db", sys.argv[1]])
"""


def test_killed_mid_sync_then_rerun_equals_an_uninterrupted_sync(
    provider: OidcProvider, graph: GraphServer, tmp_path: Path
) -> None:
    fill(graph)
    url, fresh_url = f"sqlite:///{tmp_path / 'killed.db'}", f"sqlite:///{tmp_path / 'fresh.db'}"
    store, fresh = open_store(url), open_store(fresh_url)
    try:
        connected_source(store, make_org(store, tmp_path), provider, graph)
        # Contacts come 5 a page: the process dies while asking for the third page.
        graph.hold_at = len(graph.requests) + 3
        env = {**os.environ, "TIEGRAPH_SECRET_KEY": SECRET}
        process = subprocess.Popen(
            [sys.executable, "-c", KILLER, url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert graph.held.wait(60), "the sync never reached its third page"
        process.send_signal(signal.SIGKILL)
        assert process.wait(30) == -signal.SIGKILL
        graph.release.set()
        assert count(store, contact_source) == 10  # two pages committed, the third lost
        graph.hold_at = None
        rerun = subprocess.run(
            [sys.executable, "-m", "tiegraph", "sync", "run", "--once", "--db", url],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stderr.decode()
        fresh_org = make_org(fresh, tmp_path)
        connected_source(fresh, fresh_org, provider, graph)
        [outcome] = run_all_syncs(fresh, fresh_org)
        assert outcome.error is None
        assert snapshot(store) == snapshot(fresh)
        assert count(store, contact_source) == 12 and count(store, activity_item) == 17
    finally:
        store.dispose()
        fresh.dispose()
