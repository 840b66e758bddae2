"""What every command shares: the Typer apps, common options, output and the store it opens."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tiegraph.services.progress import ProgressCallback
from tiegraph.store import Store, open_store

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


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressCallback]:
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


opened: list[Store] = []  # closed when the command ends, so no connection outlives it


def open_db(db: str | None) -> Store:
    store = open_store(db)
    store.on_busy = say_busy
    opened.append(store)
    return store


def say_busy(waited: float, bound: float) -> None:
    """One line each time a write goes on waiting for another's (above any progress bar)."""
    err.print(
        f"store busy (another import or sync is writing): retrying ({waited:.1f} s of "
        f"{bound:g} s waited)",
        markup=False,
    )


def on_off(flag: bool) -> str:
    return "on" if flag else "off"


MemberOption = Annotated[str, typer.Option("--member", help="The member whose contacts these are.")]


def print_rejected(rejected: Sequence[Any]) -> None:
    for row in rejected[:20]:
        err.print(f"  rejected {row.file} {row.locator}: {row.reason}", markup=False)
    if len(rejected) > 20:
        err.print(f"  … and {len(rejected) - 20} more (use --json for all)")


PathsArgument = Annotated[list[Path], typer.Argument(help="Files or folders.")]
SinceOption = Annotated[
    datetime | None,
    typer.Option(help="Window start for recurring meetings (default: a year ago)."),
]
UntilOption = Annotated[datetime | None, typer.Option(help="Window end (default: tomorrow).")]


def aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def switch(value: str | None, option: str) -> bool | None:
    """An on|off option's value, or None when not given."""
    if value is None:
        return None
    word = value.strip().lower()
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise typer.BadParameter(f"{value!r}: expected on or off", param_hint=option)


ViewerOption = Annotated[
    str | None,
    typer.Option(
        "--viewer",
        help="Answer as this member may see (default: the operator's organization-wide view).",
    ),
]
