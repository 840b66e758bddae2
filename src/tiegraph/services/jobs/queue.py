"""The queue on PostgreSQL (procrastinate): how to reach it, and how the web enqueues work.

On SQLite there is no queue: the same job functions run in the web process (an executor), as
before. On PostgreSQL the web process only enqueues; `tiegraph worker` processes run the jobs.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

from sqlalchemy import Connection, make_url, text

from tiegraph.errors import StoreBusyError, StoreError
from tiegraph.services.contacts.jobs import mark_failed, run_job
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.uploads import sweep_uploads
from tiegraph.store import Store
from tiegraph.store.engine import postgres_options

# Workers listen for new jobs (LISTEN/NOTIFY), which pgbouncer in transaction mode cannot
# carry: they may reach PostgreSQL directly through this URL while the web goes through pgbouncer.
WORKER_URL_ENV = "TIEGRAPH_WORKER_DATABASE_URL"
IMPORT_TASK = "import_contacts"


def uses_queue(store: Store) -> bool:
    """Whether long work goes to worker processes (PostgreSQL) or runs in-process (SQLite)."""
    return store.dialect == "postgresql"


def queue_url(store: Store) -> str:
    """The URL the queue's own connections use: $TIEGRAPH_WORKER_DATABASE_URL, else the store's."""
    return os.environ.get(WORKER_URL_ENV, "").strip() or store.url


def connector_options(url: str) -> dict[str, Any]:
    """Arguments of procrastinate's psycopg connectors for a store URL (libpq conninfo + kwargs)."""
    try:
        parsed = make_url(url)
    except Exception:
        raise StoreError(f"{WORKER_URL_ENV}: {url!r} is not a database URL") from None
    if parsed.get_backend_name() != "postgresql":
        raise StoreError("the job queue needs PostgreSQL (postgresql+psycopg://…)")
    parsed, driver_args = postgres_options(parsed)
    import psycopg.conninfo

    _, params = parsed.get_dialect()().create_connect_args(parsed)
    return {"conninfo": psycopg.conninfo.make_conninfo(**params), "kwargs": driver_args}


def _procrastinate() -> Any:
    try:
        import procrastinate
    except ModuleNotFoundError:
        raise StoreError(
            "the job queue on PostgreSQL needs procrastinate: pip install 'tiegraph[postgres]'"
        ) from None
    return procrastinate


def enqueue(store: Store, task: str, *, queueing_lock: str | None = None, **args: Any) -> int:
    """Put a job on the queue; its id. Arguments are JSON values.

    A connection of its own for each (an upload is rare next to page views; nothing is left
    open in a web process that may never enqueue again)."""
    procrastinate = _procrastinate()
    connector = procrastinate.SyncPsycopgConnector(
        **connector_options(queue_url(store)), min_size=1, max_size=1
    )
    with procrastinate.App(connector=connector).open() as app:
        job_id: int = app.configure_task(name=task, queueing_lock=queueing_lock).defer(**args)
    return job_id


def enqueue_in(conn: Connection, task: str, *, queueing_lock: str, **args: Any) -> int:
    """Put a job on the queue inside the caller's transaction (PostgreSQL): it exists exactly
    when the caller's change is committed, and workers hear of it (procrastinate's NOTIFY) then.
    `queueing_lock` refuses a second job of the same key while one waits."""
    job_id = conn.execute(
        text(
            "SELECT unnest(procrastinate_defer_jobs_v1(ARRAY[ROW('default', :task, 0, NULL, "
            ":lock, CAST(:args AS jsonb), NULL)::procrastinate_job_to_defer_v1]))"
        ),
        {"task": task, "lock": queueing_lock, "args": json.dumps(args)},
    ).scalar_one()
    return int(job_id)


def _run_here(
    store: Store, org: Org, owner: Member, job_id: int, files: Sequence[tuple[str, str]]
) -> None:
    run_job(store, org, owner, job_id, files)
    sweep_uploads(store)  # on the queue a periodic job does it


def submit_import(
    store: Store,
    in_process: Executor,
    org: Org,
    owner: Member,
    job_id: int,
    files: Sequence[tuple[str, str]],
) -> None:
    """Start an import of (name, upload id) files: on the queue (PostgreSQL) or in the web
    process's executor (SQLite). The bytes are in the store (services/uploads.py): a worker on
    any host reads them."""
    if not uses_queue(store):
        in_process.submit(_run_here, store, org, owner, job_id, files)
        return
    try:
        enqueue(
            store,
            IMPORT_TASK,
            org_id=org.id,
            member_id=owner.id,
            job_id=job_id,
            files=[[name, upload_id] for name, upload_id in files],
        )
    except Exception as exc:  # the import's page says so rather than waiting forever
        mark_failed(store, job_id, f"the import could not be queued: {type(exc).__name__}")
        raise StoreBusyError(
            "the job queue did not answer, so nothing will be imported: try again in a moment"
        ) from exc
