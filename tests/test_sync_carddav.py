"""CardDAV sync against a real Radicale server: new cards only; edits and deletes change nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servers import PASSWORD, Radicale, make_org, snapshot, vcard
from tiegraph.connectors import webdav
from tiegraph.connectors.carddav import ADDRESS_BOOK
from tiegraph.connectors.webdav import DavClient
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.runner import run_all_syncs
from tiegraph.services.sync.sources import SyncSettings, add_source, list_sources
from tiegraph.store import Store, open_store
from tiegraph.store.schema import contact, contact_source, sync_source

VCARD = "text/vcard"
SMALL = SyncSettings(timeout=10, dav_batch=4)


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)


def book(numbers: range) -> str:
    return "".join(vcard(n) for n in numbers)


def add_book(store: Store, org: Org, url: str, user: str = "ana") -> None:
    owner = get_member(store, org, "ana@us.example")
    add_source(
        store, org, owner, kind="carddav", url=url, username=user, password_env="DAV_PASSWORD"
    )


def contacts(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(contact)).scalar_one())


def test_first_sync_imports_and_matches_then_only_new_cards(
    store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(store, tmp_path)
    url = radicale.new_collection(book(range(10)), VCARD)
    add_book(store, org, url)
    [outcome] = run_all_syncs(store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 10
    assert outcome.report.matched == 10 and contacts(store) == 10
    with store.read() as conn:
        formats = set(conn.execute(select(contact_source.c.source_format)).scalars())
    assert formats == {"carddav"}

    [again] = run_all_syncs(store, org, settings=SMALL)  # nothing new: nothing read
    assert again.error is None and again.taken == 0

    radicale.put(f"{url}new.vcf", vcard(30), VCARD)
    [later] = run_all_syncs(store, org, settings=SMALL)
    assert later.taken == 1 and contacts(store) == 11
    [source] = list_sources(store, org)
    assert source.items_taken == 11 and source.failures == 0 and source.last_success_at


def test_upstream_edits_and_deletes_change_nothing(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(book(range(5)), VCARD)
    add_book(sqlite_store, org, url)
    run_all_syncs(sqlite_store, org, settings=SMALL)
    before = snapshot(sqlite_store)
    with DavClient(url, "ana", PASSWORD) as dav:
        [collection] = dav.collections(ADDRESS_BOOK)
        hrefs = sorted(r.href for r in dav.listing(collection))
    radicale.delete(radicale.base + hrefs[0])
    radicale.put(radicale.base + hrefs[1], vcard(1, email="moved@elsewhere.example"), VCARD)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 0
    after = snapshot(sqlite_store)
    assert after["contacts"] == before["contacts"]
    assert after["contact_sources"] == before["contact_sources"]


def test_without_sync_tokens_etags_and_hrefs_do(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = webdav._collection
    monkeypatch.setattr(
        webdav, "_collection", lambda r, k: webdav.Collection(real(r, k).href, None)
    )
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(book(range(6)), VCARD)
    add_book(sqlite_store, org, url)
    assert run_all_syncs(sqlite_store, org, settings=SMALL)[0].taken == 6
    radicale.put(f"{url}extra.vcf", vcard(20), VCARD)
    radicale.put(f"{url}card-2.vcf", vcard(2, email="edited@acme.example"), VCARD)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 1 and contacts(sqlite_store) == 7


def test_a_stale_sync_token_starts_again_without_doubling(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(book(range(5)), VCARD)
    add_book(sqlite_store, org, url)
    run_all_syncs(sqlite_store, org, settings=SMALL)
    with sqlite_store.write() as conn:
        cursor = conn.execute(select(sync_source.c.cursor)).scalar_one()
        for state in cursor["collections"].values():
            state["token"] = "http://radicale.org/ns/sync/stale"
        conn.execute(sync_source.update().values(cursor=cursor))
    radicale.put(f"{url}extra.vcf", vcard(21), VCARD)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 1 and contacts(sqlite_store) == 6


def test_cards_already_imported_from_a_file_are_merged_not_doubled(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path
) -> None:
    org = make_org(sqlite_store, tmp_path)
    exported = tmp_path / "contacts.vcf"
    exported.write_text(book(range(4)))
    import_contacts(sqlite_store, org, get_member(sqlite_store, org, "ana@us.example"), [exported])
    url = radicale.new_collection(book(range(6)), VCARD)
    add_book(sqlite_store, org, url)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.report.merged == 4 and contacts(sqlite_store) == 6


def test_server_restart_mid_sync_resumes_without_gaps_or_duplicates(
    sqlite_store: Store, tmp_path: Path
) -> None:
    (tmp_path / "own-radicale").mkdir()
    server = Radicale(tmp_path / "own-radicale")
    server.start()
    try:
        url = server.new_collection(book(range(12)), VCARD)
        org = make_org(sqlite_store, tmp_path)
        add_book(sqlite_store, org, url)

        def stop_after_first_batch(step: str, done: int, total: int) -> None:
            if done == SMALL.dav_batch:
                server.stop()

        [failed] = run_all_syncs(sqlite_store, org, settings=SMALL, progress=stop_after_first_batch)
        assert failed.error and "cannot connect" in failed.error and failed.taken == 4
        [source] = list_sources(sqlite_store, org)
        assert source.failures == 1 and source.next_run_at and source.last_error
        server.start()
        [resumed] = run_all_syncs(sqlite_store, org, settings=SMALL)
        assert resumed.error is None and resumed.taken == 8
        fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
        try:
            fresh_org = make_org(fresh, tmp_path)
            add_book(fresh, fresh_org, url)
            run_all_syncs(fresh, fresh_org, settings=SMALL)
            assert snapshot(sqlite_store) == snapshot(fresh)
        finally:
            fresh.dispose()
    finally:
        server.close()


KILLER = """
import os, signal, sys
from tiegraph.cli import main
from tiegraph.services.sync import carddav as sync_contacts
from tiegraph.services.sync import runner as sync_run
from tiegraph.services.sync.sources import SyncSettings

target, name, when, at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
module = sync_contacts if target == "contacts" else sync_contacts.DavClient
original = getattr(module, name)
calls = 0

def killer(*args, **kwargs):
    global calls
    calls += 1
    if calls == at and when == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    result = original(*args, **kwargs)
    if calls == at and when == "after":
        os.kill(os.getpid(), signal.SIGKILL)  # written, not committed
    return result

setattr(module, name, killer)
run_all = sync_run.run_all_syncs
sync_run.run_all_syncs = lambda *a, **k: run_all(*a, **{**k, "settings": SyncSettings(dav_batch=4)})
main(["sync", "run", "--once", "--db", sys.argv[5]])
"""


@pytest.mark.parametrize(
    ("target", "name", "when"),
    [("contacts", "import_contact_records", "after"), ("client", "fetch", "before")],
    ids=["killed-inside-a-transaction", "killed-between-batches"],
)
def test_killed_mid_sync_then_rerun_equals_an_uninterrupted_sync(
    db_url: str, radicale: Radicale, tmp_path: Path, target: str, name: str, when: str
) -> None:
    url = radicale.new_collection(book(range(14)), VCARD)
    store = open_store(db_url)
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        add_book(store, make_org(store, tmp_path), url)
        env = {**os.environ, "DAV_PASSWORD": PASSWORD}
        killed = subprocess.run(
            [sys.executable, "-c", KILLER, target, name, when, "3", db_url],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
        assert 0 < contacts(store) < 14  # two batches committed, the third lost
        rerun = subprocess.run(
            [sys.executable, "-m", "tiegraph", "sync", "run", "--once", "--db", db_url],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stderr.decode()
        fresh_org = make_org(fresh, tmp_path)
        add_book(fresh, fresh_org, url)
        run_all_syncs(fresh, fresh_org, settings=SyncSettings(dav_batch=4))
        assert snapshot(store) == snapshot(fresh)
    finally:
        store.dispose()
        fresh.dispose()


def test_a_card_the_server_left_out_is_taken_next_time(
    sqlite_store: Store, radicale: Radicale, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = make_org(sqlite_store, tmp_path)
    url = radicale.new_collection(book(range(5)), VCARD)
    add_book(sqlite_store, org, url)
    real = DavClient.fetch
    monkeypatch.setattr(DavClient, "fetch", lambda self, c, k, hrefs: real(self, c, k, hrefs)[1:])
    assert run_all_syncs(sqlite_store, org, settings=SMALL)[0].taken == 3  # one per batch left out
    monkeypatch.setattr(DavClient, "fetch", real)
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 2 and contacts(sqlite_store) == 5
