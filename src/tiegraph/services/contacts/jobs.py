"""Contact imports run in the background: a job row records status, progress and the report."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from tiegraph.errors import NotFoundError, StoreBusyError, TiegraphError
from tiegraph.services.contacts.importer import import_contacts
from tiegraph.services.org.changes import note_change
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.services.paging import Page, checked_window, count_of
from tiegraph.services.pst_import import SUFFIXES as PST_SUFFIXES
from tiegraph.services.pst_import import import_pst
from tiegraph.services.uploads import delete_uploads, upload_file
from tiegraph.store import Store
from tiegraph.store.failover import is_connection_lost
from tiegraph.store.schema import import_job

FINISHED = ("done", "failed")
# A background write that found the store busy (another import, a sync) is tried again this
# many times in all, each waiting the store's busy timeout: a busy write wrote nothing, and
# an import of the same file again is the same import.
BUSY_ATTEMPTS = 3
log = logging.getLogger(__name__)
T = TypeVar("T")


def _retried(action: Callable[[], T]) -> T:
    """The action, again when the store was busy or its connection was lost (a failover: the
    next attempt waits for the new primary); each action here is idempotent."""
    for attempt in range(1, BUSY_ATTEMPTS + 1):
        try:
            return action()
        except Exception as exc:
            if attempt == BUSY_ATTEMPTS or not (
                isinstance(exc, StoreBusyError) or is_connection_lost(exc)
            ):
                raise
            log.info("store busy (attempt %d of %d): trying again", attempt, BUSY_ATTEMPTS)
    raise AssertionError("unreachable")


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


def create_job(store: Store, org: Org, owner: Member, names: Sequence[str]) -> ImportJob:
    """A queued contact import of these files (their names as uploaded) for the owner."""
    with store.write() as conn:
        job_id = conn.execute(
            import_job.insert()
            .values(
                org_id=org.id,
                member_id=owner.id,
                kind="contacts",
                status="queued",
                files=list(names),
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

    The uploads are deleted once the import has ended, done or failed with its reasons; a
    process that dies on the way leaves them for the retry. A failure ends as status `failed`
    with the reason, never as an exception in the worker.
    """
    # Each step is retried when the store is busy or fails over (each is idempotent).
    _retried(partial(_update, store, job_id, status="running", started_at=datetime.now(UTC)))
    sources: list[dict[str, Any]] = []
    failed: list[dict[str, str]] = []
    try:
        for done, (name, upload_id) in enumerate(files, start=1):
            try:
                with upload_file(store, org, upload_id) as path:
                    try:
                        sources.extend(
                            _retried(partial(_import_file, store, org, owner, name, path))
                        )
                    except TiegraphError as exc:
                        failed.append({"file": name, "reason": str(exc).replace(str(path), name)})
            except TiegraphError as exc:  # the upload itself is gone or damaged
                failed.append({"file": name, "reason": str(exc)})
            _retried(partial(_update, store, job_id, progress_done=done))
        status = "failed" if failed and not sources else "done"
        _retried(
            partial(
                _update,
                store,
                job_id,
                status=status,
                report={"sources": sources, "failed": failed},
                error="; ".join(f"{f['file']}: {f['reason']}" for f in failed) or None,
                finished_at=datetime.now(UTC),
            )
        )
    except Exception as exc:  # the job records why it stopped; the server goes on
        log.exception("import %s stopped", job_id)
        _update(
            store,
            job_id,
            status="failed",
            error=f"import stopped: {type(exc).__name__}",
            finished_at=datetime.now(UTC),
        )
    delete_uploads(store, org, [upload_id for _, upload_id in files])
    note_change(store, org)


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


def fail_interrupted(store: Store) -> int:
    """Jobs a stopped server left queued or running end as failed, so no page waits forever."""
    with store.write() as conn:
        done = conn.execute(
            import_job.update()
            .where(import_job.c.status.in_(("queued", "running")))
            .values(
                status="failed",
                error="the server stopped before this import finished; upload the files again",
                finished_at=datetime.now(UTC),
            )
        )
    return int(done.rowcount or 0)
