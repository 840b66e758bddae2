"""Reads never wait on another's write lock; a write that cannot get it waits its turn, then fails
clearly (SQLite)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tiegraph.cli import main
from tiegraph.errors import StoreBusyError
from tiegraph.services.contacts.jobs import create_job, get_job, run_job
from tiegraph.services.org.members import add_member
from tiegraph.services.org.orgs import create_org
from tiegraph.services.uploads import save_upload
from tiegraph.store import Store, open_store
from tiegraph.store.schema import organization


@contextmanager
def write_lock_held(path: Path, seconds: float = 30) -> Iterator[None]:
    """Another connection, in another thread, holds SQLite's write lock until the block ends
    (or `seconds` have passed)."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")  # the write lock, as an import's transaction holds it
        taken.set()
        release.wait(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


@pytest.fixture
def busy_store(tmp_path: Path) -> Iterator[tuple[Store, Path]]:
    path = tmp_path / "tiegraph.db"
    store = open_store(f"sqlite:///{path}", busy_timeout=0.3)
    yield store, path
    store.dispose()


def _count_orgs(store: Store) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(organization)).scalar_one())


def test_reads_on_a_connection_that_once_wrote_do_not_take_the_write_lock(
    busy_store: tuple[Store, Path],
) -> None:
    store, path = busy_store
    with store.write() as conn:  # every pooled connection has written once
        conn.execute(organization.insert().values(slug="acme", name="Acme"))
    with write_lock_held(path), ThreadPoolExecutor(8) as pool:
        started = time.monotonic()
        counts = list(pool.map(lambda _: _count_orgs(store), range(50)))
        assert time.monotonic() - started < 5
    assert set(counts) == {_count_orgs(store)}


def test_a_write_that_cannot_get_the_lock_is_a_clear_retryable_error(
    busy_store: tuple[Store, Path],
) -> None:
    store, path = busy_store
    with write_lock_held(path):
        with pytest.raises(StoreBusyError, match="try again"), store.write() as conn:
            conn.execute(organization.insert().values(slug="late", name="Late"))
        assert _count_orgs(store) == 0  # nothing written, and the failed connection still reads
    with store.write() as conn:  # and writes once the lock is free
        conn.execute(organization.insert().values(slug="late", name="Late"))
    with store.read() as conn:
        slugs = set(conn.execute(select(organization.c.slug)).scalars())
    assert "late" in slugs


def test_the_busy_timeout_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIEGRAPH_BUSY_TIMEOUT", "0.2")
    path = tmp_path / "t.db"
    store = open_store(f"sqlite:///{path}")
    try:
        with write_lock_held(path):
            started = time.monotonic()
            with pytest.raises(StoreBusyError), store.write() as conn:
                conn.execute(organization.insert().values(slug="x", name="X"))
            assert time.monotonic() - started < 3
    finally:
        store.dispose()
    monkeypatch.setenv("TIEGRAPH_BUSY_TIMEOUT", "soon")
    with pytest.raises(Exception, match="TIEGRAPH_BUSY_TIMEOUT='soon'"):
        open_store(f"sqlite:///{path}")


def test_the_cli_says_busy_in_one_line_while_another_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cli.db"
    url = f"sqlite:///{path}"
    for argv in (
        ["init", "--db", url],
        ["member", "add", "--email", "ana@us.example", "--name", "Ana", "--db", url],
    ):
        with pytest.raises(SystemExit) as done:
            main(argv)
        assert done.value.code == 0
    capsys.readouterr()
    monkeypatch.setenv("TIEGRAPH_BUSY_TIMEOUT", "0.2")
    with write_lock_held(path), pytest.raises(SystemExit) as ended:
        main(["member", "set", "ana@us.example", "--contact-sync", "on", "--db", url])
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: the store is busy") and "Traceback" not in err


def test_a_background_import_waits_out_a_busy_store(
    busy_store: tuple[Store, Path], tmp_path: Path
) -> None:
    """Another writer holds the lock longer than one busy timeout: the job tries again."""
    store, path = busy_store
    org = create_org(store, "acme", "Acme")
    owner = add_member(store, org, email="ana@acme.example", name="Ana Lima")
    book = tmp_path / "upload" / "book.csv"
    book.parent.mkdir()
    book.write_text("First Name,Last Name,E-mail Address\nBo,Chen,bo@x.example\n")
    job = create_job(store, org, owner, ["book.csv"])
    with book.open("rb") as stream:
        saved = save_upload(store, org, "book.csv", stream)
    with write_lock_held(path, seconds=0.5):
        run_job(store, org, owner, job.id, [("book.csv", saved.id)])
    done = get_job(store, org, owner, job.id)
    assert done.status == "done", done.error
    assert done.report["sources"][0]["imported"] == 1


def test_a_long_write_lets_a_waiting_writer_in_between_its_transactions(tmp_path: Path) -> None:
    """A write of 6 s in transactions of 0.5 s: a change that waits at most 2 s gets the lock
    between two of them (without the pause after a commit, the long write won every time)."""
    path = tmp_path / "turns.db"
    store = open_store(f"sqlite:///{path}", busy_timeout=2)
    store.commit_seconds = 0.5
    turns: list[int] = []

    def long_write() -> None:
        for conn, turn in store.transactions(range(60)):
            turns.append(0)
            for n in turn:
                conn.execute(organization.insert().values(slug=f"o{n}", name=f"O{n}"))
                turns[-1] += 1
                time.sleep(0.1)  # the time a row of an import takes, say

    writer = threading.Thread(target=long_write)
    try:
        writer.start()
        while _count_orgs(store) == 0:  # the first transaction committed
            time.sleep(0.02)
        started = time.monotonic()
        with store.write() as conn:
            conn.execute(organization.insert().values(slug="between", name="Between"))
        assert time.monotonic() - started < 2
        assert writer.is_alive()  # it went in between, not after
    finally:
        writer.join()
        store.dispose()
    assert len(turns) >= 10 and sum(turns) == 60
    empty = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:  # no items: one transaction all the same, which a caller's setup may need
        assert [list(turn) for _, turn in empty.transactions([])] == [[]]
    finally:
        empty.dispose()
