"""The job queue on a real PostgreSQL with real worker processes: a worker killed with SIGKILL
mid-import has its job retried by another worker's stalled-job sweep, and the data ends equal
to one clean run; a job that keeps failing ends `failed` with its error, visible in the list."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from tests.conftest import _drop_pg_database, _pg_database
from tests.made_bytes import name_part
from tests.processes import start_serve, start_worker, stop, wait_for
from tests.servers import free_port

from tiegraph.cli import main
from tiegraph.services.activity.daily_rescore import last_rescore
from tiegraph.services.contacts.jobs import create_job, get_job, run_job
from tiegraph.services.directory.importer import import_directory
from tiegraph.services.jobs.listing import list_queued_jobs
from tiegraph.services.jobs.queue import IMPORT_TASK, enqueue, submit_import
from tiegraph.services.jobs.tasks import RESCORE_TASK, SYNC_TASK
from tiegraph.services.jobs.worker import MAX_ATTEMPTS, sweep, worker_app
from tiegraph.services.org.auth import create_token
from tiegraph.services.org.members import Member, add_member
from tiegraph.services.org.orgs import Org, create_org
from tiegraph.services.uploads import save_upload
from tiegraph.store import Store, open_store
from tiegraph.store.schema import (
    contact,
    contact_email,
    contact_source,
    person,
    possible_match,
    upload,
)

pytestmark = pytest.mark.postgres
FILES = 6
ROWS = 1500
COUNTED = {
    "persons": person,
    "contacts": contact,
    "contact_sources": contact_source,
    "contact_emails": contact_email,
    "possible_matches": possible_match,
}


@pytest.fixture
def pg_urls(pg_template: str) -> Iterator[tuple[str, str]]:
    """Two fresh databases: one for the run with a killed worker, one for the clean run."""
    made = [_pg_database(pg_template), _pg_database(pg_template)]
    yield made[0][1], made[1][1]
    for name, _ in made:
        _drop_pg_database(name)


@pytest.fixture
def opened() -> Iterator[Callable[[str], Store]]:
    """Opens stores, and closes them at the end even when the test fails."""
    stores: list[Store] = []

    def open_one(url: str) -> Store:
        stores.append(open_store(url))
        return stores[-1]

    yield open_one
    for store in stores:
        store.dispose()


def _address_books(folder: Path) -> list[Path]:
    """LinkedIn exports; a third of the people also sit in the directory (matched by email)."""
    paths = []
    for n in range(FILES):
        lines = ["First Name,Last Name,URL,Email Address,Company,Position,Connected On"]
        for i in range(ROWS):
            k = n * ROWS + i
            lines.append(
                f"Ann{name_part(k)},Lee{name_part(k)},https://www.linkedin.com/in/ann-{k},"
                f"ann{k}@co{k % 40}.example,Co{name_part(k % 40)} Inc,Buyer,3 Jan 2024"
            )
        path = folder / f"book{n}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def _world(store: Store, folder: Path) -> tuple[Org, Member]:
    org = create_org(store, "acme")
    owner = add_member(store, org, email="seller@acme.example", name="Sam Seller")
    people = [
        {"type": "person", "id": f"P{k}", "first_name": f"Ann{name_part(k)}",
         "last_name": f"Lee{name_part(k)}",
         "emails": [f"ann{k}@co{k % 40}.example"]}
        for k in range(0, FILES * ROWS, 3)
    ]  # fmt: skip
    directory = folder / "directory.jsonl"
    directory.write_text("\n".join(json.dumps(p) for p in people) + "\n", encoding="utf-8")
    import_directory(store, org, [directory])
    return org, owner


def _uploads(store: Store, org: Org, books: list[Path]) -> list[tuple[str, str]]:
    """The books as the web saves uploads: in the store, a small chunk at a time (so that each
    file is several chunks); (name, upload id) each."""
    saved = []
    for book in books:
        with book.open("rb") as stream:
            saved.append((book.name, save_upload(store, org, book.name, stream, chunk=4096).id))
    return saved


def _stored_uploads(store: Store, org: Org) -> int:
    with store.read() as conn:
        return int(
            conn.execute(
                select(func.count()).select_from(upload).where(upload.c.org_id == org.id)
            ).scalar_one()
        )


def _counts(store: Store, org: Org) -> dict[str, int]:
    with store.read() as conn:
        return {
            name: conn.execute(
                select(func.count()).select_from(table).where(table.c.org_id == org.id)
            ).scalar_one()
            for name, table in COUNTED.items()
        }


def _queue_row(store: Store, job_id: int) -> tuple[str, int]:
    with store.read() as conn:
        row = conn.execute(
            text("SELECT status::text, attempts FROM procrastinate_jobs WHERE id = :id"),
            {"id": job_id},
        ).one()
    return row[0], row[1]


def _events(store: Store, job_id: int) -> list[str]:
    with store.read() as conn:
        return list(
            conn.execute(
                text("SELECT type::text FROM procrastinate_events WHERE job_id = :id ORDER BY id"),
                {"id": job_id},
            ).scalars()
        )


def test_a_killed_workers_import_is_retried_and_done_once_in_effect(
    opened: Callable[[str], Store], pg_urls: tuple[str, str], tmp_path: Path
) -> None:
    killed_url, clean_url = pg_urls
    books = _address_books(tmp_path)
    store = opened(killed_url)
    org, owner = _world(store, tmp_path)
    job = create_job(store, org, owner, [b.name for b in books])
    saved = _uploads(store, org, books)
    with ThreadPoolExecutor(1) as unused:  # the in-process path must not be taken
        submit_import(store, unused, org, owner, job.id, saved)
    (queue_id,) = (j.id for j in list_queued_jobs(store) if j.task == IMPORT_TASK)
    log = tmp_path / "workers.log"
    first = start_worker(killed_url, log)
    second = None
    try:
        wait_for(
            lambda: get_job(store, org, owner, job.id).progress_done >= 1,
            120,
            "the first worker to import a file",
        )
        first.send_signal(signal.SIGKILL)
        first.wait()
        midway = get_job(store, org, owner, job.id)
        assert midway.status == "running" and midway.progress_done < FILES, midway
        assert _queue_row(store, queue_id) == ("doing", 0)
        assert _stored_uploads(store, org) == FILES  # kept for the retry
        killed_at = time.monotonic()
        second = start_worker(killed_url, log)
        wait_for(lambda: get_job(store, org, owner, job.id).finished, 180, "the retried import")
        print(f"killed at file {midway.progress_done} of {FILES}; "
              f"retried and done {time.monotonic() - killed_at:.1f} s later")  # fmt: skip
    finally:
        for process in (first, second):
            if process is not None:
                stop(process)
    done = get_job(store, org, owner, job.id)
    assert done.status == "done", (done.error, log.read_text())
    assert done.progress_done == FILES
    # Finishing counts a run: the killed run, then the retried one that succeeded.
    assert _queue_row(store, queue_id) == ("succeeded", 2)
    events = _events(store, queue_id)
    assert (events.count("started"), events.count("deferred_for_retry")) == (2, 1), events
    assert events.count("succeeded") == 1 and events[-1] == "succeeded", events
    assert "its worker died; retried" in log.read_text()
    assert _stored_uploads(store, org) == 0  # deleted once the import ended
    killed_counts = _counts(store, org)

    clean = opened(clean_url)
    clean_org, clean_owner = _world(clean, tmp_path)
    clean_job = create_job(clean, clean_org, clean_owner, [b.name for b in books])
    run_job(clean, clean_org, clean_owner, clean_job.id, _uploads(clean, clean_org, books))
    assert get_job(clean, clean_org, clean_owner, clean_job.id).status == "done"
    clean_counts = _counts(clean, clean_org)
    assert killed_counts == clean_counts
    print("counts (killed run = clean run):", killed_counts)
    assert killed_counts["contacts"] == FILES * ROWS, killed_counts
    assert killed_counts["contact_sources"] == FILES * ROWS, killed_counts


def test_a_job_whose_workers_keep_dying_ends_failed_with_the_reason(
    opened: Callable[[str], Store],
    pg_urls: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = pg_urls[0]
    store = opened(url)
    org, owner = _world(store, tmp_path)
    job = create_job(store, org, owner, ["book.csv"])
    queue_id = enqueue(store, IMPORT_TASK, org_id=org.id, member_id=owner.id, job_id=job.id,
                       files=[["book.csv", str(tmp_path / "gone.csv")]])  # fmt: skip
    # As a worker that took the job and then went silent (killed) would leave it, for the
    # last allowed time: a worker row whose heartbeat is old, the job `doing` under it.
    with store.write() as conn:
        worker_id = conn.execute(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - interval '1 hour') RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w, attempts = :a "
                "WHERE id = :id"
            ),
            {"w": worker_id, "a": MAX_ATTEMPTS - 1, "id": queue_id},
        )

    async def sweep_once() -> list[int]:
        app = worker_app(store)
        async with app.open_async():
            return await sweep(app, store, stalled_after=30)

    assert asyncio.run(sweep_once()) == [queue_id]
    assert asyncio.run(sweep_once()) == []  # nothing left to sweep: swept once only
    assert _queue_row(store, queue_id) == ("failed", MAX_ATTEMPTS)  # finishing counts a run
    failed = get_job(store, org, owner, job.id)
    assert failed.status == "failed"
    assert f"its worker stopped {MAX_ATTEMPTS} times" in (failed.error or "")
    with pytest.raises(SystemExit) as ended:
        main(["jobs", "list", "--status", "failed", "--json", "--db", url])
    assert ended.value.code == 0
    listed = json.loads(capsys.readouterr().out)["jobs"]
    assert [(j["id"], j["status"]) for j in listed] == [(queue_id, "failed")]
    assert "its worker stopped" in listed[0]["error"]


def _doing_under(store: Store, queue_id: int, silent_for: str) -> int:
    """Put the job `doing` under a new worker row last heard `silent_for` ago; its id."""
    with store.write() as conn:
        worker_id = conn.execute(
            text(
                "INSERT INTO procrastinate_workers (last_heartbeat) "
                "VALUES (now() - CAST(:silent AS interval)) RETURNING id"
            ),
            {"silent": silent_for},
        ).scalar_one()
        conn.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :w WHERE id = :id"),
            {"w": worker_id, "id": queue_id},
        )
    return int(worker_id)


def test_a_dead_workers_job_is_retried_after_stalled_after_and_a_live_ones_never(
    opened: Callable[[str], Store], pg_urls: tuple[str, str]
) -> None:
    store = opened(pg_urls[0])
    dead, live = (
        enqueue(store, IMPORT_TASK, org_id=1, member_id=1, job_id=n, files=[]) for n in (1, 2)
    )
    # The database was away for an hour (a failover): both workers' heartbeats are old.
    _doing_under(store, dead, "1 hour")
    live_worker = _doing_under(store, live, "1 hour")
    stalled_after, seen = 2.0, {}  # kept from one look to the next, as a worker keeps it

    async def look() -> list[int]:
        app = worker_app(store)
        async with app.open_async():
            return await sweep(app, store, stalled_after, seen=seen)

    def live_worker_beats() -> None:
        with store.write() as conn:
            conn.execute(
                text("UPDATE procrastinate_workers SET last_heartbeat = now() WHERE id = :w"),
                {"w": live_worker},
            )

    assert asyncio.run(look()) == []  # found all at once: the live one may be back soon
    live_worker_beats()  # the live worker is heard again
    time.sleep(stalled_after / 2)
    assert asyncio.run(look()) == []  # within stalled_after of the first look: both wait
    live_worker_beats()
    time.sleep(stalled_after / 2)
    assert asyncio.run(look()) == [dead]  # the silent one's job only, stalled_after later
    assert _queue_row(store, dead)[0] == "todo" and _queue_row(store, live)[0] == "doing"
    # A worker that dies now: found silent at half stalled_after, retried at stalled_after.
    _doing_under(store, dead, f"{stalled_after * 0.6} seconds")  # taken again, then killed
    live_worker_beats()
    assert asyncio.run(look()) == []
    time.sleep(stalled_after / 2)
    live_worker_beats()
    assert asyncio.run(look()) == [dead]  # silent for 1.1 x stalled_after in all
    assert _queue_row(store, live)[0] == "doing"


def test_a_failing_job_ends_failed_with_its_error(
    opened: Callable[[str], Store], pg_urls: tuple[str, str], tmp_path: Path
) -> None:
    url = pg_urls[0]
    store = opened(url)
    queue_id = enqueue(
        store, IMPORT_TASK, org_id=987654, member_id=1, job_id=1, files=[]
    )  # no such organization
    worker = start_worker(url, tmp_path / "worker.log")
    try:
        wait_for(lambda: _queue_row(store, queue_id)[0] == "failed", 60, "the job to fail")
    finally:
        stop(worker)
    (listed,) = [j for j in list_queued_jobs(store, status="failed") if j.id == queue_id]
    assert listed.error is not None and "NoResultFound" in listed.error


def test_sqlite_has_no_queue_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'tiegraph.db'}"
    with pytest.raises(SystemExit) as stopped:
        main(["jobs", "list", "--db", url])
    assert stopped.value.code == 2
    assert "no job queue on SQLite" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["worker", "--db", url])
    assert "needs PostgreSQL" in capsys.readouterr().err


def _api(store: Store, org: Org, owner: Member, port: int) -> httpx.Client:
    """The owner's API client of a running server, once it answers."""
    _, token = create_token(store, org, owner, "tests")
    client = httpx.Client(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    )
    wait_for(lambda: _answers(client), 30, "the server to start")
    assert client.get("/healthz").json() == {"status": "ok"}
    return client


def _upload(client: httpx.Client, book: Path) -> Callable[[], Any]:
    """Upload through the API; a function reading the import's state."""
    files = {"files": (book.name, book.read_bytes(), "text/csv")}
    job = client.post("/api/v1/imports", files=files).json()
    return lambda: client.get(f"/api/v1/imports/{job['id']}").json()


def _answers(client: httpx.Client) -> bool:
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def test_the_web_only_enqueues_and_a_separate_worker_imports(
    opened: Callable[[str], Store], pg_urls: tuple[str, str], tmp_path: Path
) -> None:
    url = pg_urls[0]
    store = opened(url)
    org, owner = _world(store, tmp_path)
    (book, *_) = _address_books(tmp_path)
    port = free_port()
    log = tmp_path / "serve.log"
    server = start_serve(url, port, log, "--workers", "2", "--no-with-worker")
    worker = None
    try:
        with closing(_api(store, org, owner, port)) as client:
            state = _upload(client, book)
            time.sleep(3)  # no worker anywhere: the upload waits on the queue
            assert state()["status"] == "queued"
            assert _stored_uploads(store, org) == 1  # in the store, not in the web's folder
            worker = start_worker(url, log)
            wait_for(lambda: state()["status"] == "done", 60, "the worker to import the upload")
            assert state()["report"]["sources"][0]["attempted"] == ROWS
            # The worker (its own folder and temp folder) read the bytes from the store alone.
            assert _stored_uploads(store, org) == 0
    finally:
        for process in (server, worker):
            if process is not None:
                stop(process)


def test_serve_on_postgres_runs_jobs_itself_on_one_host(
    opened: Callable[[str], Store], pg_urls: tuple[str, str], tmp_path: Path
) -> None:
    url = pg_urls[0]
    store = opened(url)
    org, owner = _world(store, tmp_path)
    (book, *_) = _address_books(tmp_path)
    port = free_port()
    server = start_serve(url, port, tmp_path / "serve.log")
    try:
        with closing(_api(store, org, owner, port)) as client:
            state = _upload(client, book)
            wait_for(lambda: state()["status"] == "done", 60, "serve's own worker to import")
    finally:
        stop(server)


def test_the_periodic_jobs_run_in_a_worker(
    opened: Callable[[str], Store], pg_urls: tuple[str, str], tmp_path: Path
) -> None:
    """sync_due (every minute) and rescore_due (hourly) as a worker runs them when due."""
    url = pg_urls[0]
    store = opened(url)
    org, _ = _world(store, tmp_path)
    assert last_rescore(store, org) is None
    ids = [enqueue(store, task, timestamp=0) for task in (SYNC_TASK, RESCORE_TASK)]
    worker = start_worker(url, tmp_path / "worker.log")
    try:
        wait_for(lambda: all(_queue_row(store, i)[0] == "succeeded" for i in ids), 60, "both jobs")
    finally:
        stop(worker)
    assert last_rescore(store, org) is not None
