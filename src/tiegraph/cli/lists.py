"""Commands for lists of leads, opportunities and deals, with who knows each row."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from tiegraph.cli.common import DbOption, JsonOption, OrgOption, app, out, print_json
from tiegraph.cli.intro import ViewerOption, context
from tiegraph.errors import InvalidInputError
from tiegraph.services import lists as list_service
from tiegraph.services.org import members as member_service

list_app = typer.Typer(
    help="Lists of leads, opportunities and deals (persons or accounts), with who knows them."
)
app.add_typer(list_app, name="list")

NameArgument = Annotated[str, typer.Argument(help="The list's name.")]


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
    emails: Annotated[
        list[str] | None, typer.Argument(help="Emails of directory persons.", show_default=False)
    ] = None,
    account: Annotated[
        list[str] | None,
        typer.Option("--account", help="A company, by name or domain (repeatable)."),
    ] = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add persons (by email) and accounts to a list; if one is unknown, nothing is added."""
    store, organization, seer = context(db, org, viewer)
    report = list_service.add_to_list(
        store, organization, name, emails=emails or (), accounts=account or (), added_by=seer
    )
    if as_json:
        print_json(report.as_dict())
        return
    for label in report.added:
        out.print(f"Added {label}", markup=False)
    for label in report.already:
        out.print(f"Already on the list: {label}", markup=False)


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
    view = list_service.show_list(store, organization, name, seer)
    if as_json:
        print_json(view.as_dict())
        return
    header = view.person_list
    archived = " (archived)" if header.archived_at else ""
    out.print(f"[bold]{escape(header.name)}[/] — {header.kind}, {len(view.rows)} rows{archived}")
    table = Table("", "who", "who knows them")
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
        table.add_row(row.type, escape(who), escape("\n".join(knows)) or "nobody yet")
    out.print(table)


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
