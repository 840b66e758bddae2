"""Commands for connected accounts: the provider apps an admin registers, members' accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    OrgOption,
    app,
    err,
    open_db,
    out,
    print_json,
)
from tiegraph.connectors.oauth import DeviceAuthorization
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service
from tiegraph.services.sync import account_apps, accounts

account_app = typer.Typer(
    help="Connected Google, Microsoft or OpenID Connect accounts (OAuth, read-only scopes), "
    "from which `tiegraph sync` reads contacts, calendars and mail metadata."
)
app_app = typer.Typer(help="The OAuth app registered at each provider (admins).")
account_app.add_typer(app_app, name="app")
app.add_typer(account_app, name="account")

ProviderOption = Annotated[str, typer.Option("--provider", help="google, microsoft or oidc.")]


@app_app.command("set")
def app_set(
    provider: ProviderOption,
    client_id: Annotated[str, typer.Option(help="The client id the provider gave tiegraph.")],
    client_secret_env: Annotated[
        str | None,
        typer.Option(
            help="The environment variable holding the client secret (the name is stored). "
            "Without it, the secret is read from stdin (empty: a public client) and sealed "
            "with $TIEGRAPH_SECRET_KEY."
        ),
    ] = None,
    tenant: Annotated[
        str | None, typer.Option(help="Microsoft: the tenant id or domain (default organizations).")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option(help="oidc: the provider's issuer URL (https).")
    ] = None,
    scopes: Annotated[
        str | None, typer.Option(help="Scopes to ask, space-separated (default: the narrowest).")
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register the provider's app: members can then connect their accounts."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    secret = None
    if client_secret_env is None:
        if sys.stdin.isatty():
            secret = typer.prompt(
                "Client secret (empty: public client)",
                default="",
                hide_input=True,
                show_default=False,
            )
        else:
            secret = sys.stdin.readline().strip()
    found = account_apps.set_app(
        store,
        organization,
        provider=provider,
        client_id=client_id,
        client_secret=secret or None,
        client_secret_env=client_secret_env,
        tenant=tenant,
        issuer=issuer,
        scopes=scopes,
    )
    if as_json:
        print_json(found.as_dict())
        return
    for key, value in found.as_dict().items():
        out.print(f"{key.replace('_', ' ')}: {value}", markup=False)
    out.print(
        "redirect URI to register at the provider: https://HOST/settings/accounts/callback "
        "(HOST: where members open tiegraph); see docs/accounts.md",
        markup=False,
    )


@app_app.command("list")
def app_list(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The registered apps (never their secrets)."""
    store = open_db(db)
    found = account_apps.list_apps(store, org_service.resolve_org(store, org))
    if as_json:
        print_json({"apps": [a.as_dict() for a in found]})
        return
    table = Table("provider", "issuer", "client id", "client secret", "scopes")
    for a in found:
        shown = a.as_dict()
        table.add_row(a.provider, a.issuer, a.client_id, shown["client_secret"], a.scopes)
    out.print(table)


@app_app.command("remove")
def app_remove(provider: ProviderOption, org: OrgOption = None, db: DbOption = None) -> None:
    """Forget the provider's app (connected accounts stop refreshing)."""
    store = open_db(db)
    account_apps.remove_app(store, org_service.resolve_org(store, org), provider)
    out.print(f"{provider} app removed", markup=False)


@account_app.command("connect")
def account_connect(
    member: Annotated[str, typer.Option("--member", help="The member whose account this is.")],
    provider: ProviderOption,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Connect by the device flow: open the address shown anywhere, type the code, approve."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)

    def show(device: DeviceAuthorization, consent: str) -> None:
        # stderr: the JSON on stdout stays one document.
        err.print(f"tiegraph asks to {consent}.", markup=False)
        err.print(
            f"Open {device.verification_uri} and enter the code {device.user_code}", markup=False
        )
        if device.verification_uri_complete:
            err.print(f"(or open {device.verification_uri_complete})", markup=False)
        err.print("Waiting for approval...", markup=False)

    found = accounts.connect_with_device(store, organization, owner, provider, show)
    if as_json:
        print_json(found.as_dict())
        return
    out.print(
        f"connected account #{found.id}: {found.provider} {found.login} for {found.member_email}",
        markup=False,
    )


@account_app.command("list")
def account_list(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Members' connected accounts and whether each still works."""
    store = open_db(db)
    found = accounts.list_accounts(store, org_service.resolve_org(store, org))
    if as_json:
        print_json({"accounts": [a.as_dict() for a in found]})
        return
    table = Table("id", "member", "provider", "account", "status", "token expires")
    for a in found:
        status = a.status if a.status == accounts.CONNECTED else f"RECONNECT: {a.status_reason}"
        expires = a.expires_at.strftime("%Y-%m-%d %H:%M UTC") if a.expires_at else "-"
        table.add_row(str(a.id), a.member_email, a.provider, a.login, status, expires)
    out.print(table)


@account_app.command("disconnect")
def account_disconnect(
    account_id: Annotated[int, typer.Argument(help="The account's id (see `account list`).")],
    org: OrgOption = None,
    db: DbOption = None,
) -> None:
    """Revoke the grant and forget the tokens; what was synced stays."""
    store = open_db(db)
    found = accounts.disconnect(store, org_service.resolve_org(store, org), account_id)
    out.print(f"account #{found.id} disconnected: {found.provider} {found.login}", markup=False)
