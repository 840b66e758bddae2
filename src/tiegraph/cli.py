"""The `tiegraph` command: thin wrappers that call services and print their results."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tiegraph import __version__
from tiegraph.errors import TiegraphError
from tiegraph.services import contacts as contact_service
from tiegraph.services import demo as demo_service
from tiegraph.services import directory as directory_service
from tiegraph.services import ingest as ingest_service
from tiegraph.services import matching as matching_service
from tiegraph.services import members as member_service
from tiegraph.services import network as network_service
from tiegraph.services import orgs as org_service
from tiegraph.services import who_knows as who_knows_service
from tiegraph.services.progress import ProgressCallback
from tiegraph.store import Store, open_store
from tiegraph.store.engine import safe_url

app = typer.Typer(
    help="tiegraph: who among us can introduce me to this person, and how strong is that link?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
org_app = typer.Typer(
    help="Organizations (tenants). A solo user never needs one: there is a default."
)
member_app = typer.Typer(
    help="Members: the colleagues whose address books and activity feed the graph."
)
import_app = typer.Typer(help="Import the directory (people, companies) and members' contacts.")
ingest_app = typer.Typer(help="Read mail, meeting and call metadata (never bodies or subjects).")
matches_app = typer.Typer(
    help="Possible matches of your contacts to directory persons: decide them."
)
contacts_app = typer.Typer(help="A member's contacts and private network.")
app.add_typer(org_app, name="org")
app.add_typer(matches_app, name="matches")
app.add_typer(contacts_app, name="contacts")
app.add_typer(ingest_app, name="ingest")
app.add_typer(member_app, name="member")
app.add_typer(import_app, name="import")

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $TIEGRAPH_DATABASE_URL, else sqlite:///tiegraph.db here).",
        show_default=False,
    ),
]
OrgOption = Annotated[
    str | None,
    typer.Option("--org", help="Organization to work in (default: the default organization)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


@contextmanager
def _progress(enabled: bool = True) -> Iterator[ProgressCallback]:
    """A rich progress bar on stderr, fed by the services' (step, done, total) callbacks."""
    if not enabled or not err.is_terminal:
        yield lambda step, done, total: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, Any] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total or None)
            bar.update(tasks[step], completed=done, total=total or None)

        yield update


_opened: list[Store] = []  # closed when the command ends, so no connection outlives it


def _open(db: str | None) -> Store:
    store = open_store(db)
    _opened.append(store)
    return store


@app.command()
def init(db: DbOption = None) -> None:
    """Create the store, or upgrade it to this version's schema."""
    store = _open(db)
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
    org = org_service.create_org(_open(db), slug, name)
    if as_json:
        _print_json(asdict(org))
    else:
        out.print(f"Created organization {org.slug} ({org.name})")


@org_app.command("list")
def org_list(db: DbOption = None, as_json: JsonOption = False) -> None:
    """List organizations with their number of members and persons."""
    store = _open(db)
    org_service.resolve_org(store)
    summaries = org_service.list_orgs(store)
    if as_json:
        _print_json(
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
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Add a member to an organization."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    added = member_service.add_member(
        store, organization, email=email, name=name, role=role, addresses=tuple(address or ())
    )
    if as_json:
        _print_json(asdict(added))
    else:
        out.print(f"Added {added.name} <{added.email}> to {organization.slug} as {added.role}")


@member_app.command("list")
def member_list(org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List an organization's members."""
    store = _open(db)
    members = member_service.list_members(store, org_service.resolve_org(store, org))
    if as_json:
        _print_json({"members": [asdict(m) for m in members]})
        return
    table = Table("email", "name", "role", "contact sync", "activity sharing")
    for m in members:
        table.add_row(m.email, m.name, m.role, _on(m.contact_sync), _on(m.activity_sharing))
    out.print(table)


def _on(flag: bool) -> str:
    return "on" if flag else "off"


@import_app.command("people")
def import_people(
    files: Annotated[list[Path], typer.Argument(help="Directory files: JSON Lines or CSV.")],
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import persons and companies, with employment and education, into the directory."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    with _progress(not as_json) as progress:
        report = directory_service.import_directory(store, organization, files, progress=progress)
    if as_json:
        _print_json(report.as_dict())
        return
    out.print(report.summary())
    _print_rejected(report.rejected)


MemberOption = Annotated[str, typer.Option("--member", help="The member whose contacts these are.")]
FORMATS = ("auto", "linkedin", "google", "outlook", "vcard", "csv")


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
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    with _progress(not as_json) as progress:
        report = contact_service.import_contacts(
            store,
            organization,
            owner,
            files,
            format=format,
            column_map=_column_map(map_ or ()),
            region=region,
            progress=progress,
        )
    if as_json:
        _print_json(report.as_dict())
        return
    out.print(report.summary(), markup=False)
    _print_rejected([r for s in report.sources for r in s.rejected])


@matches_app.command("list")
def matches_list(
    member: MemberOption, org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """List your contacts' open possible matches, with the reason for each."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    found = matching_service.list_possible_matches(store, organization, owner)
    if as_json:
        _print_json({"possible_matches": [asdict(m) for m in found]})
        return
    table = Table("id", "your contact", "directory person", "why")
    for m in found:
        contact_text = m.contact_name + (f" ({m.contact_company})" if m.contact_company else "")
        table.add_row(str(m.id), contact_text, m.person_name, m.reason)
    out.print(table)


def _decide(
    match_id: int, member: str, org: str | None, db: str | None, confirm: bool, as_json: bool
) -> None:
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    decided = matching_service.decide_possible_match(
        store, organization, owner, match_id, confirm=confirm
    )
    if as_json:
        _print_json(asdict(decided))
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
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """List a member's own contacts (the private network with --status private)."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    found = network_service.list_contacts(store, organization, owner, status=status, limit=limit)
    if as_json:
        _print_json({"contacts": [asdict(c) for c in found]})
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
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    owner = member_service.get_member(store, organization, member)
    person_id = network_service.publish_contact(store, organization, owner, contact_id)
    if as_json:
        _print_json({"contact_id": contact_id, "person_id": person_id})
    else:
        out.print(f"Contact {contact_id} is now directory person {person_id}")


@app.command("who-knows")
def who_knows(
    emails: Annotated[list[str], typer.Argument(help="Email addresses of persons.")],
    as_of: Annotated[
        datetime | None,
        typer.Option(
            "--as-of", formats=["%Y-%m-%d"], help="Score with what was known before this date."
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(help="Members per person (0: all).")
    ] = who_knows_service.TILE,
    viewer: Annotated[str | None, typer.Option(help="Answer as this member may see.")] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """For each person, the members who know them, strongest first, with the reasons."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    seer = member_service.get_member(store, organization, viewer) if viewer else None
    answers = who_knows_service.who_knows(
        store,
        organization,
        emails,
        as_of=as_of.date() if as_of else None,
        limit=max(limit, 0),
        viewer=seer,
    )
    for answer in answers:
        if as_json:
            _print_json(answer.as_dict())
            continue
        out.print(f"[bold]{answer.name or answer.email}[/] <{answer.email}>")
        if not answer.knowers:
            out.print("  nobody here knows them yet")
        for k in answer.knowers:
            out.print(
                f"  {k.score:3d} {k.label:<6} {k.member_name} <{k.member_email}>", markup=False
            )
            out.print(f"             {'; '.join(k.reasons)}", markup=False, highlight=False)


def _print_ingest(report: ingest_service.IngestReport, as_json: bool) -> None:
    if as_json:
        _print_json(report.as_dict())
        return
    out.print(report.summary())
    _print_rejected(report.rejected)


def _print_rejected(rejected: Sequence[Any]) -> None:
    for row in rejected[:20]:
        err.print(f"  rejected {row.file} {row.locator}: {row.reason}", markup=False)
    if len(rejected) > 20:
        err.print(f"  … and {len(rejected) - 20} more (use --json for all)")


PathsArgument = Annotated[list[Path], typer.Argument(help="Files or folders.")]


@ingest_app.command("mail")
def ingest_mail(
    paths: PathsArgument, org: OrgOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """Read mbox, maildir, .eml files or folder trees of messages: headers only."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    with _progress(not as_json) as progress:
        report = ingest_service.ingest_mail(store, organization, paths, progress=progress)
    _print_ingest(report, as_json)


@ingest_app.command("calendar")
def ingest_calendar(
    paths: PathsArgument,
    since: Annotated[
        datetime | None,
        typer.Option(help="Window start for recurring events (default: a year ago)."),
    ] = None,
    until: Annotated[datetime | None, typer.Option(help="Window end (default: tomorrow).")] = None,
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read .ics meetings: organizer and attendees; declined attendees excluded."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    with _progress(not as_json) as progress:
        report = ingest_service.ingest_calendar(
            store,
            organization,
            paths,
            window_start=_aware(since),
            window_end=_aware(until),
            progress=progress,
        )
    _print_ingest(report, as_json)


@ingest_app.command("calls")
def ingest_calls(
    paths: PathsArgument,
    region: Annotated[str, typer.Option(help="Country for numbers written without +code.")] = "US",
    org: OrgOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Read a CSV call log: member, other party's number or email, start, duration, direction."""
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    with _progress(not as_json) as progress:
        report = ingest_service.ingest_calls(
            store, organization, paths, region=region, progress=progress
        )
    _print_ingest(report, as_json)


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


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
    store = _open(db)
    organization = org_service.resolve_org(store, org)
    with _progress(not as_json) as progress:
        summary = demo_service.build_demo(
            store, organization, out_dir, seed=seed, progress=progress
        )
    if as_json:
        _print_json(summary.as_dict())
    else:
        out.print(summary.text())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; a user's mistake ends in one line on stderr and exit code 2."""
    try:
        app(args=list(argv) if argv is not None else None, prog_name="tiegraph")
    except TiegraphError as exc:
        err.print(f"Error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    finally:
        while _opened:
            _opened.pop().dispose()
