"""Commands for periodic one-way sync from CardDAV, CalDAV and IMAP sources."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    OrgOption,
    app,
    open_db,
    out,
    print_json,
    progress_bar,
)
from tiegraph.errors import InvalidInputError
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service
from tiegraph.services.sync import runner as sync_run
from tiegraph.services.sync import sources as sync_service

sync_app = typer.Typer(
    help="One-way periodic sync from members' CardDAV address books, CalDAV calendars, "
    "IMAP mailboxes and connected Microsoft 365 / Google accounts: new items only, nothing "
    "written back, nothing deleted."
)
app.add_typer(sync_app, name="sync")


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@sync_app.command("add")
def sync_add(
    member: Annotated[str, typer.Option("--member", help="The member whose source this is.")],
    kind: Annotated[str, typer.Option(help="carddav, caldav, imap, graph or google.")],
    url: Annotated[
        str,
        typer.Option(
            help="http(s):// address book or calendar; imap:// or imaps:// server; "
            "https://graph.microsoft.com/v1.0 (graph); https://www.googleapis.com/ (google)."
        ),
    ],
    username: Annotated[str, typer.Option(help="Login name on the server.")] = "",
    password_env: Annotated[
        str | None,
        typer.Option(help="Environment variable holding the password (only its name is stored)."),
    ] = None,
    account: Annotated[
        int | None,
        typer.Option(
            help="Log in with this connected account's OAuth token (see `tiegraph account "
            "list`) instead of a password; imap only."
        ),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from stdin and store it sealed with $TIEGRAPH_SECRET_KEY.",
        ),
    ] = False,
    folder: Annotated[
        list[str] | None, typer.Option("--folder", help="IMAP folder (repeatable; default INBOX).")
    ] = None,
    interval: Annotated[
        int, typer.Option(help="Minutes between syncs, 5 to 60.")
    ] = sync_service.DEFAULT_INTERVAL,
    check: Annotated[bool, typer.Option(help="Reach the server before saving the source.")] = True,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a member's address book, calendar or mailbox to sync from."""
    if password_env is not None and password_stdin:
        raise InvalidInputError("give --password-env or --password-stdin, not both")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    source = sync_service.add_source(
        store,
        organization,
        owner,
        kind=kind,
        url=url,
        username=username,
        password_env=password_env,
        password=password,
        folders=folder or (),
        interval_minutes=interval,
        check=check,
        account_id=account,
    )
    if as_json:
        print_json(source.as_dict())
        return
    out.print(
        f"sync source #{source.id}: {source.kind} {source.url} for {source.member_email}, "
        f"every {source.interval_minutes} minutes (password: {source.password_kind})",
        markup=False,
    )


@sync_app.command("list")
def sync_list(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the sources of the organization."""
    store = open_db(db)
    sources = sync_service.list_sources(store, org_service.resolve_org(store, org))
    if as_json:
        print_json({"sources": [s.as_dict() for s in sources]})
        return
    table = Table("id", "member", "kind", "url", "username", "password", "folders", "every")
    for s in sources:
        table.add_row(
            str(s.id),
            s.member_email,
            s.kind,
            s.url,
            s.username,
            s.password_kind,
            ", ".join(s.folders),
            f"{s.interval_minutes} min",
        )
    out.print(table)


@sync_app.command("status")
def sync_status(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Per source: last success, last error, items taken, next run."""
    store = open_db(db)
    sources = sync_service.list_sources(store, org_service.resolve_org(store, org))
    if as_json:
        print_json({"sources": [s.as_dict() for s in sources]})
        return
    table = Table("id", "kind", "member", "last success", "items taken", "next run", "last error")
    for s in sources:
        error = "-"
        if s.last_error and s.failures:
            error = f"{_when(s.last_error_at)} ({s.failures}x): {s.last_error}"
        if s.account_status == "reconnect":
            error = f"RECONNECT account #{s.account_id} (tiegraph account connect); {error}"
        table.add_row(
            str(s.id),
            s.kind,
            s.member_email,
            _when(s.last_success_at),
            str(s.items_taken),
            _when(s.next_run_at) if s.next_run_at else "now",
            error,
        )
    out.print(table)


@sync_app.command("run")
def sync_run_command(
    once: Annotated[
        bool, typer.Option("--once", help="Run every source once now, then exit.")
    ] = False,
    source: Annotated[
        list[int] | None, typer.Option("--source", help="Only this source id (repeatable).")
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sync: with --once every source now; otherwise each at its interval until interrupted."""
    if source and not once:
        raise InvalidInputError("--source goes with --once")
    store = open_db(db)
    organization = org_service.resolve_org(store, org)

    # Outcomes are printed here, failures included: the service's log lines would repeat them.
    logging.getLogger(sync_run.__name__).addHandler(logging.NullHandler())

    def show(outcome: sync_run.SyncOutcome) -> None:
        if as_json:
            print_json(outcome.as_dict())
        else:
            out.print(outcome.summary(), markup=False)

    if once:
        with progress_bar(not as_json) as progress:
            outcomes = sync_run.run_all_syncs(
                store, organization, source_ids=source or (), progress=progress, on_outcome=show
            )
        if not outcomes and not as_json:
            out.print("no sync sources (add one with `tiegraph sync add`)")
        return
    loop = sync_run.SyncLoop(store, org=organization, on_outcome=show)
    try:
        loop.run()
    except KeyboardInterrupt:
        loop.stop()


@sync_app.command("archive")
def sync_archive(
    source_id: Annotated[int, typer.Argument(help="The source's id (see `tiegraph sync list`).")],
    org: OrgOption = None,
    db: DbOption = None,
) -> None:
    """Stop syncing a source; what it brought stays."""
    store = open_db(db)
    found = sync_service.archive_source(store, org_service.resolve_org(store, org), source_id)
    out.print(f"sync source #{found.id} archived: {found.kind} {found.url}", markup=False)
