"""The jobs a worker runs: each calls the same service function that runs in-process on SQLite.

Every job is idempotent: an import or a sync run again over the same input gives the same data
(unique keys and ON CONFLICT in the services), and a rescore recomputes stored scores.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from procrastinate import Blueprint, JobContext, RetryStrategy
from sqlalchemy import select, text

from tiegraph.errors import StoreError
from tiegraph.services.activity.daily_rescore import EVERY, last_rescore, rescore_due
from tiegraph.services.contacts.jobs import run_job
from tiegraph.services.intros.sending import SEND_TASK, deliver, recover_deliveries
from tiegraph.services.jobs.queue import IMPORT_TASK
from tiegraph.services.org.members import member_by_id
from tiegraph.services.org.orgs import Org, list_orgs, org_from_row
from tiegraph.services.sync.runner import run_due_syncs
from tiegraph.services.uploads import sweep_uploads
from tiegraph.store import Store
from tiegraph.store.schema import organization

log = logging.getLogger(__name__)
blueprint = Blueprint()
SYNC_TASK = "sync_due"
RESCORE_TASK = "rescore_due"
SWEEP_UPLOADS_TASK = "sweep_uploads"
RECOVER_TASK = "recover_intro_deliveries"


def record_error(store: Store, job_id: int, task: str, attempt: int, error: str) -> None:
    """Keep why a job failed (the last failure of each job), for `tiegraph jobs list`."""
    with store.write() as conn:
        conn.execute(
            text(
                "INSERT INTO job_error (job_id, task_name, attempt, error, failed_at) "
                "VALUES (:job_id, :task, :attempt, :error, now()) ON CONFLICT (job_id) DO UPDATE "
                "SET attempt = EXCLUDED.attempt, error = EXCLUDED.error, failed_at = now()"
            ),
            {"job_id": job_id, "task": task, "attempt": attempt, "error": error[:2000]},
        )


def _store(context: JobContext) -> Store:
    store: Store = context.additional_context["store"]
    return store


def _recorded(context: JobContext, work: Callable[[Store], object]) -> None:
    """Run the job; a failure is recorded with the job before procrastinate marks it failed."""
    store = _store(context)
    try:
        work(store)
    except Exception as exc:
        job = context.job
        log.exception("job %s (%s) failed", job.id, job.task_name)
        record_error(
            store, int(job.id or 0), job.task_name, job.attempts + 1, f"{type(exc).__name__}: {exc}"
        )
        raise


def _org(store: Store, org_id: int) -> Org:
    with store.read() as conn:
        row = conn.execute(select(organization).where(organization.c.id == org_id)).one()
    return org_from_row(row)


@blueprint.task(name=IMPORT_TASK, pass_context=True)
def import_contacts(
    context: JobContext, org_id: int, member_id: int, job_id: int, files: list[list[str]]
) -> None:
    """An uploaded import, its files' bytes in the store (services/uploads.py); run_job itself
    records any failure on the import's own row."""

    def work(store: Store) -> None:
        org = _org(store, org_id)
        owner = member_by_id(store, org, member_id)
        run_job(store, org, owner, job_id, [(name, upload_id) for name, upload_id in files])

    _recorded(context, work)


@blueprint.task(name=SEND_TASK, pass_context=True, retry=RetryStrategy(max_attempts=3, wait=5))
def send_intro(context: JobContext, org_id: int, request_id: int) -> None:
    """An intro request by SMTP, sent once whatever reruns (services/intros/sending.py); a
    failure to reach the store is retried, and the retry never sends a second time."""
    _recorded(context, lambda store: deliver(store, _org(store, org_id), request_id))


@blueprint.periodic(cron="*/5 * * * *")
@blueprint.task(name=RECOVER_TASK, pass_context=True, queueing_lock=RECOVER_TASK)
def recover_intro_deliveries(context: JobContext, timestamp: int) -> None:
    """Every 5 minutes: intro deliveries a stopped process left queued or sending."""
    _recorded(context, lambda store: recover_deliveries(store))


@blueprint.periodic(cron="* * * * *")
@blueprint.task(name=SYNC_TASK, pass_context=True, queueing_lock=SYNC_TASK)
def sync_due(context: JobContext, timestamp: int) -> None:
    """Every minute: the CardDAV, CalDAV and IMAP sources that are due (each at its interval)."""
    _recorded(context, lambda store: run_due_syncs(store))


@blueprint.periodic(cron="17 * * * *")
@blueprint.task(name=RESCORE_TASK, pass_context=True, queueing_lock=RESCORE_TASK)
def rescore_daily(context: JobContext, timestamp: int) -> None:
    """Every hour: organizations whose stored scores were last brought up to date a day ago."""
    _recorded(context, rescore_or_fail)


def rescore_or_fail(store: Store) -> None:
    """Rescore the organizations that are due; when one is still due after (its rescore failed
    even when run again), the job fails naming it, rather than succeeding with a line in a log."""
    moment = datetime.now(UTC)
    rescore_due(store, now=moment)
    behind = sorted(
        s.org.slug
        for s in list_orgs(store)
        if (last := last_rescore(store, s.org)) is None or moment - last >= EVERY
    )
    if behind:
        raise StoreError(
            f"not rescored: {', '.join(behind)} (the worker's log says why); the next hour's "
            "job tries again"
        )


@blueprint.periodic(cron="41 * * * *")
@blueprint.task(name=SWEEP_UPLOADS_TASK, pass_context=True, queueing_lock=SWEEP_UPLOADS_TASK)
def sweep_old_uploads(context: JobContext, timestamp: int) -> None:
    """Every hour: uploads older than uploads.RETENTION whose import never ended."""
    _recorded(context, lambda store: sweep_uploads(store))
