"""Commands that set a store up: init, organizations, members and the demo."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tiegraph import __version__
from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    OrgOption,
    app,
    member_app,
    on_off,
    open_db,
    org_app,
    out,
    print_json,
    progress_bar,
    switch,
)
from tiegraph.services import demo as demo_service
from tiegraph.services.org import auth as auth_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service
from tiegraph.store.engine import safe_url


@app.command()
def init(db: DbOption = None) -> None:
    """Create the store, or upgrade it to this version's schema."""
    store = open_db(db)
    org = org_service.resolve_org(store)
    out.print(f"Store ready at {safe_url(store.url)} (default organization: {org.slug})")


@app.command()
def version() -> None:
    """Print tiegraph's version."""
    out.print(__version__)


@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="Short name, e.g. acme.")],
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an organization."""
    org = org_service.create_org(open_db(db), slug, name)
    if as_json:
        print_json(asdict(org))
    else:
        out.print(f"Created organization {org.slug} ({org.name})")


@org_app.command("list")
def org_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List organizations with their number of members and persons."""
    store = open_db(db)
    org_service.resolve_org(store)
    summaries = org_service.list_orgs(store)
    if as_json:
        print_json(
            {
                "organizations": [
                    asdict(s.org) | {"members": s.members, "persons": s.persons} for s in summaries
                ]
            }
        )
        return
    table = Table("org", "name", "members", "persons")
    for s in summaries:
        table.add_row(s.org.slug, s.org.name, str(s.members), str(s.persons))
    out.print(table)


@member_app.command("add")
def member_add(
    email: Annotated[str, typer.Option(help="The member's main email address.")],
    name: Annotated[str, typer.Option(help="The member's full name.")],
    role: Annotated[str, typer.Option(help="admin or member.")] = "member",
    address: Annotated[
        list[str] | None,
        typer.Option("--address", help="Another address of this member (repeatable)."),
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option(
            "--password-env",
            help="Name of an environment variable holding the member's web sign-in password.",
        ),
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a member to an organization."""
    password = _password_from_env(password_env)
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    added = member_service.add_member(
        store, organization, email=email, name=name, role=role, addresses=tuple(address or ())
    )
    if password is not None:
        auth_service.set_password(store, organization, added, password)
    if as_json:
        print_json(asdict(added))
    else:
        out.print(f"Added {added.name} <{added.email}> to {organization.slug} as {added.role}")


def _password_from_env(variable: str | None) -> str | None:
    """The password in $VARIABLE: never on the command line, where `ps` and history show it."""
    if variable is None:
        return None
    value = os.environ.get(variable)
    if not value:
        raise typer.BadParameter(f"${variable} is not set or empty", param_hint="--password-env")
    return value


@member_app.command("list")
def member_list(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List an organization's members."""
    store = open_db(db)
    members = member_service.list_members(store, org_service.resolve_org(store, org))
    if as_json:
        print_json({"members": [asdict(m) for m in members]})
        return
    table = Table("email", "name", "role", "contact sync", "activity sharing")
    for m in members:
        table.add_row(m.email, m.name, m.role, on_off(m.contact_sync), on_off(m.activity_sharing))
    out.print(table)


@app.command()
def demo(
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed builds the same organization.")
    ] = 7,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the demo's export files.")
    ] = Path("demo-data"),
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Build the demo organization: real export files in --out, loaded through the importers."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    with progress_bar(not as_json) as progress:
        summary = demo_service.build_demo(
            store, organization, out_dir, seed=seed, progress=progress
        )
    if as_json:
        print_json(summary.as_dict())
    else:
        out.print(summary.text())


@member_app.command("set")
def member_set(
    email: Annotated[str, typer.Argument(help="The member's email.")],
    contact_sync: Annotated[
        str | None,
        typer.Option(metavar="on|off", help="Share new contacts with the directory (opt-in)."),
    ] = None,
    activity_sharing: Annotated[
        str | None,
        typer.Option(metavar="on|off", help="Let colleagues see ties from your activity."),
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn a member's contact sync or activity sharing on or off."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    target = member_service.get_member(store, organization, email)
    updated = member_service.set_member_sharing(
        store,
        organization,
        target,
        contact_sync=switch(contact_sync, "--contact-sync"),
        activity_sharing=switch(activity_sharing, "--activity-sharing"),
    )
    if as_json:
        print_json(asdict(updated))
        return
    out.print(
        f"{updated.name} <{updated.email}>: contact sync {on_off(updated.contact_sync)}, "
        f"activity sharing {on_off(updated.activity_sharing)}",
        markup=False,
    )


@member_app.command("leave")
def member_leave(
    email: Annotated[str, typer.Argument(help="The leaving member's email.")],
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Mark a member as having left: never an introducer or knower again; nothing is deleted."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    target = member_service.get_member(store, organization, email)
    leaving = member_service.leave_member(store, organization, target)
    if as_json:
        print_json(
            {
                "member": asdict(leaving.member),
                "left_at": leaving.left_at.isoformat(),
                "already": leaving.already,
            }
        )
        return
    when = leaving.left_at.date().isoformat()
    if leaving.already:
        out.print(f"{target.name} <{target.email}> already left on {when}", markup=False)
    else:
        out.print(
            f"{target.name} <{target.email}> left {organization.slug} on {when}: colleagues who "
            "know the same people take over; their ties are kept, never shown",
            markup=False,
        )


@org_app.command("set")
def org_set(
    activity_sharing_default: Annotated[
        str | None,
        typer.Option(metavar="on|off", help="Activity sharing that new members start with."),
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change an organization's name or its default for activity sharing."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    default = switch(activity_sharing_default, "--activity-sharing-default")
    if default is not None:
        organization = org_service.set_activity_sharing_default(store, organization, default)
    if name:
        organization = org_service.rename_org(store, organization, name)
    if as_json:
        print_json(asdict(organization))
        return
    out.print(
        f"{organization.slug} ({organization.name}): new members start with activity sharing "
        f"{on_off(organization.activity_sharing_default)}",
        markup=False,
    )
