"""`tiegraph import pst`: a member's Outlook data files, contacts, meetings and mail metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    MemberOption,
    OrgOption,
    SinceOption,
    UntilOption,
    aware,
    import_app,
    open_db,
    out,
    print_json,
    print_rejected,
    progress_bar,
)
from tiegraph.services import pst_import
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service


@import_app.command("pst")
def import_pst(
    files: Annotated[list[Path], typer.Argument(help="Outlook .pst or .ost files.")],
    member: MemberOption,
    region: Annotated[str, typer.Option(help="Country for phone numbers without +code.")] = "US",
    since: SinceOption = None,
    until: UntilOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a member's Outlook PST/OST: contacts, meetings, mail metadata (never subjects)."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    with progress_bar(not as_json) as progress:
        report = pst_import.import_pst(
            store,
            organization,
            owner,
            files,
            region=region,
            window_start=aware(since),
            window_end=aware(until),
            progress=progress,
        )
    if as_json:
        print_json(report.as_dict())
        return
    out.print(report.summary(), markup=False)
    print_rejected(report.rejected)
