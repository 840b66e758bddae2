"""`tiegraph serve`: the web app and the REST API over the store, with uvicorn."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

import typer

from tiegraph.cli.common import DbOption, app, err, open_db
from tiegraph.errors import InvalidInputError
from tiegraph.services.activity.daily_rescore import DailyRescore
from tiegraph.services.contacts.jobs import fail_interrupted
from tiegraph.services.demo import DEMO_PASSWORD
from tiegraph.services.intros.sending import recover_deliveries
from tiegraph.services.jobs.queue import uses_queue
from tiegraph.services.org.orgs import list_orgs
from tiegraph.services.sync.runner import SyncLoop
from tiegraph.store.engine import DATABASE_URL_ENV
from tiegraph.web.settings import SECRET_ENV, WebSettings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            help="Server processes answering requests (about one per core for many users).",
            min=1,
            max=64,
        ),
    ] = 1,
    with_worker: Annotated[
        bool,
        typer.Option(
            help="On PostgreSQL, also run queued jobs in this process (one host); turn off "
            "when `tiegraph worker` processes run them. SQLite always runs jobs in-process.",
        ),
    ] = True,
    db: DbOption = None,
) -> None:
    """Open the web app (and the API under /api/v1) on the store; ties are rescored daily."""
    import uvicorn

    from tiegraph.web.app import create_app
    from tiegraph.web.warm import warm

    store = open_db(db)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host
    err.print(f"tiegraph web app: http://{shown}:{port}/  (API: http://{shown}:{port}/api/v1)")
    if any(s.org.name == "Northwind Analytics" for s in list_orgs(store)):
        err.print(
            "Demo sign-in: any demo member (`tiegraph member list`), "
            f"with the password {DEMO_PASSWORD}"
        )
    if not os.environ.get(SECRET_ENV, "").strip():
        err.print(f"Sessions end when the server stops (set {SECRET_ENV} to keep them).")
    settings = WebSettings.from_env()  # a bad TIEGRAPH_* variable stops here, in one line
    if workers > 1:
        # Each worker builds its app from the environment: the same store, and one secret so
        # that a session signed by one worker is read by the others.
        if not uses_queue(store):  # on the queue, a dead worker's import is retried instead
            fail_interrupted(store)
            recover_deliveries(store, older_than=timedelta(0))
        os.environ[DATABASE_URL_ENV] = store.url
        os.environ[SECRET_ENV] = settings.secret_key
    # In the background, never in the requests' way: due CardDAV, CalDAV and IMAP sources, and
    # stored tie scores brought up to today once a day. On PostgreSQL these are periodic jobs
    # of the queue, run by a worker (this process's own unless --no-with-worker).
    syncing = SyncLoop(store)
    rescorer = DailyRescore(store)
    worker = None
    if not uses_queue(store):
        syncing.start()
        rescorer.start()
    elif with_worker:
        try:
            from tiegraph.services.jobs.worker import WorkerSettings, WorkerThread
        except ModuleNotFoundError as exc:
            raise InvalidInputError(
                f"serve on PostgreSQL runs jobs with {exc.name}: pip install 'tiegraph[postgres]'"
            ) from None
        worker = WorkerThread(store, WorkerSettings(name="tiegraph-serve-worker")).start()
        err.print("Jobs run in this process; for more, start `tiegraph worker` processes.")
    else:
        err.print("Jobs wait on the queue for `tiegraph worker` processes.")
    try:
        if workers > 1:
            uvicorn.run(
                "tiegraph.web.asgi:app_from_env",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                **settings.server_options(),
            )
        else:
            web_app = create_app(store, replace(settings, warm=True))
            warm(store)  # the first view as fast as the next (web/warm.py)
            uvicorn.run(
                web_app,
                host=host,
                port=port,
                log_level="warning",
                access_log=False,
                **settings.server_options(),
            )
    finally:
        if worker is not None:
            worker.stop()
        rescorer.stop()
        syncing.stop(timeout=30)
