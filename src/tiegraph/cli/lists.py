"""Commands for lists of leads, opportunities and deals, with who knows each row."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tiegraph.cli.common import DbOption, JsonOption, OrgOption, app, out, print_json
from tiegraph.cli.intro import ViewerOption, context
from tiegraph.errors import InvalidInputError
from tiegraph.services import list_rows
from tiegraph.services import lists as list_service
from tiegraph.services.org import members as member_service
from tiegraph.web.export import csv_text

list_app = typer.Typer(
    help="Lists of leads, opportunities and deals (persons or accounts), with who knows them."
)
app.add_typer(list_app, name="list")

NameArgument = Annotated[str, typer.Argument(help="The list's name.")]
EmailsArgument = Annotated[
    list[str] | None, typer.Argument(help="Emails of directory persons.", show_default=False)
]
AccountOption = Annotated[
    list[str] | None,
    typer.Option("--account", help="A company, by name or domain (repeatable)."),
]
PersonIdOption = Annotated[
    list[int] | None, typer.Option("--person-id", help="A person, by number (repeatable).", min=1)
]
AccountIdOption = Annotated[
    list[int] | None,
    typer.Option("--account-id", help="A company, by number (repeatable).", min=1),
]


@list_app.command("create")
def list_create(
    name: NameArgument,
    kind: Annotated[str, typer.Option(help="leads, opportunities or deals.")] = "leads",
    owner: Annotated[
        str | None, typer.Option(help="The member who owns it (default: --viewer).")
    ] = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a list; every member of the organization sees it."""
    store, organization, seer = context(db, org, viewer)
    holder = member_service.get_member(store, organization, owner) if owner else seer
    if holder is None:
        raise InvalidInputError("whose list is it? give --owner MEMBER (or --viewer MEMBER)")
    if seer is not None and holder.id != seer.id:
        raise InvalidInputError("--owner must be the --viewer: a member creates their own lists")
    created = list_service.create_list(store, organization, holder, name, kind.lower())
    if as_json:
        print_json(created.as_dict())
    else:
        out.print(f"Created list {created.name!r} ({created.kind})", markup=False)


@list_app.command("add")
def list_add(
    name: NameArgument,
    emails: EmailsArgument = None,
    account: AccountOption = None,
    person_id: PersonIdOption = None,
    account_id: AccountIdOption = None,
    new: Annotated[
        bool, typer.Option("--new", help="Create the list (the --viewer's) in the same step.")
    ] = False,
    kind: Annotated[str, typer.Option(help="With --new: leads, opportunities or deals.")] = "leads",
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add persons (by email) and accounts to a list; if one is unknown, nothing is added."""
    store, organization, seer = context(db, org, viewer)
    emails, persons, accounts, companies = (
        emails or [],
        person_id or [],
        account or [],
        account_id or [],
    )
    if new:
        if seer is None:
            raise InvalidInputError("whose list is it? --new needs --viewer MEMBER")
        report = list_service.add_to_new_list(
            store,
            organization,
            seer,
            name,
            kind.lower(),
            emails=emails,
            person_ids=persons,
            accounts=accounts,
            account_ids=companies,
        )
    else:
        report = list_service.add_to_list(
            store,
            organization,
            name,
            emails=emails,
            person_ids=persons,
            accounts=accounts,
            account_ids=companies,
            added_by=seer,
        )
    if as_json:
        print_json(report.as_dict())
        return
    if new:
        out.print(f"Created list {report.list_name!r}", markup=False)
    for label in report.added:
        out.print(f"Added {label}", markup=False)
    for label in report.already:
        out.print(f"Already on the list: {label}", markup=False)


@list_app.command("remove")
def list_remove(
    name: NameArgument,
    emails: EmailsArgument = None,
    account: AccountOption = None,
    person_id: PersonIdOption = None,
    account_id: AccountIdOption = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take persons and accounts off a list (its owner or an admin); kept as removed, never
    deleted."""
    store, organization, seer = context(db, org, viewer)
    report = list_service.remove_from_list(
        store,
        organization,
        name,
        emails=emails or (),
        person_ids=person_id or (),
        accounts=account or (),
        account_ids=account_id or (),
        removed_by=seer,
    )
    if as_json:
        print_json(report.as_dict())
        return
    for label in report.removed:
        out.print(f"Removed {label}", markup=False)
    for label in report.absent:
        out.print(f"Not on the list: {label}", markup=False)


@list_app.command("export")
def list_export(
    name: NameArgument,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the CSV here (default: standard output).")
    ] = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
) -> None:
    """The list's rows as CSV: who knows each (strongest colleague, strength, last contact), as
    the viewer may see; cells that start like a spreadsheet formula are neutralized."""
    store, organization, seer = context(db, org, viewer)
    view = list_rows.show_list(store, organization, name, seer)
    text = csv_text(list_rows.EXPORT_HEADER, list_rows.export_rows(view))
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InvalidInputError(f"cannot write {output}: {exc.strerror}") from exc
    out.print(f"Wrote {len(view.rows)} rows of {view.person_list.name!r} to {output}", markup=False)


@list_app.command("show")
def list_show(
    name: NameArgument,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each row of a list with who among us knows them, as the viewer may see."""
    store, organization, seer = context(db, org, viewer)
    view = list_rows.show_list(store, organization, name, seer)
    if as_json:
        print_json(view.as_dict())
        return
    header = view.person_list
    archived = " (archived)" if header.archived_at else ""
    out.print(f"[bold]{escape(header.name)}[/] — {header.kind}, {len(view.rows)} rows{archived}")
    table = Table("", "who", "who knows them", "last contact", "ask for an intro")
    for row in view.rows:
        if row.type == "account":
            who = f"{row.name} ({', '.join(row.domains)})" if row.domains else row.name
            knows = [
                f"{k.member_name} {k.score} {k.label}: {k.best_person}"
                + (f" and {k.people - 1} more" if k.people > 1 else "")
                for k in row.account_knowers
            ]
        else:
            role = " at ".join(x for x in (row.title, row.company) if x)
            who = f"{row.name} <{row.email}>" + (f"\n{role}" if role else "")
            knows = [f"{k.member_name} {k.score} {k.label}" for k in row.knowers]
        last = row.last_contact.date().isoformat() if row.last_contact else ""
        ask = f"--via {row.introducer_email}" if row.introducer_email else ""
        table.add_row(
            row.type, escape(who), escape("\n".join(knows)) or "nobody yet", last, escape(ask)
        )
    out.print(table)
    if any(r.introducer_email for r in view.rows):
        out.print("Ask: tiegraph intro draft --to EMAIL --via COLLEAGUE --viewer YOU", markup=False)


@list_app.command("list")
def list_list(
    archived: Annotated[bool, typer.Option("--archived", help="Archived lists instead.")] = False,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The organization's lists (every member sees them all)."""
    store, organization, _ = context(db, org, viewer)
    found = list_service.list_lists(store, organization, archived=archived)
    if as_json:
        print_json({"lists": [x.as_dict() for x in found]})
        return
    table = Table("name", "kind", "owner", "items", "created")
    for x in found:
        table.add_row(
            escape(x.name),
            x.kind,
            escape(x.owner_name),
            str(x.items),
            x.created_at.date().isoformat(),
        )
    out.print(table)


@list_app.command("archive")
def list_archive(
    name: NameArgument,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Archive a list (its owner or an admin): it stays readable, never deleted."""
    store, organization, seer = context(db, org, viewer)
    archived = list_service.archive_list(store, organization, name, seer)
    if as_json:
        print_json(archived.as_dict())
    else:
        out.print(f"Archived list {archived.name!r}", markup=False)
