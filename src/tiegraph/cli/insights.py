"""Commands for finding a way in: closest connections, company connections, intro paths."""

from __future__ import annotations

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
    switch,
)
from tiegraph.errors import InvalidInputError
from tiegraph.services.directory import accounts as account_service
from tiegraph.services.insights import closest as closest_service
from tiegraph.services.insights import connections as connection_service
from tiegraph.services.insights import paths as path_service
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store


def _viewer(store: Store, org: Org, email: str | None) -> Member | None:
    return member_service.get_member(store, org, email) if email else None


@app.command()
def closest(
    person: Annotated[str | None, typer.Option(help="A directory person's email.")] = None,
    account: Annotated[str | None, typer.Option(help="A company's name or web domain.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 0,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The members closest to a person, or an account's people closest to the organization."""
    if (person is None) == (account is None):
        raise InvalidInputError("give one of --person EMAIL or --account NAME_OR_DOMAIN")
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    seer = _viewer(store, organization, viewer)
    if person is not None:
        answer = closest_service.closest_to_person(
            store, organization, person, viewer=seer, limit=max(limit, 0) or 5
        )
        if as_json:
            print_json(answer.as_dict())
            return
        out.print(f"{answer.name} <{answer.email}>", markup=False)
        for k in answer.knowers:
            out.print(
                f"  {k.score:3d} {k.label:<6} {k.member_name}: {'; '.join(k.reasons)}", markup=False
            )
        if not answer.knowers:
            out.print("  nobody here knows them yet")
        return
    assert account is not None
    found = closest_service.closest_to_account(
        store,
        organization,
        account,
        viewer=seer,
        limit=max(limit, 0) or closest_service.ACCOUNT_LIMIT,
    )
    if as_json:
        print_json(found.as_dict())
        return
    out.print(f"{found.account.name}: its people closest to us", markup=False)
    for t in found.ties:
        title = f", {t.title}" if t.title else ""
        out.print(
            f"  {t.score:3d} {t.label:<6} {t.person_name}{title} <{t.person_email}> "
            f"— {t.member_name}: {'; '.join(t.reasons[:2])}",
            markup=False,
        )
    if not found.ties:
        out.print("  nobody here knows its people yet")


@app.command()
def company(
    words: Annotated[
        list[str],
        typer.Argument(
            metavar="NAME_OR_DOMAIN | flag NAME_OR_DOMAIN",
            help="A company; or `flag` and a company to set its flags.",
        ),
    ],
    kind: Annotated[
        list[str] | None,
        typer.Option(help=f"Only these kinds: {', '.join(connection_service.KINDS)}."),
    ] = None,
    min_score: Annotated[
        int, typer.Option(help="Only connections scoring this much or more (0-100).")
    ] = 0,
    title: Annotated[str, typer.Option(help="Only through people whose title has this.")] = "",
    target: Annotated[str | None, typer.Option(metavar="on|off", help="With flag.")] = None,
    reference_customer: Annotated[
        str | None, typer.Option(metavar="on|off", help="With flag.")
    ] = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Everyone here connected to a company, personally or likely; `company flag` sets flags."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    if words[0] == "flag":
        if len(words) < 2:
            raise InvalidInputError("usage: tiegraph company flag NAME_OR_DOMAIN --target on")
        flagged = account_service.flag_account(
            store,
            organization,
            " ".join(words[1:]),
            target=switch(target, "--target"),
            reference_customer=switch(reference_customer, "--reference-customer"),
        )
        if as_json:
            print_json(
                {
                    "account": {
                        "name": flagged.name,
                        "target": flagged.is_target,
                        "reference_customer": flagged.is_reference_customer,
                    }
                }
            )
        else:
            out.print(
                f"{flagged.name}: target {'yes' if flagged.is_target else 'no'}, reference "
                f"customer {'yes' if flagged.is_reference_customer else 'no'}",
                markup=False,
            )
        return
    found = connection_service.company_connections(
        store,
        organization,
        " ".join(words),
        viewer=_viewer(store, organization, viewer),
        kinds=tuple(kind or ()),
        min_strength=min_score,
        title=title,
    )
    if as_json:
        print_json(found.as_dict())
        return
    a = found.account
    flags = [
        f
        for f, on in (("target", a.is_target), ("reference customer", a.is_reference_customer))
        if on
    ]
    out.print(
        f"{a.name} ({a.size or '?'} people{', ' + ', '.join(flags) if flags else ''})", markup=False
    )
    for c in found.connections:
        out.print(
            f"  {c.strength:3d} {c.label:<8} {c.kind:<26} {c.member_name}: {c.reason}",
            markup=False,
        )
    if not found.connections:
        out.print("  nobody here is connected to it yet")


@app.command()
def path(
    to: Annotated[str, typer.Option("--to", help="The target person's email.")],
    from_: Annotated[
        str | None, typer.Option("--from", help="The member asking (default: the viewer).")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="At most this many paths (0: all).")
    ] = path_service.PATHS_SHOWN,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Ways in to a person through colleagues, strongest first, with conversation starters."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    seer = _viewer(store, organization, viewer)
    asking = _viewer(store, organization, from_) if from_ else seer
    found = path_service.intro_paths(
        store, organization, to, requester=asking, viewer=seer or asking, limit=max(limit, 0)
    )
    if as_json:
        print_json(found.as_dict())
        return
    company_text = f" at {found.target_company}" if found.target_company else ""
    out.print(f"Ways in to {found.target_name}{company_text} <{found.target_email}>", markup=False)
    for s in found.starters:
        out.print(f"  you have in common: {s}", markup=False)
    for p in found.paths:
        chain = " → ".join([p.hops[0].source, *(h.target for h in p.hops)])
        out.print(f"  {p.strength:3d} {chain} (ask {p.introducer_name})", markup=False)
        out.print(f"        strength: {p.strength_why}", markup=False)
        for h in p.hops:
            out.print(f"        {h.source} → {h.target} [{h.measure}]: {h.why}", markup=False)
        for s in p.starters:
            out.print(f"        • {s}", markup=False)
    if not found.paths:
        out.print("  no way in through the people you can see")
