"""What is on the queue: recent jobs with their status, runs and, when failed, why."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from tiegraph.errors import InvalidInputError
from tiegraph.services.jobs.queue import uses_queue
from tiegraph.store import Store

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted")


@dataclass(frozen=True)
class QueuedJob:
    id: int
    task: str
    status: str
    attempts: int
    arguments: dict[str, Any]
    error: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "task": self.task,
            "status": self.status,
            "attempts": self.attempts,
            "arguments": self.arguments,
            "error": self.error,
        }


def list_queued_jobs(
    store: Store, *, status: str | None = None, limit: int = 50
) -> list[QueuedJob]:
    """The newest jobs first; on SQLite there is no queue (jobs run in-process): an error."""
    if not uses_queue(store):
        raise InvalidInputError(
            "no job queue on SQLite: long work runs inside `tiegraph serve` "
            "(imports show on the import page)"
        )
    if status is not None and status not in STATUSES:
        raise InvalidInputError(f"status {status!r}: choose one of {', '.join(STATUSES)}")
    if not 1 <= limit <= 1000:
        raise InvalidInputError("limit must be between 1 and 1000")
    with store.read() as conn:
        rows = conn.execute(
            text(
                "SELECT j.id, j.task_name, j.status::text AS status, j.attempts, j.args, e.error "
                "FROM procrastinate_jobs j LEFT JOIN job_error e ON e.job_id = j.id "
                "WHERE CAST(:status AS text) IS NULL OR j.status::text = :status "
                "ORDER BY j.id DESC LIMIT :limit"
            ),
            {"status": status, "limit": limit},
        ).all()
    return [QueuedJob(r.id, r.task_name, r.status, r.attempts, r.args, r.error) for r in rows]
