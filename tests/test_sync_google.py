"""Google People + Calendar sync against a local Google API (tests/google_server.py) whose tokens
are the real OpenID Connect provider's: pages and sync tokens, a second sync that takes only
what is new, 429 honoured, expired sync tokens (People's EXPIRED_SYNC_TOKEN, Calendar's 410)
read again without doubling, summaries never asked for, a failure mid-sync then a rerun equal
to an uninterrupted sync."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from tests.google_server import GoogleServer, event, person
from tests.oidc_provider import OidcProvider, connect_by_device, register_app

from servers import make_org, snapshot
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.runner import run_all_syncs, run_source
from tiegraph.services.sync.sources import add_source, list_sources
from tiegraph.store import Store, open_store
from tiegraph.store.schema import activity_item, contact_source


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    running = OidcProvider(tmp_path_factory.mktemp("oidc"), "http://127.0.0.1:9/cb")
    yield running
    running.close()


@pytest.fixture
def google(provider: OidcProvider) -> Iterator[GoogleServer]:
    server = GoogleServer(f"{provider.issuer}/token/introspection")
    yield server
    server.close()


@pytest.fixture(autouse=True)
def secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIEGRAPH_SECRET_KEY", "google-sync-test-secret-0123456789")


def fill(google: GoogleServer) -> None:
    google.add("people", [person(n) for n in range(12)])
    google.add("events", [event(n, f"2026-0{n + 1}-10") for n in range(6)])
    google.add("events", [{**event(6, "2026-07-01"), "status": "cancelled"}])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    google.add("events", [event(7, tomorrow)])  # still to come: read once it has started


def connected_source(store: Store, org: Org, provider: OidcProvider, google: GoogleServer) -> None:
    register_app(store, org, provider)
    account = connect_by_device(store, org, "ana")
    owner = get_member(store, org, "ana@us.example")
    add_source(store, org, owner, kind="google", url=google.endpoint, account_id=account.id)


def count(store: Store, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_sync_tokens_new_only_throttled_and_expired(
    store: Store, provider: OidcProvider, google: GoogleServer, tmp_path: Path
) -> None:
    fill(google)
    org = make_org(store, tmp_path)
    connected_source(store, org, provider, google)
    google.throttle = 1
    [first] = run_all_syncs(store, org)
    assert first.error is None, first.error
    assert first.report.throttled_seconds == 1
    assert first.report.contacts.attempted == 12 and first.report.contacts.matched == 12
    assert first.report.calendar.interactions == 6  # the cancelled one and tomorrow's: not yet
    assert count(store, contact_source) == 12 and count(store, activity_item) == 6
    fields = {q.get("fields") for p, q in google.requests if p.endswith("/events")}
    assert fields and all(f and "summary" not in f and "description" not in f for f in fields)
    with store.read() as conn:
        tables = ["contact", "contact_source", "activity_item", "interaction", "sync_source"]
        dump = str([conn.execute(text(f"SELECT * FROM {t}")).all() for t in tables])
    assert "secret plans" not in dump and "never read" not in dump

    [second] = run_all_syncs(store, org)
    assert second.error is None and second.taken == 0
    assert any("syncToken" in q for p, q in google.requests[-3:])

    google.add("people", [person(n) for n in range(12, 15)])
    google.add("events", [event(8, "2026-08-03")])
    [third] = run_all_syncs(store, org)
    assert third.error is None and third.taken == 4
    assert count(store, contact_source) == 15 and count(store, activity_item) == 7

    # Two days on, tomorrow's meeting has happened: it is read again (one GET) and taken.
    [source] = list_sources(store, org)
    [later] = [run_source(store, org, source, now=datetime.now(UTC) + timedelta(days=2))]
    assert later.error is None and count(store, activity_item) == 8
    assert any(p.endswith("/events/ev7") for p, _ in google.requests)
    assert list_sources(store, org)[0].cursor["streams"]["calendar"]["later"] == {}

    google.forget_delta_tokens()  # People: EXPIRED_SYNC_TOKEN; Calendar: 410
    google.add("people", [person(15)])
    [full] = run_all_syncs(store, org)
    assert full.error is None, full.error
    assert count(store, contact_source) == 16 and count(store, activity_item) == 8


def test_a_failure_mid_sync_then_a_rerun_equals_one_sync(
    provider: OidcProvider, google: GoogleServer, tmp_path: Path
) -> None:
    fill(google)
    store = open_store(f"sqlite:///{tmp_path / 'failed.db'}")
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        org = make_org(store, tmp_path)
        connected_source(store, org, provider, google)
        google.fail_at = len(google.requests) + 2  # the second page of contacts
        [failed] = run_all_syncs(store, org)
        assert failed.error and "HTTP 500" in failed.error and count(store, contact_source) == 5
        google.fail_at = None
        [rerun] = run_all_syncs(store, org)
        assert rerun.error is None and rerun.taken == 7 + 8  # the contacts left; all 8 events
        fresh_org = make_org(fresh, tmp_path)
        connected_source(fresh, fresh_org, provider, google)
        run_all_syncs(fresh, fresh_org)
        assert snapshot(store) == snapshot(fresh)
    finally:
        store.dispose()
        fresh.dispose()
