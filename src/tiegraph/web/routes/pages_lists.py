"""Pages: lists of leads, opportunities and deals (create, add, show with who knows each row,
archive), and the signed-in member's nurture suggestions."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import ForbiddenError, InvalidInputError, NotFoundError
from tiegraph.services import lists
from tiegraph.services.insights import nurture
from tiegraph.web.pagination import PathId
from tiegraph.web.schemas.common import IsoDay
from tiegraph.web.security import PageViewer, local_path, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()
Text = Annotated[str, Form(max_length=20_000)]
Back = Annotated[str, Form(max_length=200)]


def _words(text: str) -> list[str]:
    """Emails or accounts typed one a line (or separated by commas or semicolons)."""
    return [w.strip() for w in re.split(r"[\n,;]+", text) if w.strip()]


def _ids(text: str) -> list[int]:
    return [int(w) for w in _words(text) if w.isdigit() and len(w) < 19]


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
    view = lists.show_list(store_of(request), viewer.org, list_id, viewer.member)
    owner = viewer.is_admin or view.person_list.owner_email == viewer.member.email
    return render(request, "list.html", {"view": view, "may_change": owner})


def _add(
    request: Request, viewer: PageViewer, list_id: int, emails: str, accounts: str, ids: str
) -> None:
    store = store_of(request)
    found = lists.find_list(store, viewer.org, list_id)  # another's or none: 404, not a message
    try:
        report = lists.add_to_list(
            store,
            viewer.org,
            found.id,
            emails=_words(emails),
            accounts=_words(accounts),
            account_ids=_ids(ids),
            added_by=viewer.member,
        )
    except (InvalidInputError, NotFoundError, ForbiddenError) as exc:  # unknown, or not theirs
        flash(request, f"Nothing added: {exc}", "error")
        return
    parts = [f"Added {', '.join(report.added)}." if report.added else ""]
    if report.already:
        parts.append(f"Already on it: {', '.join(report.already)}.")
    flash(request, " ".join(p for p in parts if p) or "Nothing to add.")


@router.post("/lists/{list_id}/items")
def add_items(
    request: Request,
    viewer: PageViewer,
    list_id: PathId,
    emails: Text = "",
    accounts: Text = "",
) -> RedirectResponse:
    """Add persons (emails) and accounts (names or domains): all, or none if one is unknown."""
    _add(request, viewer, list_id, emails, accounts, "")
    return _to(f"/lists/{list_id}")


@router.post("/lists/add")
def add_from_a_page(
    request: Request,
    viewer: PageViewer,
    list_id: Annotated[int, Form(ge=1, le=2**63 - 1)],
    back: Back,
    emails: Text = "",
    account_ids: Text = "",
) -> RedirectResponse:
    """ "Add to a list" on a person's or an account's page: the list is chosen in the form."""
    _add(request, viewer, list_id, emails, "", account_ids)
    return _to(back)


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
