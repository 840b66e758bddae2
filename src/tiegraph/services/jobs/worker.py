"""A worker: runs queued jobs, and sweeps up the jobs of workers that died.

procrastinate never requeues the job of a killed worker by itself: it stays `doing`. Every
worker therefore looks now and then for jobs whose worker stopped sending heartbeats, and
retries them; a job whose workers died MAX_ATTEMPTS times ends `failed` with that reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass

import procrastinate
from procrastinate import exceptions, jobs

from tiegraph.services.contacts.jobs import mark_failed
from tiegraph.services.jobs.queue import IMPORT_TASK, connector_options, queue_url
from tiegraph.services.jobs.tasks import blueprint, record_error
from tiegraph.store import Store

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # runs of one job, counting those whose worker died
SLOW_LOOK = 2.0  # seconds: a look that took longer waited on the database (counts as away)


@dataclass(frozen=True)
class WorkerSettings:
    concurrency: int = 1
    heartbeat_seconds: float = 10.0  # how often a worker says it is alive
    stalled_after_seconds: float = 30.0  # silence after which a worker counts as dead
    sweep_seconds: float = 15.0  # how often each worker looks for jobs of dead workers
    name: str = "tiegraph-worker"


def worker_app(store: Store) -> procrastinate.App:
    """A procrastinate app with tiegraph's tasks, on the queue's own (direct) connections."""
    connector = procrastinate.PsycopgConnector(**connector_options(queue_url(store)))
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(blueprint, namespace="")
    return app


async def sweep(
    app: procrastinate.App,
    store: Store,
    stalled_after: float,
    *,
    seen: dict[int, float] | None = None,
) -> list[int]:
    """Retry the jobs of dead workers once; the ids retried or failed. Safe in several workers
    at once: a job another worker retried first is no longer `doing` and is skipped.

    `seen` (job id: the earliest moment it may be retried), kept from one look to the next,
    tells a worker that died under these looks from silences found all at once. A job found
    while its worker has been silent for half `stalled_after` is retried at the first look
    that finds it silent for all of it: about `stalled_after` after its last heartbeat. One
    first found silent for all of it already (the database was away: a failover, or this
    worker just started) waits `stalled_after` more: then every worker's heartbeat is old, the
    live ones' too, and a live worker's job must not be taken for a dead one's (run twice at
    once); by then the live ones have sent theirs again. A look that fails must clear `seen`;
    one that took longer than SLOW_LOOK clears it itself.
    Without `seen`, one look retries the jobs of workers silent for `stalled_after`."""
    manager = app.job_manager
    handled = []
    started = time.monotonic()
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after)
    if seen is not None:
        silent = await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after / 2)
        now, late = time.monotonic(), {job.id for job in stalled}
        if now - started > SLOW_LOOK:  # it waited on the database: its silences may be that
            seen.clear()
        retry_at = {
            job.id: seen.get(job.id, now + stalled_after if job.id in late else now)
            for job in [*silent, *stalled]
            if job.id is not None
        }
        seen.clear()
        seen.update(retry_at)
        stalled = [j for j in stalled if now >= retry_at.get(j.id or 0, now)]
    for job in stalled:
        assert job.id is not None
        runs = job.attempts + 1
        try:
            if runs >= MAX_ATTEMPTS:
                reason = f"its worker stopped {runs} times before it finished"
                await manager.finish_job(job, status=jobs.Status.FAILED, delete_job=False)
                record_error(store, job.id, job.task_name, runs, reason)
                if job.task_name == IMPORT_TASK:
                    import_id = int(str(job.task_kwargs["job_id"]))
                    mark_failed(store, import_id, f"import stopped: {reason}")
                log.error("job %s (%s) failed: %s", job.id, job.task_name, reason)
            else:
                await manager.retry_job(job)
                log.warning("job %s (%s): its worker died; retried", job.id, job.task_name)
        except exceptions.ConnectorException:  # another worker's sweep was first
            continue
        handled.append(job.id)
    return handled


async def _sweep_forever(app: procrastinate.App, store: Store, settings: WorkerSettings) -> None:
    seen: dict[int, float] = {}
    while True:
        try:
            await sweep(app, store, settings.stalled_after_seconds, seen=seen)
        except Exception:  # the database is away for a moment: sweep again later
            log.exception("stalled-job sweep failed")
            seen.clear()  # silences found after it may all be the outage's: confirm them anew
        await asyncio.sleep(settings.sweep_seconds)


async def run_worker(
    store: Store, settings: WorkerSettings, *, install_signal_handlers: bool = True
) -> None:
    """Run jobs until stopped (SIGINT/SIGTERM let the running job finish first)."""
    app = worker_app(store)
    async with app.open_async():
        sweeper = asyncio.create_task(_sweep_forever(app, store, settings))
        try:
            await app.run_worker_async(
                name=settings.name,
                concurrency=settings.concurrency,
                update_heartbeat_interval=settings.heartbeat_seconds,
                stalled_worker_timeout=settings.stalled_after_seconds,
                additional_context={"store": store},
                install_signal_handlers=install_signal_handlers,
            )
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper


class WorkerThread:
    """A worker in a thread of this process (`tiegraph serve` on one host); `stop()` ends it."""

    def __init__(self, store: Store, settings: WorkerSettings) -> None:
        self.store, self.settings = store, settings
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tiegraph-worker", daemon=True)

    def start(self) -> WorkerThread:
        self._thread.start()
        self._ready.wait(10)
        return self

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.create_task(
                run_worker(self.store, self.settings, install_signal_handlers=False)
            )
            self._ready.set()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

        try:
            asyncio.run(main())
        except Exception:
            log.exception("the in-process worker stopped")
        finally:
            self._ready.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop taking jobs; a job under way finishes first (or is retried by a sweep later)."""
        if self._loop is not None and self._task is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout)
