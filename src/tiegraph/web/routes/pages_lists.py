"""Pages: lists of leads, opportunities and deals (create, add from any page or by
multi-select, remove, show with who knows each row, export, ask for an intro from a row,
archive), and the signed-in member's nurture suggestions."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services import list_rows, lists
from tiegraph.services.insights import nurture
from tiegraph.web.intros import open_requests
from tiegraph.web.list_csv import list_csv_response
from tiegraph.web.pagination import PathId
from tiegraph.web.schemas.common import IsoDay
from tiegraph.web.security import PageViewer, Viewer, local_path, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()
Text = Annotated[str, Form(max_length=20_000)]
Back = Annotated[str, Form(max_length=2000)]
Ids = Annotated[list[str], Form()]
Refused = (InvalidInputError, NotFoundError, ForbiddenError)  # unknown, or not theirs
MAX_IDS = 500


def _words(text: str) -> list[str]:
    """Emails or accounts typed one a line (or separated by commas or semicolons)."""
    return [w.strip() for w in re.split(r"[\n,;]+", text) if w.strip()]


def _ids(values: list[str]) -> list[int]:
    """Ids from checkboxes or a hidden field (several in one, separated like `_words`)."""
    words = [w for v in values for w in _words(v)]
    if len(words) > MAX_IDS:
        raise InvalidInputError(f"at most {MAX_IDS} rows at a time")
    if not all(w.isdigit() and 0 < int(w) < 2**63 for w in words):
        raise InvalidInputError("rows are named by their numbers")
    return list(dict.fromkeys(int(w) for w in words))  # a person shown twice is added once


def _to(target: str) -> RedirectResponse:
    return RedirectResponse(local_path(target, "/lists"), status_code=303)


@router.get("/lists")
def lists_page(request: Request, viewer: PageViewer, archived: bool = False) -> Response:
    found = lists.list_lists(store_of(request), viewer.org, archived=archived)
    context = {"lists": found, "archived": archived, "kinds": lists.KINDS}
    return render(request, "lists.html", context)


@router.post("/lists")
def create_list(
    request: Request,
    viewer: PageViewer,
    name: Annotated[str, Form(max_length=200)],
    kind: Annotated[str, Form(max_length=20)] = "leads",
) -> RedirectResponse:
    try:
        created = lists.create_list(store_of(request), viewer.org, viewer.member, name, kind)
    except InvalidInputError as exc:
        flash(request, str(exc), "error")
        return _to("/lists")
    flash(request, f"List “{created.name}” created: add persons and accounts to it.")
    return _to(f"/lists/{created.id}")


@router.get("/lists/{list_id}")
def list_page(request: Request, viewer: PageViewer, list_id: PathId) -> Response:
    store = store_of(request)
    view = list_rows.show_list(store, viewer.org, list_id, viewer.member, worded=False)
    owner = viewer.is_admin or view.person_list.owner_email == viewer.member.email
    context = {
        "view": view,
        "may_change": owner,
        "open_requests": open_requests(store, viewer),
    }
    return render(request, "list.html", context)


@router.get("/lists/{list_id}/export.csv")
def export_list(request: Request, viewer: PageViewer, list_id: PathId) -> Response:
    """The list's rows with the page's columns, as CSV safe to open in a spreadsheet."""
    return list_csv_response(store_of(request), viewer, list_id)


def _said(report: lists.AddReport, created: bool) -> str:
    parts = [f"List “{report.list_name}” created." if created else ""]
    parts.append(
        f"Added to “{report.list_name}”: {', '.join(report.added)}." if report.added else ""
    )
    if report.already:
        parts.append(f"Already on “{report.list_name}”: {', '.join(report.already)}.")
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Wanted:
    """What a form asks to add: persons by email or id, accounts by name, domain or id."""

    emails: list[str] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    account_ids: list[int] = field(default_factory=list)


def _add(
    request: Request, viewer: Viewer, list_id: int | None, wanted: Wanted, new_list: str = ""
) -> None:
    """Add to the chosen list, or to a new list of leads named `new_list` (made in the same
    step, and only if everything could be added); flashes what happened."""
    store, items = store_of(request), asdict(wanted)
    try:
        if new_list.strip():
            made = lists.add_to_new_list(
                store, viewer.org, viewer.member, new_list, "leads", **items
            )
            flash(request, _said(made, created=True))
            return
        if list_id is None:
            raise InvalidInputError("choose a list, or name a new one")
    except Refused as exc:
        flash(request, f"Nothing added: {exc}", "error")
        return
    lists.find_list(store, viewer.org, list_id)  # another organization's or none: 404
    try:
        report = lists.add_to_list(store, viewer.org, list_id, added_by=viewer.member, **items)
    except Refused as exc:
        flash(request, f"Nothing added: {exc}", "error")
        return
    flash(request, _said(report, created=False))


@router.post("/lists/{list_id}/items")
def add_items(
    request: Request,
    viewer: PageViewer,
    list_id: PathId,
    emails: Text = "",
    accounts: Text = "",
) -> RedirectResponse:
    """Add persons (emails) and accounts (names or domains): all, or none if one is unknown."""
    _add(request, viewer, list_id, Wanted(emails=_words(emails), accounts=_words(accounts)))
    return _to(f"/lists/{list_id}")


@router.post("/lists/add")
def add_from_a_page(
    request: Request,
    viewer: PageViewer,
    back: Back,
    list_id: Annotated[str, Form(max_length=20)] = "",
    new_list: Annotated[str, Form(max_length=200)] = "",
    emails: Text = "",
    person_ids: Ids = [],  # noqa: B006 (FastAPI copies defaults)
    account_ids: Ids = [],  # noqa: B006
) -> RedirectResponse:
    """ "Add to list" on search results, a person's or an account's page, and the gallery's
    selected rows: to the list chosen, or to a new list named in the same form."""
    try:
        wanted = Wanted(_words(emails), _ids(person_ids), account_ids=_ids(account_ids))
    except InvalidInputError as exc:
        flash(request, f"Nothing added: {exc}", "error")
        return _to(back)
    if not (wanted.emails or wanted.person_ids or wanted.account_ids):
        flash(request, "Nothing added: select rows first.", "error")
        return _to(back)
    chosen = int(list_id) if list_id.isdigit() and len(list_id) < 19 else None
    _add(request, viewer, chosen, wanted, new_list)
    return _to(back)


@router.post("/lists/{list_id}/remove")
def remove_items(
    request: Request,
    viewer: PageViewer,
    list_id: PathId,
    person_ids: Ids = [],  # noqa: B006
    account_ids: Ids = [],  # noqa: B006
) -> RedirectResponse:
    """Take one row, or the rows selected, off the list (its owner or an admin)."""
    lists.find_list(store_of(request), viewer.org, list_id)  # another organization's or none: 404
    try:
        report = lists.remove_from_list(
            store_of(request),
            viewer.org,
            list_id,
            person_ids=_ids(person_ids),
            account_ids=_ids(account_ids),
            removed_by=viewer.member,
        )
    except Refused as exc:
        flash(request, f"Nothing removed: {exc}", "error")
        return _to(f"/lists/{list_id}")
    said = [f"Removed {', '.join(report.removed)}." if report.removed else ""]
    said.append(f"Not on the list: {', '.join(report.absent)}." if report.absent else "")
    flash(request, " ".join(p for p in said if p))
    return _to(f"/lists/{list_id}")


@router.post("/lists/{list_id}/archive")
def archive_list(request: Request, viewer: PageViewer, list_id: PathId) -> RedirectResponse:
    try:
        archived = lists.archive_list(store_of(request), viewer.org, list_id, viewer.member)
        flash(request, f"List “{archived.name}” archived: it stays readable under Archived.")
    except (InvalidInputError, ForbiddenError) as exc:
        flash(request, str(exc), "error")
    return _to(f"/lists/{list_id}")


@router.get("/nurture")
def nurture_page(
    request: Request,
    viewer: PageViewer,
    as_of: Annotated[IsoDay | None, Query()] = None,
) -> Response:
    """The signed-in member's contacts worth deepening and connections cooling off."""
    found = nurture.nurture(
        store_of(request), viewer.org, viewer.member, viewer=viewer.member, as_of=as_of
    )
    return render(request, "nurture.html", {"nurture": found, "as_of": as_of})
