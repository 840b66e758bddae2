"""Commands for the directory and members' contacts: import, possible matches, private network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    MemberOption,
    OrgOption,
    ViewerOption,
    contacts_app,
    import_app,
    matches_app,
    open_db,
    out,
    print_json,
    print_rejected,
    progress_bar,
)
from tiegraph.errors import TiegraphError
from tiegraph.services.contacts import importer as contact_service
from tiegraph.services.contacts import matches as matching_service
from tiegraph.services.contacts import network as network_service
from tiegraph.services.directory import importer as directory_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service
from tiegraph.services.org.sharing import require_self

FORMATS = ("auto", "linkedin", "google", "outlook", "vcard", "csv")


@import_app.command("people")
def import_people(
    files: Annotated[list[Path], typer.Argument(help="Directory files: JSON Lines or CSV.")],
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import persons and companies, with employment and education, into the directory."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    with progress_bar(not as_json) as progress:
        report = directory_service.import_directory(store, organization, files, progress=progress)
    if as_json:
        print_json(report.as_dict())
        return
    out.print(report.summary())
    print_rejected(report.rejected)


def _column_map(pairs: Sequence[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise typer.BadParameter(f"{pair!r}: expected COLUMN=FIELD, e.g. 'Mail=email'")
        mapping[column.strip()] = target.strip()
    return mapping


@import_app.command("contacts")
def import_contacts(
    files: Annotated[
        list[Path], typer.Argument(help="LinkedIn, Google, Outlook CSV or vCard files.")
    ],
    member: MemberOption,
    format: Annotated[
        str, typer.Option(help="Format, detected from the content by default.")
    ] = "auto",
    map_: Annotated[
        list[str] | None, typer.Option("--map", help="COLUMN=FIELD for a CSV (repeatable).")
    ] = None,
    region: Annotated[str, typer.Option(help="Country for phone numbers without +code.")] = "US",
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import a member's address-book exports: one contact per person, matched or private."""
    if format not in FORMATS:
        raise typer.BadParameter(
            f"{format!r} is not one of {', '.join(FORMATS)}", param_hint="--format"
        )
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    with progress_bar(not as_json) as progress:
        report = contact_service.import_each(
            store,
            organization,
            owner,
            files,
            format=format,
            column_map=_column_map(map_ or ()),
            region=region,
            progress=progress,
        )
    if report.failed and not report.sources:
        raise TiegraphError("; ".join(why for _, why in report.failed))
    if as_json:
        print_json(report.as_dict())
    else:
        out.print(report.summary(), markup=False)
        print_rejected([r for s in report.sources for r in s.rejected])
    if report.failed:
        raise typer.Exit(2)  # the good files are in; the others said why above


@matches_app.command("list")
def matches_list(
    member: MemberOption,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List your contacts' open possible matches, with the reason for each."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    if viewer:
        require_self(member_service.get_member(store, organization, viewer), owner, "matches")
    found = matching_service.list_possible_matches(store, organization, owner)
    if as_json:
        print_json({"possible_matches": [asdict(m) for m in found]})
        return
    table = Table("id", "your contact", "directory person", "why")
    for m in found:
        contact_text = m.contact_name + (f" ({m.contact_company})" if m.contact_company else "")
        table.add_row(str(m.id), contact_text, m.person_name, m.reason)
    out.print(table)


def _decide(
    match_id: int, member: str, org: str | None, db: str | None, confirm: bool, as_json: bool
) -> None:
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    decided = matching_service.decide_possible_match(
        store, organization, owner, match_id, confirm=confirm
    )
    if as_json:
        print_json(asdict(decided))
    else:
        out.print(f"{decided.contact_name} ≈ {decided.person_name}: {decided.status}", markup=False)


@matches_app.command("confirm")
def matches_confirm(
    match_id: Annotated[int, typer.Argument(help="The id shown by `matches list`.")],
    member: MemberOption,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Confirm a possible match: your contact is this directory person."""
    _decide(match_id, member, org, db, True, as_json)


@matches_app.command("reject")
def matches_reject(
    match_id: Annotated[int, typer.Argument(help="The id shown by `matches list`.")],
    member: MemberOption,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reject a possible match: your contact is someone else."""
    _decide(match_id, member, org, db, False, as_json)


@contacts_app.command("list")
def contacts_list(
    member: MemberOption,
    status: Annotated[str | None, typer.Option(help="matched, possible or private.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 0,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a member's own contacts (the private network with --status private)."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    seer = member_service.get_member(store, organization, viewer) if viewer else None
    found = network_service.list_contacts(
        store, organization, owner, status=status, limit=limit, viewer=seer
    )
    if as_json:
        print_json({"contacts": [asdict(c) for c in found]})
        return
    table = Table("id", "name", "company", "emails", "status")
    for c in found:
        table.add_row(str(c.id), c.name, c.company, ", ".join(c.emails), c.status)
    out.print(table)


@contacts_app.command("publish")
def contacts_publish(
    contact_id: Annotated[int, typer.Argument(help="A contact id from `contacts list`.")],
    member: MemberOption,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add one of your private contacts to the organization's directory."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    person_id = network_service.publish_contact(store, organization, owner, contact_id)
    if as_json:
        print_json({"contact_id": contact_id, "person_id": person_id})
    else:
        out.print(f"Contact {contact_id} is now directory person {person_id}")
