"""Commands for the organization's single sign-on provider and password sign-in."""

from __future__ import annotations

from typing import Annotated

import typer

from tiegraph.cli.common import (
    DbOption,
    JsonOption,
    OrgOption,
    open_db,
    org_app,
    out,
    print_json,
    read_secret,
)
from tiegraph.services.org import orgs as org_service
from tiegraph.services.org import sso as sso_service

sso_app = typer.Typer(help="Single sign-on through the organization's OpenID Connect provider.")
org_app.add_typer(sso_app, name="sso")


def _print(
    organization: org_service.Org, config: sso_service.SsoConfig | None, as_json: bool
) -> None:
    if as_json:
        print_json({"org": organization.slug, "sso": config.as_dict() if config else None})
        return
    if config is None:
        out.print(f"{organization.slug}: no single sign-on; members sign in with passwords")
        return
    shown = config.as_dict()
    for key, value in shown.items():
        if key == "password_sign_in":
            value = "on" if value else "off (single sign-on only; API tokens still work)"
        out.print(f"{key.replace('_', ' ')}: {value}", markup=False)
    out.print(
        "redirect URI to register at the provider: https://HOST/sign-in/sso/callback "
        "(HOST: where members open tiegraph); scopes: openid email profile",
        markup=False,
    )


@sso_app.command("show")
def sso_show(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show the provider (never its client secret) and whether passwords still sign in."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    _print(organization, sso_service.get_sso(store, organization), as_json)


@sso_app.command("set")
def sso_set(
    issuer: Annotated[str, typer.Option(help="The provider's issuer URL (https).")],
    client_id: Annotated[str, typer.Option(help="The client id the provider gave tiegraph.")],
    client_secret_env: Annotated[
        str | None,
        typer.Option(
            help="The environment variable holding the client secret (the name is stored). "
            "Without it, the secret is read from stdin or asked, and sealed with "
            "$TIEGRAPH_SECRET_KEY."
        ),
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Shown as 'Sign in with NAME' (default: from the issuer).")
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Configure the provider members sign in through."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    secret = None
    if client_secret_env is None and sso_service.get_sso(store, organization) is None:
        secret = read_secret("Client secret")
    config = sso_service.set_sso(
        store,
        organization,
        issuer=issuer,
        client_id=client_id,
        client_secret=secret or None,
        client_secret_env=client_secret_env,
        provider_name=name,
    )
    _print(organization, config, as_json)


@sso_app.command("password-sign-in")
def sso_password_sign_in(
    state: Annotated[str, typer.Argument(metavar="on|off", help="on or off.")],
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Let members sign in with passwords too (on), or only through the provider (off)."""
    word = state.strip().lower()
    if word not in ("on", "off"):
        raise typer.BadParameter(f"{state!r}: expected on or off", param_hint="on|off")
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    _print(
        organization, sso_service.set_password_sign_in(store, organization, word == "on"), as_json
    )


@sso_app.command("remove")
def sso_remove(org: OrgOption = None, db: DbOption = None) -> None:
    """Stop single sign-on (password sign-in must be on); linked identities are kept."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    sso_service.remove_sso(store, organization)
    out.print(f"{organization.slug}: single sign-on removed; members sign in with passwords")
