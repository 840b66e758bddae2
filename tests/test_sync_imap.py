"""IMAP sync against a real Dovecot server: new UIDs only, headers only, UIDVALIDITY respected."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from servers import PASSWORD, Dovecot, make_org, message, snapshot
from tiegraph.services.org.members import get_member
from tiegraph.services.org.orgs import Org
from tiegraph.services.sync.runner import run_all_syncs
from tiegraph.services.sync.sources import SyncSettings, add_source, list_sources
from tiegraph.store import Store, open_store
from tiegraph.store.schema import activity_item, interaction

SMALL = SyncSettings(timeout=10, mail_batch=5)


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    server = Dovecot()
    server.start()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAP_PASSWORD", PASSWORD)


def mails(numbers: range, *, day: int = 1) -> list[bytes]:
    """Ana writes to directory persons; every other one answers."""
    found = []
    for n in numbers:
        if n % 2:
            found.append(
                message(n, f"person{n}@acme.example", "ana@us.example", day=day, reply=n - 1)
            )
        else:
            found.append(
                message(n, "Ana Lima <ana@us.example>", f"person{n}@acme.example", day=day)
            )
    return found


def add_mailbox(
    store: Store, org: Org, server: Dovecot, user: str, folders: tuple[str, ...] = ()
) -> None:
    owner = get_member(store, org, "ana@us.example")
    add_source(
        store,
        org,
        owner,
        kind="imap",
        url=server.url,
        username=user,
        password_env="IMAP_PASSWORD",
        folders=folders,
    )


def count(store: Store, table: object) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_new_messages_only_headers_only(store: Store, dovecot: Dovecot, tmp_path: Path) -> None:
    user = dovecot.new_user()
    dovecot.append(user, "INBOX", mails(range(12)))
    org = make_org(store, tmp_path)
    add_mailbox(store, org, dovecot, user)
    [outcome] = run_all_syncs(store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 12
    assert outcome.report.interactions == 12 and count(store, activity_item) == 12
    with store.read() as conn:
        replies = conn.execute(select(func.count()).where(interaction.c.thread_reply)).scalar()
    assert replies == 6

    [again] = run_all_syncs(store, org, settings=SMALL)
    assert again.error is None and again.taken == 0

    dovecot.append(user, "INBOX", mails(range(12, 15), day=2))
    [later] = run_all_syncs(store, org, settings=SMALL)
    assert later.taken == 3 and count(store, activity_item) == 15
    [source] = list_sources(store, org)
    assert source.items_taken == 15 and source.cursor["folders"]["INBOX"]["uid"] == 15
    # Dovecot counts what each session read: header fields, never a body.
    log = dovecot.log()
    assert f"imap({user})" in log and "body_count=0 body_bytes=0" in log
    assert not [
        line
        for line in log.splitlines()
        if user in line and "body_bytes=0" not in line and "Disconnected" in line
    ]


def test_several_folders_and_a_missing_one(
    sqlite_store: Store, dovecot: Dovecot, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    dovecot.append(user, "INBOX", mails(range(4)))
    dovecot.append(user, "Gesendete Größe", mails(range(4, 8)))
    org = make_org(sqlite_store, tmp_path)
    add_mailbox(sqlite_store, org, dovecot, user, ("INBOX", "Gesendete Größe"))
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 8
    with sqlite_store.write() as conn:
        from tiegraph.store.schema import sync_source

        conn.execute(sync_source.update().values(folders=["INBOX", "Nope"]))
    dovecot.append(user, "INBOX", mails(range(8, 10)))
    [partial] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert partial.taken == 2 and partial.error and "Nope" in partial.error


def test_uidvalidity_reset_rereads_without_duplicates(
    sqlite_store: Store, dovecot: Dovecot, tmp_path: Path
) -> None:
    user = dovecot.new_user()
    dovecot.append(user, "Archive", mails(range(6)))
    org = make_org(sqlite_store, tmp_path)
    add_mailbox(sqlite_store, org, dovecot, user, ("Archive",))
    run_all_syncs(sqlite_store, org, settings=SMALL)
    [before] = list_sources(sqlite_store, org)
    imap = dovecot.session(user)
    imap.delete("Archive")  # the folder is made anew: new UIDVALIDITY, UIDs from 1 again
    imap.logout()
    dovecot.append(user, "Archive", mails(range(8)))
    [outcome] = run_all_syncs(sqlite_store, org, settings=SMALL)
    assert outcome.error is None and outcome.taken == 8
    assert outcome.report.duplicates == 6 and outcome.report.interactions == 2
    assert count(sqlite_store, activity_item) == 8
    [after] = list_sources(sqlite_store, org)
    validity = after.cursor["folders"]["Archive"]["uidvalidity"]
    assert validity != before.cursor["folders"]["Archive"]["uidvalidity"]


def test_server_restart_mid_sync(sqlite_store: Store, tmp_path: Path) -> None:
    server = Dovecot()
    server.start()
    try:
        user = server.new_user()
        server.append(user, "INBOX", mails(range(20)))
        org = make_org(sqlite_store, tmp_path)
        add_mailbox(sqlite_store, org, server, user)

        def stop_after_two_batches(step: str, done: int, total: int) -> None:
            if done == 2 * SMALL.mail_batch:
                server.stop()

        [failed] = run_all_syncs(sqlite_store, org, settings=SMALL, progress=stop_after_two_batches)
        assert failed.error and failed.taken == 10
        [source] = list_sources(sqlite_store, org)
        assert source.failures == 1 and source.cursor["folders"]["INBOX"]["uid"] == 10
        server.start()
        [resumed] = run_all_syncs(sqlite_store, org, settings=SMALL)
        assert resumed.error is None and resumed.taken == 10
        fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
        try:
            fresh_org = make_org(fresh, tmp_path)
            add_mailbox(fresh, fresh_org, server, user)
            run_all_syncs(fresh, fresh_org, settings=SMALL)
            assert snapshot(sqlite_store) == snapshot(fresh)
        finally:
            fresh.dispose()
    finally:
        server.close()


KILLER = """
import os, signal, sys
from tiegraph.cli import main
from tiegraph.services.sync import imap as sync_mail
from tiegraph.services.sync import runner as sync_run
from tiegraph.services.sync.sources import SyncSettings

name, when, at = sys.argv[1], sys.argv[2], int(sys.argv[3])
module = sync_mail if name == "write_mail" else sync_mail.ImapMailbox
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
settings = SyncSettings(mail_batch=5)
sync_run.run_all_syncs = lambda *a, **k: run_all(*a, **{**k, "settings": settings})
main(["sync", "run", "--once", "--db", sys.argv[4]])
"""


@pytest.mark.parametrize(
    ("name", "when"),
    [("write_mail", "after"), ("headers", "before")],
    ids=["killed-inside-a-transaction", "killed-between-batches"],
)
def test_killed_mid_sync_then_rerun_equals_an_uninterrupted_sync(
    db_url: str, dovecot: Dovecot, tmp_path: Path, name: str, when: str
) -> None:
    user = dovecot.new_user()
    dovecot.append(user, "INBOX", mails(range(23)))
    store = open_store(db_url)
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        add_mailbox(store, make_org(store, tmp_path), dovecot, user)
        env = {**os.environ, "IMAP_PASSWORD": PASSWORD}
        killed = subprocess.run(
            [sys.executable, "-c", KILLER, name, when, "3", db_url],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
        assert count(store, activity_item) == 10  # two batches committed, the third lost
        rerun = subprocess.run(
            [sys.executable, "-m", "tiegraph", "sync", "run", "--once", "--db", db_url],
            env=env,
            capture_output=True,
            timeout=120,
        )
        assert rerun.returncode == 0, rerun.stderr.decode()
        fresh_org = make_org(fresh, tmp_path)
        add_mailbox(fresh, fresh_org, dovecot, user)
        run_all_syncs(fresh, fresh_org, settings=SyncSettings(mail_batch=5))
        assert snapshot(store) == snapshot(fresh)
        assert count(store, activity_item) == 23
    finally:
        store.dispose()
        fresh.dispose()
