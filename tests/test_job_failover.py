"""Jobs that lose their database connection mid-run, on the real PostgreSQL test server: the
job's own backend is ended with pg_terminate_backend (as a primary that died or was demoted
ends it) at a chosen statement, and the job finishes with the effect of one clean run — an
import, a sync run, a rescore, an intro delivery (its mail sent once) — or, when the store
keeps failing, ends visible with its error."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, func, select
from tests.processes import terminate_backend

from intro_world import build_world
from servers import PASSWORD, Radicale, make_org, vcard
from test_intro_sending import _delivery, _ready, smtp_inbox
from tiegraph.errors import StoreError
from tiegraph.services.activity.daily_rescore import SETTING, rescore_due
from tiegraph.services.activity.ties import rescore
from tiegraph.services.contacts.jobs import IMPORT_RUNS, create_job, get_job, run_job
from tiegraph.services.intros.requests import get_intro
from tiegraph.services.intros.sending import ACCEPTED, deliver, queue_smtp
from tiegraph.services.jobs.tasks import rescore_or_fail
from tiegraph.services.org.changes import data_version
from tiegraph.services.org.members import get_member
from tiegraph.services.org.settings import get_setting
from tiegraph.services.sync.runner import run_due_syncs
from tiegraph.services.sync.sources import SyncSettings, add_source, list_sources
from tiegraph.services.uploads import save_upload
from tiegraph.store import Store
from tiegraph.store.failover import STEP_RUNS
from tiegraph.store.schema import contact, contact_source, tie, upload

pytestmark = pytest.mark.postgres
Matcher = Callable[[str, Any], bool]


@contextmanager
def cut_at(store: Store, matches: Matcher, times: int = 1) -> Iterator[list[str]]:
    """End the job's backend just before its statements that match, the first `times` of
    them; the statements cut."""
    cut: list[str] = []

    def lose(conn: Connection, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if len(cut) < times and matches(statement, parameters):
            cut.append(statement)
            terminate_backend(store, cursor.connection.info.backend_pid)

    event.listen(store.engine, "before_cursor_execute", lose)
    try:
        yield cut
    finally:
        event.remove(store.engine, "before_cursor_execute", lose)


def _starts(prefix: str) -> Matcher:
    return lambda statement, _: statement.startswith(prefix)


def _count(store: Store, table: Any) -> int:
    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _letters(*numbers: int) -> str:
    """A distinct name part for each (names are compared without digits)."""
    return "".join("abcdefghijklmnopqrstuvwxyz"[n // 26] + "abcdefghijklmnopqrstuvwxyz"[n % 26]
                   for n in numbers)  # fmt: skip


def _books(folder: Path) -> list[Path]:
    paths = []
    for n in range(2):
        rows = [f"Ann{_letters(n, i)},Lee,,p{n}.{i}@acme.example,Acme,Buyer," for i in range(30)]
        path = folder / f"book{n}.csv"
        head = "First Name,Last Name,URL,Email Address,Company,Position,Connected On"
        path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _import(store: Store, folder: Path) -> Any:
    org = make_org(store, folder)
    owner = get_member(store, org, "ana@us.example")
    files = []
    for book in _books(folder):
        with book.open("rb") as stream:
            files.append((book.name, save_upload(store, org, book.name, stream).id))
    job = create_job(store, org, owner, [name for name, _ in files])
    run_job(store, org, owner, job.id, files)
    return get_job(store, org, owner, job.id)


def test_an_import_that_lost_its_connection_runs_again_with_its_uploads(
    pg_store: Store, tmp_path: Path
) -> None:
    # The upload's bytes read back on a connection that dies: a store failure, not the file's.
    with cut_at(pg_store, _starts("SELECT upload_chunk")) as cut:
        job = _import(pg_store, tmp_path)
    assert len(cut) == 1
    assert (job.status, job.error) == ("done", None)
    assert [s["file"] for s in job.report["sources"]] == ["book0.csv", "book1.csv"]
    assert job.report["failed"] == []
    assert _count(pg_store, contact) == 60 and _count(pg_store, contact_source) == 60
    assert _count(pg_store, upload) == 0  # ended: its uploads go


def test_an_import_whose_store_keeps_failing_ends_failed_with_its_error(
    pg_store: Store, tmp_path: Path
) -> None:
    with cut_at(pg_store, _starts("SELECT upload_chunk"), times=1000) as cut:
        job = _import(pg_store, tmp_path)
    assert len(cut) == IMPORT_RUNS  # each run of the whole import stopped at the first file
    assert job.status == "failed" and job.finished_at is not None
    assert f"import stopped {IMPORT_RUNS} times" in str(job.error)
    assert "StoreUnavailableError" in str(job.error) and "primary" in str(job.error)
    assert _count(pg_store, contact) == 0 and _count(pg_store, upload) == 0


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = Radicale(tmp_path_factory.mktemp("radicale"))
    server.start()
    yield server
    server.close()


def test_a_sync_run_that_lost_its_connection_runs_again_from_its_cursor(
    pg_store: Store, tmp_path: Path, radicale: Radicale, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAV_PASSWORD", PASSWORD)
    org = make_org(pg_store, tmp_path)
    book = radicale.new_collection("".join(vcard(n) for n in range(5)), "text/vcard")
    owner = get_member(pg_store, org, "ana@us.example")
    add_source(pg_store, org, owner, kind="carddav", url=book, username="ana",
               password_env="DAV_PASSWORD", check=False)  # fmt: skip
    version = data_version(pg_store, org)
    # The cursor is saved with the contacts it covers: the run dies in that transaction.
    with cut_at(pg_store, _starts("UPDATE sync_source SET cursor")) as cut:
        [outcome] = run_due_syncs(pg_store, settings=SyncSettings(timeout=5))
    assert len(cut) == 1
    assert outcome.error is None and outcome.taken == 5, outcome
    [source] = list_sources(pg_store, org)
    assert (source.failures, source.items_taken, source.last_error) == (0, 5, None)
    assert _count(pg_store, contact) == 5 and _count(pg_store, contact_source) == 5
    assert data_version(pg_store, org) == version + 1  # pages warm after a sync, not in 60 s
    # Nothing new on the server: a run again takes nothing and moves no version.
    [again] = run_due_syncs(pg_store, datetime.now(UTC) + timedelta(hours=1))
    assert (again.error, again.taken, data_version(pg_store, org)) == (None, 0, version + 1)


def _ties(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as conn:
        rows = conn.execute(
            select(
                tie.c.member_id, tie.c.person_id, tie.c.score, tie.c.label, tie.c.volume
            ).order_by(tie.c.member_id, tie.c.person_id)
        ).all()
    return [tuple(r) for r in rows]


def test_a_rescore_that_lost_its_connection_ends_as_one_clean_run(
    pg_store: Store, tmp_path: Path
) -> None:
    world = build_world(pg_store, tmp_path)
    later = datetime.now(UTC) + timedelta(days=40)  # every score decays: every tie is written
    with cut_at(pg_store, _starts("UPDATE tie SET")) as cut:
        done = rescore_due(pg_store, now=later)
    assert len(cut) == 1 and done[world.org.slug] > 0
    assert get_setting(pg_store, world.org, SETTING) == later.isoformat()
    cut_run = _ties(pg_store)
    assert rescore(pg_store, world.org, now=later) == 0  # a clean run at that time: no change
    assert _ties(pg_store) == cut_run


def test_a_rescore_job_whose_store_keeps_failing_fails_naming_the_organization(
    pg_store: Store, tmp_path: Path
) -> None:
    world = build_world(pg_store, tmp_path)
    with (
        cut_at(pg_store, _starts("SELECT tie.member_id, tie.person_id, tie.state"), 1000) as cut,
        pytest.raises(StoreError, match=f"not rescored: {world.org.slug} ") as failed,
    ):
        rescore_or_fail(pg_store)  # the queue's job: procrastinate marks it failed, its error kept
    assert len(cut) == STEP_RUNS and "the worker's log says why" in str(failed.value)
    rescore_or_fail(pg_store)  # the store is back: the next hour's job succeeds
    assert get_setting(pg_store, world.org, SETTING) is not None


@pytest.mark.parametrize(
    "where",
    [
        # before the server is reached: the claim's transaction
        lambda s, p: s.startswith("UPDATE intro_delivery SET state") and "sending" in str(p),
        # after the server took the mail: its record
        lambda s, p: s.startswith("UPDATE intro_delivery SET state") and "accepted" in str(p),
    ],
    ids=["claim", "record"],
)
def test_a_delivery_that_lost_its_connection_sends_once_and_ends_requested(
    pg_store: Store, tmp_path: Path, where: Matcher
) -> None:
    with smtp_inbox() as (inbox, port):
        world, rid = _ready(pg_store, tmp_path, port)
        queue_smtp(pg_store, world.org, rid, world.ana, on_queue=False)
        with cut_at(pg_store, where) as cut:
            state = deliver(pg_store, world.org, rid)
        assert len(cut) == 1
        assert state == ACCEPTED and len(inbox.envelopes) == 1
        assert _delivery(pg_store, rid) == (ACCEPTED, 1)
        assert get_intro(pg_store, world.org, rid, world.ana).status == "requested"
        assert deliver(pg_store, world.org, rid) == ACCEPTED  # a duplicate job: nothing sent
        assert len(inbox.envelopes) == 1


def test_a_claim_whose_commit_answer_was_lost_still_sends_once(
    pg_store: Store, tmp_path: Path
) -> None:
    """The claim reached the server's commit, and the connection died before the answer: the
    claim run again finds its own `sending` (not another run's) and sends, once."""
    lost: list[int] = []

    def mark(conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith("UPDATE intro_delivery SET state") and "sending" in str(parameters):
            conn.info["lose_the_answer"] = True

    def commit_then_lose(conn: Connection) -> None:
        if conn.info.pop("lose_the_answer", False) and not lost:
            driver = conn.connection.dbapi_connection
            assert driver is not None
            driver.commit()  # the server commits...
            lost.append(driver.info.backend_pid)  # type: ignore[attr-defined]
            terminate_backend(pg_store, lost[0])
            driver.execute("SELECT 1")  # type: ignore[attr-defined]  # ...the answer is lost

    with smtp_inbox() as (inbox, port):
        world, rid = _ready(pg_store, tmp_path, port)
        queue_smtp(pg_store, world.org, rid, world.ana, on_queue=False)
        event.listen(pg_store.engine, "before_cursor_execute", mark)
        event.listen(pg_store.engine, "commit", commit_then_lose)
        try:
            state = deliver(pg_store, world.org, rid)
        finally:
            event.remove(pg_store.engine, "before_cursor_execute", mark)
            event.remove(pg_store.engine, "commit", commit_then_lose)
        assert len(lost) == 1
        assert state == ACCEPTED and len(inbox.envelopes) == 1
        assert _delivery(pg_store, rid) == (ACCEPTED, 1)
        assert get_intro(pg_store, world.org, rid, world.ana).status == "requested"
