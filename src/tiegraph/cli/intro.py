"""Commands for intro requests: draft, edit, send, mark and list them."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from tiegraph.cli.common import DbOption, JsonOption, OrgOption, app, open_db, out, print_json
from tiegraph.errors import InvalidInputError
from tiegraph.services.intros import answers as answer_service
from tiegraph.services.intros import delivery as delivery_service
from tiegraph.services.intros import requests as intro_service
from tiegraph.services.intros import sending
from tiegraph.services.org import members as member_service
from tiegraph.services.org import orgs as org_service
from tiegraph.services.org.members import Member
from tiegraph.services.org.orgs import Org
from tiegraph.store import Store

intro_app = typer.Typer(
    help="Get introduced: draft a request to a colleague, send it, track what happened."
)
app.add_typer(intro_app, name="intro")

ViewerOption = Annotated[
    str | None,
    typer.Option("--viewer", help="Act and answer as this member (default: the operator)."),
]
IdArgument = Annotated[int, typer.Argument(help="The request's number (`tiegraph intro list`).")]
SubjectOption = Annotated[str | None, typer.Option("--subject", help="Subject line to use.")]
BodyFileOption = Annotated[
    Path | None,
    typer.Option("--body-file", help="A UTF-8 text file with the body to use ('-': stdin)."),
]


def context(
    db: str | None, org: str | None, viewer: str | None
) -> tuple[Store, Org, Member | None]:
    """The store, the organization and the viewing member (None: the operator's view)."""
    store = open_db(db)
    organization = org_service.resolve_org(store, org)
    seer = member_service.get_member(store, organization, viewer) if viewer else None
    return store, organization, seer


def read_text_file(path: Path | None) -> str | None:
    """The file's text ('-' reads stdin); unreadable files are a one-line error."""
    if path is None:
        return None
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from None


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def print_request(request: intro_service.IntroRequest, as_json: bool) -> None:
    if as_json:
        print_json(request.as_dict())
        return
    r = request
    out.print(
        f"Request {r.id} ({r.status}): {r.requester_name} asks {r.introducer_name} "
        f"<{r.introducer_email}> for an introduction to {r.person_name} <{r.person_email}>",
        markup=False,
    )
    dates = [f"created {_day(r.created_at)}"]
    if r.sent_at:
        dates.append(f"requested {_day(r.sent_at)} by {r.delivery}")
    if r.decided_at:
        dates.append(f"{r.status} {_day(r.decided_at)}")
    out.print(", ".join(dates), markup=False)
    if r.why_this_colleague:
        out.print(f"Why this colleague: {r.why_this_colleague}", markup=False)
    if r.decline_reason:
        out.print(f"Reason to decline: {r.decline_reason}", markup=False)
    if r.sending_error:
        out.print(f"Not sent: {r.sending_error}", markup=False)
    if r.status == "draft":
        out.print(f"\nSubject: {r.subject}\n\n{r.body.rstrip()}", markup=False)


@intro_app.command("draft")
def intro_draft(
    to: Annotated[str, typer.Option("--to", help="Email of the person to be introduced to.")],
    via: Annotated[str, typer.Option("--via", help="The member asked to introduce you.")],
    requester: Annotated[
        str | None, typer.Option("--from", help="The member asking (default: --viewer).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Your own words, for {note}.")] = "",
    subject: SubjectOption = None,
    body_file: BodyFileOption = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draft an intro request from the organization's template; edit it, then send it."""
    store, organization, seer = context(db, org, viewer)
    asking = member_service.get_member(store, organization, requester) if requester else seer
    if asking is None:
        raise InvalidInputError("who is asking? give --from MEMBER (or --viewer MEMBER)")
    if seer is not None and seer.id != asking.id:
        raise InvalidInputError("--from must be the --viewer: a member drafts their own requests")
    request = intro_service.draft_intro(
        store,
        organization,
        asking,
        via=via,
        to=to,
        note=note,
        subject=subject,
        body=read_text_file(body_file),
    )
    print_request(request, as_json)


@intro_app.command("show")
def intro_show(
    request_id: IdArgument,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one request with its subject and body."""
    store, organization, seer = context(db, org, viewer)
    print_request(intro_service.get_intro(store, organization, request_id, seer), as_json)


@intro_app.command("edit")
def intro_edit(
    request_id: IdArgument,
    subject: SubjectOption = None,
    body_file: BodyFileOption = None,
    note: Annotated[
        str | None, typer.Option("--note", help="Your own words, a paragraph of the body.")
    ] = None,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a draft's subject, body or note before sending it."""
    store, organization, seer = context(db, org, viewer)
    request = intro_service.edit_intro(
        store,
        organization,
        request_id,
        seer,
        subject=subject,
        body=read_text_file(body_file),
        note=note,
    )
    print_request(request, as_json)


@intro_app.command("send")
def intro_send(
    request_id: IdArgument,
    via_client: Annotated[
        bool,
        typer.Option("--via-client", help="Hand it to your mail client: .eml and mailto: link."),
    ] = False,
    eml: Annotated[
        Path | None, typer.Option("--eml", help="Where to write the .eml (default intro-ID.eml).")
    ] = None,
    no_eml: Annotated[
        bool, typer.Option("--no-eml", help="With --via-client: only the mailto: link.")
    ] = False,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Send a draft through the organization's SMTP server (here and now, waiting for the
    server's answer: sent once, as a worker's job would), or hand it to your mail client."""
    store, organization, seer = context(db, org, viewer)
    if not via_client:
        if eml is not None or no_eml:
            raise InvalidInputError("--eml and --no-eml go with --via-client")
        requested, message_id = sending.send_by_smtp(store, organization, request_id, seer)
        sent = delivery_service.Sent(requested, message_id=message_id)
    else:
        path = None if no_eml else (eml or Path(f"intro-{request_id}.eml"))
        sent = delivery_service.send_by_client(store, organization, request_id, seer, eml_path=path)
    if as_json:
        print_json(
            sent.request.as_dict()
            | {"message_id": sent.message_id, "eml": sent.eml_path, "mailto": sent.mailto}
        )
        return
    r = sent.request
    if r.delivery == "smtp":
        out.print(f"Sent request {r.id} to {r.introducer_email} (you in copy)", markup=False)
        return
    if sent.eml_path:
        out.print(f"Wrote {sent.eml_path}: open it in your mail client and send it", markup=False)
    out.print(f"Or open this link to write it in your mail client:\n{sent.mailto}", markup=False)
    out.print(
        f"Request {r.id} stays a draft until you sent it: then `tiegraph intro confirm {r.id}`",
        markup=False,
    )


@intro_app.command("confirm")
def intro_confirm(
    request_id: IdArgument,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Say you sent a draft from your own mail client: it is requested from now."""
    store, organization, seer = context(db, org, viewer)
    request = intro_service.confirm_sent(store, organization, request_id, seer)
    if as_json:
        print_json(request.as_dict())
    else:
        out.print(f"Request {request.id} is now requested", markup=False)


def _print_answer(answered: answer_service.Answered, as_json: bool) -> None:
    r = answered.request
    if as_json:
        print_json(r.as_dict() | {"requester_told": answered.told})
        return
    out.print(
        f"Request {r.id} is now {r.status}; {r.requester_name} is told {answered.told}",
        markup=False,
    )


@intro_app.command("accept")
def intro_accept(
    request_id: IdArgument,
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """As the introducer: "I'll introduce you" (the request becomes introduced)."""
    store, organization, seer = context(db, org, viewer)
    answered = answer_service.answer_intro(store, organization, request_id, seer, accept=True)
    _print_answer(answered, as_json)


@intro_app.command("decline")
def intro_decline(
    request_id: IdArgument,
    reason: Annotated[
        str, typer.Option("--reason", help="Why not, for the requester (optional).")
    ] = "",
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """As the introducer: decline the request, with an optional reason."""
    store, organization, seer = context(db, org, viewer)
    answered = answer_service.answer_intro(
        store, organization, request_id, seer, accept=False, reason=reason
    )
    _print_answer(answered, as_json)


@intro_app.command("mark")
def intro_mark(
    request_id: IdArgument,
    status: Annotated[str, typer.Argument(help="introduced or declined.")],
    viewer: ViewerOption = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record what became of a sent request (its requester or introducer may)."""
    store, organization, seer = context(db, org, viewer)
    request = answer_service.mark_intro(store, organization, request_id, status.lower(), seer)
    if as_json:
        print_json(request.as_dict())
    else:
        out.print(f"Request {request.id} is now {request.status}", markup=False)


@intro_app.command("list")
def intro_list(
    viewer: Annotated[
        str | None,
        typer.Option("--viewer", "--member", help="Only this member's requests, made or received."),
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="draft, requested, introduced or declined.")
    ] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Intro requests with their dates, newest first; a member sees only their own."""
    store, organization, seer = context(db, org, viewer)
    requests = intro_service.list_intros(
        store, organization, seer, status=status.lower() if status else None
    )
    if as_json:
        print_json({"requests": [r.as_dict() for r in requests]})
        return
    if not requests:
        out.print("No intro requests yet (`tiegraph intro draft --to … --via …`)")
        return
    for r in requests:
        dates = [f"created {_day(r.created_at)}"]
        if r.sent_at:
            dates.append(f"requested {_day(r.sent_at)}")
        if r.decided_at:
            dates.append(f"{r.status} {_day(r.decided_at)}")
        out.print(
            f"#{r.id} {r.status:<10} {r.requester_name} → {r.introducer_name}: "
            f"{r.person_name} <{r.person_email}> ({', '.join(dates)})",
            markup=False,
        )
