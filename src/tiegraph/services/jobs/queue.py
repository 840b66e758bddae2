"""The queue on PostgreSQL (procrastinate): how to reach it, and how the web enqueues work.

On SQLite there is no queue: the same job functions run in the web process (an executor), as
before. On PostgreSQL the web process only enqueues; `tiegraph worker` processes run the jobs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from tiegraph.errors import StoreBusyError, StoreError
from tiegraph.services.contacts.jobs import mark_failed, run_job
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
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


def _run_then(
    store: Store,
    org: Org,
    owner: Member,
    job_id: int,
    files: Sequence[tuple[str, Path]],
    then: Callable[[], object] | None,
) -> None:
    run_job(store, org, owner, job_id, files)
    if then is not None:
        then()


def submit_import(
    store: Store,
    in_process: Executor,
    org: Org,
    owner: Member,
    job_id: int,
    files: Sequence[tuple[str, Path]],
    then: Callable[[], object] | None = None,
) -> None:
    """Start an import job: on the queue (PostgreSQL) or in the web process's executor (SQLite),
    where `then` runs after it (the web's warming of the first views).

    On the queue the files are read by a worker from where the web saved them: on several
    hosts that folder ($TIEGRAPH_UPLOAD_DIR) must be shared (docs/deploy.md)."""
    if not uses_queue(store):
        in_process.submit(_run_then, store, org, owner, job_id, files, then)
        return
    try:
        enqueue(
            store,
            IMPORT_TASK,
            org_id=org.id,
            member_id=owner.id,
            job_id=job_id,
            files=[[name, str(path)] for name, path in files],
        )
    except Exception as exc:  # the import's page says so rather than waiting forever
        mark_failed(store, job_id, f"the import could not be queued: {type(exc).__name__}")
        raise StoreBusyError(
            "the job queue did not answer, so nothing will be imported: try again in a moment"
        ) from exc
