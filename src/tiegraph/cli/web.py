"""`tiegraph serve`: the web app and the REST API over the store, with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from tiegraph.cli.common import DbOption, app, err, open_db
from tiegraph.services.daily_rescore import DailyRescore
from tiegraph.services.demo import DEMO_PASSWORD
from tiegraph.services.orgs import list_orgs
from tiegraph.services.sync_run import SyncLoop
from tiegraph.web.settings import SECRET_ENV, WebSettings


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db: DbOption = None,
) -> None:
    """Open the web app (and the API under /api/v1) on the store; ties are rescored daily."""
    import uvicorn

    from tiegraph.web.app import create_app

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
    web_app = create_app(store, WebSettings.from_env())
    # In the background, never in the requests' way: due CardDAV, CalDAV and IMAP sources, and
    # stored tie scores brought up to today once a day.
    syncing = SyncLoop(store)
    rescorer = DailyRescore(store)
    syncing.start()
    rescorer.start()
    try:
        uvicorn.run(web_app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        rescorer.stop()
        syncing.stop(timeout=30)
