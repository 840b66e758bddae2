"""Contact imports run in the background: a job row records status, progress and the report."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select

from tiegraph.errors import NotFoundError, TiegraphError
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.org.changes import note_change
from tiegraph.services.org.members import Member, member_by_id
from tiegraph.services.org.orgs import Org, org_from_row
from tiegraph.services.paging import Page, checked_window, count_of
from tiegraph.services.pst_import import SUFFIXES as PST_SUFFIXES
from tiegraph.services.pst_import import import_pst
from tiegraph.services.uploads import delete_uploads, upload_file
from tiegraph.store import Store
from tiegraph.store.failover import lost_or_busy, pause, run_again_when_lost
from tiegraph.store.schema import import_job, organization, upload

FINISHED = ("done", "failed")
# A background write that found the store busy (another import, a sync) is tried again this
# many times in all, each waiting the store's busy timeout: a busy write wrote nothing, and
# an import of the same file again is the same import.
BUSY_ATTEMPTS = 3
# Runs of a whole import that stopped on an unexpected failure, before it ends failed.
IMPORT_RUNS = 3
MAX_ERROR = 300  # characters of an unexpected failure shown on the import's page
log = logging.getLogger(__name__)
T = TypeVar("T")


def _retried(action: Callable[[], T]) -> T:
    """The action, again when the store was busy or its connection was lost (a failover: the
    next attempt waits for the new primary); each action here is idempotent."""
    return run_again_when_lost(action, runs=BUSY_ATTEMPTS)


@dataclass(frozen=True)
class ImportJob:
    id: int
    status: str  # queued | running | done | failed
    files: tuple[str, ...]
    progress_done: int
    progress_total: int
    report: dict[str, Any] | None
    error: str | None
    created_at: datetime | None
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED


def _job(row: Any) -> ImportJob:
    return ImportJob(
        row.id,
        row.status,
        tuple(row.files or ()),
        row.progress_done,
        row.progress_total,
        row.report,
        row.error,
        row.created_at,
        row.finished_at,
    )


def create_job(
    store: Store, org: Org, owner: Member, names: Sequence[str], uploads: Sequence[str] = ()
) -> ImportJob:
    """A queued contact import of these files (their names as uploaded) for the owner;
    `uploads`: their upload ids, kept so that a stopped server's import can run again."""
    with store.write() as conn:
        job_id = conn.execute(
            import_job.insert()
            .values(
                org_id=org.id,
                member_id=owner.id,
                kind="contacts",
                status="queued",
                files=list(names),
                uploads=list(uploads) or None,
                progress_total=len(names),
            )
            .returning(import_job.c.id)
        ).scalar_one()
    return get_job(store, org, owner, int(job_id))


def get_job(store: Store, org: Org, owner: Member, job_id: int) -> ImportJob:
    """One of the owner's import jobs (another member's jobs do not exist for them)."""
    with store.read() as conn:
        row = conn.execute(
            select(import_job).where(
                import_job.c.org_id == org.id,
                import_job.c.id == job_id,
                import_job.c.member_id == owner.id,
            )
        ).first()
    if row is None:
        raise NotFoundError(f"no import {job_id} of {owner.email}")
    return _job(row)


def list_jobs(
    store: Store, org: Org, owner: Member, *, limit: int = 20, offset: int = 0
) -> Page[ImportJob]:
    limit, offset = checked_window(limit, offset)
    stmt = select(import_job).where(
        import_job.c.org_id == org.id, import_job.c.member_id == owner.id
    )
    with store.read() as conn:
        total = count_of(conn, stmt)
        rows = conn.execute(stmt.order_by(import_job.c.id.desc()).limit(limit).offset(offset)).all()
    return Page([_job(r) for r in rows], total, limit, offset)


def _update(store: Store, job_id: int, **values: Any) -> None:
    def write() -> None:
        with store.write() as conn:
            conn.execute(import_job.update().where(import_job.c.id == job_id).values(**values))

    _retried(write)


def run_job(
    store: Store, org: Org, owner: Member, job_id: int, files: Sequence[tuple[str, str]]
) -> None:
    """Import each (name, upload id) file on its own, so one broken file loses nothing of the
    others: its bytes are read back from the store (services/uploads.py) into this host's temp
    folder, whichever host received them.

    An unexpected failure (a bug, the store lost for longer than a step waits) runs the whole
    import again, up to IMPORT_RUNS in all, the uploads kept: an import of the same files
    again is the same import. The uploads are deleted once the import has ended, done or
    failed with its reasons; a process that dies on the way leaves them for the queue's retry.
    A failure ends as status `failed` with the reason, never as an exception in the worker.
    """
    for run in range(1, IMPORT_RUNS + 1):
        try:
            _import_all(store, org, owner, job_id, files)
            break
        except Exception as exc:  # the job records why it stopped; the server goes on
            log.exception("import %s stopped (run %d of %d)", job_id, run, IMPORT_RUNS)
            why = _stopped_by(exc)
            if run == IMPORT_RUNS:
                mark_failed(store, job_id, f"import stopped {run} times; the last: {why}")
            else:
                _update(store, job_id, error=f"run {run} stopped ({why}); running again")
                time.sleep(pause(run))
    _retried(partial(delete_uploads, store, org, [upload_id for _, upload_id in files]))
    _retried(partial(note_change, store, org))


def _stopped_by(exc: Exception) -> str:
    """An unexpected failure in one line for the import's page: its type and first line."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}"[:MAX_ERROR] if first else type(exc).__name__


def _import_all(
    store: Store, org: Org, owner: Member, job_id: int, files: Sequence[tuple[str, str]]
) -> None:
    """One run of the import: each file's report, then the job's end (done, or failed when no
    file could be read). A failure of the store, not of a file, is raised for a run again."""
    # Each step is retried when the store is busy or fails over (each is idempotent).
    _update(store, job_id, status="running", started_at=datetime.now(UTC), error=None)
    sources: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    for done, (name, upload_id) in enumerate(files, start=1):
        try:
            with upload_file(store, org, upload_id) as path:
                try:
                    sources.extend(_retried(partial(_import_file, store, org, owner, name, path)))
                except TiegraphError as exc:
                    if lost_or_busy(exc):
                        raise
                    failed.append({"file": name, "reason": str(exc).replace(str(path), name)})
        except TiegraphError as exc:  # the upload itself is gone or damaged
            if lost_or_busy(exc):
                raise
            failed.append({"file": name, "reason": str(exc)})
        _update(store, job_id, progress_done=done)
    _update(
        store,
        job_id,
        status="failed" if failed and not sources else "done",
        report={"sources": sources, "failed": failed},
        error="; ".join(f"{f['file']}: {f['reason']}" for f in failed) or None,
        finished_at=datetime.now(UTC),
    )


def _import_file(
    store: Store, org: Org, owner: Member, name: str, path: Path
) -> list[dict[str, Any]]:
    """The report entries of one uploaded file: an address book, or an Outlook data file."""
    if path.suffix.lower() in PST_SUFFIXES:
        return [f.as_source(name) for f in import_pst(store, org, owner, [path]).files]
    entries = []
    for source in import_contacts(store, org, owner, [path]).sources:
        entry = source.as_dict() | {"file": name}
        for row in entry["rejected"]:
            row["file"] = name
        source.file = name
        entries.append(entry | {"summary": source.summary()})
    return entries


def mark_failed(store: Store, job_id: int, reason: str) -> None:
    """An import that cannot finish (its worker kept dying) ends failed with the reason."""
    _update(store, job_id, status="failed", error=reason, finished_at=datetime.now(UTC))


Resume = Callable[[Org, Member, int, list[tuple[str, str]]], object]


def resume_interrupted(store: Store, resume: Resume) -> tuple[int, int]:
    """Imports a stopped server left queued or running: handed to `resume` (org, owner, job id,
    (name, upload id) files) when their uploads are all still stored — an import of the same
    files again is the same import — else failed, so no page waits forever. (resumed, failed)"""
    with store.read() as conn:
        left = conn.execute(
            select(import_job).where(import_job.c.status.in_(("queued", "running")))
        ).all()
    again = [(row, files) for row in left if (files := _stored_files(store, row)) is not None]
    failed = fail_interrupted(store, keep=[row.id for row, _ in again])
    for row, files in again:
        org = _org(store, row.org_id)
        owner = member_by_id(store, org, row.member_id)
        _update(store, row.id, status="queued", error=None)
        log.info("import %s: the server stopped before it finished; running it again", row.id)
        resume(org, owner, row.id, files)
    return len(again), failed


def _org(store: Store, org_id: int) -> Org:
    with store.read() as conn:
        return org_from_row(
            conn.execute(select(organization).where(organization.c.id == org_id)).one()
        )


def _stored_files(store: Store, row: Any) -> list[tuple[str, str]] | None:
    """The import's (name, upload id) files when every upload is still stored in full."""
    names, uploads = list(row.files or ()), list(row.uploads or ())
    if not uploads or len(uploads) != len(names) or row.member_id is None:
        return None
    with store.read() as conn:
        stored = conn.execute(
            select(func.count()).where(
                upload.c.org_id == row.org_id, upload.c.id.in_(uploads), upload.c.complete
            )
        ).scalar_one()
    return list(zip(names, uploads, strict=True)) if stored == len(set(uploads)) else None


def fail_interrupted(store: Store, *, keep: Sequence[int] = ()) -> int:
    """Jobs a stopped server left queued or running (but those to `keep`) end as failed, so no
    page waits forever."""
    with store.write() as conn:
        done = conn.execute(
            import_job.update()
            .where(import_job.c.status.in_(("queued", "running")), import_job.c.id.not_in(keep))
            .values(
                status="failed",
                error="the server stopped before this import finished; upload the files again",
                finished_at=datetime.now(UTC),
            )
        )
    return int(done.rowcount or 0)
