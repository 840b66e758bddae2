"""Commands that read activity and answer who knows whom."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    OrgOption,
    PathsArgument,
    SinceOption,
    UntilOption,
    app,
    aware,
    ingest_app,
    open_db,
    out,
    print_json,
    print_rejected,
    progress_bar,
)
from tiegraph.services.activity import ingest as ingest_service
from tiegraph.services.activity import ties as ties_service
from tiegraph.services.insights import who_knows as who_knows_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service


@app.command("who-knows")
def who_knows(
    emails: Annotated[list[str], typer.Argument(help="Email addresses of persons.")],
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="Score with what was known before this date."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(help="Members per person (0: all).")
    ] = who_knows_service.TILE,
    viewer: Annotated[str | None, typer.Option(help="Answer as this member may see.")] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """For each person, the members who know them, strongest first, with the reasons."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    seer = member_service.get_member(store, organization, viewer) if viewer else None
    answers = who_knows_service.who_knows(
        store,
        organization,
        emails,
        as_of=as_of.date() if as_of else None,
        limit=max(limit, 0),
        viewer=seer,
    )
    for answer in answers:
        if as_json:
            print_json(answer.as_dict())
            continue
        out.print(f"[bold]{answer.name or answer.email}[/] <{answer.email}>")
        if not answer.knowers:
            out.print("  nobody here knows them yet")
        for k in answer.knowers:
            out.print(
                f"  {k.score:3d} {k.label:<6} {k.member_name} <{k.member_email}>", markup=False
            )
            out.print(f"             {'; '.join(k.reasons)}", markup=False, highlight=False)


def print_ingest(report: ingest_service.IngestReport, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    out.print(report.summary())
    print_rejected(report.rejected)


@ingest_app.command("mail")
def ingest_mail(
    paths: PathsArgument, org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Read mbox, maildir, .eml files or folder trees of messages: headers only."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    with progress_bar(not as_json) as progress:
        report = ingest_service.ingest_mail(store, organization, paths, progress=progress)
    print_ingest(report, as_json)


@ingest_app.command("calendar")
def ingest_calendar(
    paths: PathsArgument,
    since: SinceOption = None,
    until: UntilOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read .ics meetings: organizer and attendees; declined attendees excluded."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    with progress_bar(not as_json) as progress:
        report = ingest_service.ingest_calendar(
            store,
            organization,
            paths,
            window_start=aware(since),
            window_end=aware(until),
            progress=progress,
        )
    print_ingest(report, as_json)


@ingest_app.command("calls")
def ingest_calls(
    paths: PathsArgument,
    region: Annotated[str, typer.Option(help="Country for numbers written without +code.")] = "US",
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read a CSV call log: member, other party's number or email, start, duration, direction."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    with progress_bar(not as_json) as progress:
        report = ingest_service.ingest_calls(
            store, organization, paths, region=region, progress=progress
        )
    print_ingest(report, as_json)


ties_app = typer.Typer(help="Ties: the scored relationships between members and persons.")
app.add_typer(ties_app, name="ties")


@ties_app.command("rescore")
def ties_rescore(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Bring every stored tie score up to today (scores decay while nothing happens)."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    with progress_bar(not as_json) as progress:
        changed = ties_service.rescore(store, organization, progress=progress)
    if as_json:
        print_json({"changed": changed})
    else:
        out.print(f"{changed} tie scores changed")
