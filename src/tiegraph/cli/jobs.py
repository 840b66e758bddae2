"""`tiegraph worker` runs queued jobs (PostgreSQL); `tiegraph jobs list` shows the queue."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Annotated

import typer
from rich.table import Table

from tiegraph.cli.common import DbOption, JsonOption, app, err, open_db, out, print_json
from tiegraph.errors import InvalidInputError
from tiegraph.services.jobs.listing import list_queued_jobs
from tiegraph.services.jobs.queue import uses_queue

jobs_app = typer.Typer(help="The job queue on PostgreSQL: imports, sync runs, daily rescoring.")
app.add_typer(jobs_app, name="jobs")


@app.command()
def worker(
    concurrency: Annotated[
        int, typer.Option(help="Jobs run at once by this process.", min=1, max=32)
    ] = 1,
    heartbeat: Annotated[
        float, typer.Option(help="Seconds between this worker's heartbeats.", min=0.5, max=300)
    ] = 10.0,
    stalled_after: Annotated[
        float,
        typer.Option(
            help="Seconds without a heartbeat after which a worker counts as dead and its "
            "jobs are retried, at the next look (after a database outage: twice that).",
            min=2,
            max=3600,
        ),
    ] = 30.0,
    sweep_every: Annotated[
        float, typer.Option(help="Seconds between looks for dead workers' jobs.", min=1, max=3600)
    ] = 15.0,
    db: DbOption = None,
) -> None:
    """Run queued jobs until stopped (PostgreSQL; start as many as you like, on any host)."""
    try:
        from tiegraph.services.jobs.worker import WorkerSettings, run_worker
    except ModuleNotFoundError as exc:
        raise InvalidInputError(
            f"tiegraph worker needs {exc.name}: pip install 'tiegraph[postgres]'"
        ) from None
    store = open_db(db)
    if not uses_queue(store):
        raise InvalidInputError(
            "tiegraph worker needs PostgreSQL: on SQLite `tiegraph serve` runs jobs itself"
        )
    if stalled_after <= heartbeat:
        raise InvalidInputError("--stalled-after must be longer than --heartbeat")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = WorkerSettings(concurrency, heartbeat, stalled_after, sweep_every)
    err.print(f"tiegraph worker: running jobs (concurrency {concurrency}); Ctrl-C stops it")
    asyncio.run(run_worker(store, settings))


@jobs_app.command("list")
def jobs_list(
    status: Annotated[
        str | None, typer.Option(help="Only jobs in this status (todo, doing, failed, …).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Recent jobs: task, status, runs, and why a failed one failed."""
    jobs = list_queued_jobs(open_db(db), status=status, limit=limit)
    if as_json:
        print_json({"jobs": [j.as_dict() for j in jobs]})
        return
    table = Table("id", "task", "status", "retries", "arguments", "error")
    for job in jobs:
        arguments = json.dumps(job.arguments, ensure_ascii=False)
        table.add_row(
            str(job.id), job.task, job.status, str(job.attempts), arguments[:60], job.error or ""
        )
    out.print(table)
