"""The nurture command: a member's contacts worth deepening and connections cooling off."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    OrgOption,
    ViewerOption,
    app,
    open_db,
    out,
    print_json,
)
from tiegraph.services.insights import nurture as nurture_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service


@app.command("nurture")
def nurture(
    member: Annotated[str, typer.Option("--member", help="The member whose ties to nurture.")],
    viewer: ViewerOption = None,
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="Judge with what was known before this date."
        ),
    ] = None,
    limit: Annotated[int, typer.Option(help="Suggestions per list at most (0: all).")] = (
        nurture_service.LIMIT
    ),
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Contacts warming up or waiting for an answer, and connections cooling off, with reasons."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    target = member_service.get_member(store, organization, member)
    seer = member_service.get_member(store, organization, viewer) if viewer else None
    answer = nurture_service.nurture(
        store,
        organization,
        target,
        viewer=seer,
        as_of=as_of.date() if as_of else None,
        limit=max(limit, 0),
    )
    if as_json:
        print_json(answer.as_dict())
        return
    out.print(f"[bold]{answer.member_name}[/] <{answer.member_email}>, as of {answer.as_of}")
    sections = (
        ("Contacts worth turning into connections", answer.contacts),
        ("Connections cooling off", answer.connections),
    )
    for heading, items in sections:
        out.print(f"\n{heading}")
        if not items:
            out.print("  none")
        for i in items:
            where = ", ".join(x for x in (i.title, i.company) if x)
            person = f"{i.person_name} <{i.person_email}>" + (f", {where}" if where else "")
            out.print(f"  {i.score:3d} {i.label:<6} {person}", markup=False)
            out.print(f"             {i.reason}", markup=False)
