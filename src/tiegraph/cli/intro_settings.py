"""Commands for the settings of intro requests: template, SMTP server, members' signatures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tiegraph.cli.common import DbOption, JsonOption, OrgOption, out, print_json
from tiegraph.cli.intro import BodyFileOption, ViewerOption, context, intro_app, read_text_file
from tiegraph.errors import InvalidInputError
from tiegraph.services.intros import smtp_settings as smtp_service
from tiegraph.services.intros import template as template_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org.members import Member

template_app = typer.Typer(help="The organization's intro request template (placeholders).")
smtp_app = typer.Typer(help="The SMTP server intro requests are sent through.")
intro_app.add_typer(template_app, name="template")
intro_app.add_typer(smtp_app, name="smtp")


def _admin_only(seer: Member | None, what: str) -> None:
    if seer is not None and seer.role != "admin":
        raise InvalidInputError(f"only an admin can change the {what}")


def _print_template(chosen: template_service.IntroTemplate, as_json: bool) -> None:
    if as_json:
        print_json(chosen.as_dict() | {"placeholders": template_service.PLACEHOLDERS})
        return
    which = "default template" if chosen.is_default else "organization's template"
    out.print(f"The {which}:\n\nSubject: {chosen.subject}\n\n{chosen.body.rstrip()}", markup=False)
    out.print("\nPlaceholders:", markup=False)
    for name, meaning in template_service.PLACEHOLDERS.items():
        out.print(f"  {{{name}}}  {meaning}", markup=False)


@template_app.command("show")
def template_show(
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the template and the placeholders it may use."""
    store, organization, _ = context(db, org, viewer)
    _print_template(template_service.get_template(store, organization), as_json)


@template_app.command("set")
def template_set(
    subject: Annotated[str | None, typer.Option(help="Subject line, with placeholders.")] = None,
    body_file: BodyFileOption = None,
    reset: Annotated[bool, typer.Option("--reset", help="Back to the default template.")] = False,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change the template (an admin, or the operator); unknown placeholders are refused."""
    store, organization, seer = context(db, org, viewer)
    _admin_only(seer, "intro template")
    body = read_text_file(body_file)
    if not reset and subject is None and body is None:
        raise InvalidInputError("nothing to change: give --subject, --body-file or --reset")
    chosen = template_service.set_template(
        store, organization, subject=subject, body=body, reset=reset
    )
    _print_template(chosen, as_json)


@smtp_app.command("set")
def smtp_set(
    host: Annotated[str, typer.Option(help="The SMTP server's host name or address.")],
    port: Annotated[
        int | None, typer.Option(help="Port (default 587 starttls, 465 ssl, 25 none).")
    ] = None,
    security: Annotated[str, typer.Option(help="starttls, ssl or none.")] = "starttls",
    username: Annotated[str, typer.Option(help="Login name, when the server wants one.")] = "",
    password_env: Annotated[
        str,
        typer.Option(help="Name of the environment variable holding the password (never stored)."),
    ] = "",
    sender: Annotated[
        str, typer.Option("--from", help="From: address (requests then Reply-To the member).")
    ] = "",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the server.")] = 30.0,
    ca_file: Annotated[
        Path | None, typer.Option(help="A CA certificate (PEM) to trust for this server.")
    ] = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Configure the SMTP server (an admin, or the operator)."""
    store, organization, seer = context(db, org, viewer)
    _admin_only(seer, "SMTP server")
    settings = smtp_service.checked_settings(
        host=host,
        port=port,
        security=security,
        username=username,
        password_env=password_env,
        sender=sender,
        timeout=timeout,
        ca_file=str(ca_file) if ca_file else "",
    )
    _print_smtp(smtp_service.set_smtp(store, organization, settings), as_json)


@smtp_app.command("show")
def smtp_show(
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the SMTP settings (the password's variable, never the password)."""
    store, organization, _ = context(db, org, viewer)
    _print_smtp(smtp_service.get_smtp(store, organization), as_json)


def _print_smtp(settings: smtp_service.SmtpSettings | None, as_json: bool) -> None:
    if as_json:
        print_json({"smtp": settings.as_dict() if settings else None})
        return
    if settings is None:
        out.print("No SMTP server configured (`tiegraph intro smtp set --host …`)")
        return
    s = settings.as_dict()
    login = f", login {s['username']}" if s["username"] else ""
    if s["password_env"]:
        state = "set" if s["password_set"] else "NOT set here"
        login += f" (password from ${s['password_env']}, {state})"
    sender = f", From: {s['sender']}" if s["sender"] else ", From: the requester"
    out.print(f"SMTP {s['host']}:{s['port']} {s['security']}{login}{sender}", markup=False)


@intro_app.command("signature")
def intro_signature(
    member: Annotated[str, typer.Option("--member", help="Whose signature.")],
    text: Annotated[
        str | None, typer.Option(help="New signature ('' for name and email again).")
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show or set a member's signature, the {requester_signature} of their requests."""
    store, organization, _ = context(db, org, None)
    who = member_service.get_member(store, organization, member)
    if text is None:
        signature = template_service.get_signature(store, organization, who)
    else:
        signature = template_service.set_signature(store, organization, who, text)
    if as_json:
        print_json({"member": who.email, "signature": signature})
    else:
        out.print(signature, markup=False)
