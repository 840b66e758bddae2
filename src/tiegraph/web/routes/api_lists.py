"""API: lists of leads, opportunities and deals, with who knows each row as the caller may see."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tiegraph.services import list_rows, lists
from tiegraph.web.list_csv import CSV, list_csv_response
from tiegraph.web.pagination import Limit, Offset, PageOut, PathId, page_out, window
from tiegraph.web.schemas.lists import (
    AddedOut,
    ListIn,
    ListItemsIn,
    ListOut,
    ListRowOut,
    RemovedOut,
    added_out,
    list_out,
    list_row_out,
    removed_out,
)
from tiegraph.web.security import ApiViewer, store_of

router = APIRouter()


@router.get("/lists", operation_id="list_lists", tags=["lists"])
def all_lists(
    request: Request,
    viewer: ApiViewer,
    archived: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[ListOut]:
    """The organization's lists (every member sees them all), or the archived ones."""
    found = lists.list_lists(store_of(request), viewer.org, archived=archived)
    return page_out(request, window(found, limit, offset), list_out)


@router.post("/lists", operation_id="create_list", tags=["lists"], status_code=201)
def create(request: Request, viewer: ApiViewer, wanted: ListIn) -> ListOut:
    """A new list, yours."""
    created = lists.create_list(
        store_of(request), viewer.org, viewer.member, wanted.name, wanted.kind
    )
    return list_out(created)


@router.get("/lists/{list_id}", operation_id="get_list", tags=["lists"])
def one_list(request: Request, viewer: ApiViewer, list_id: PathId) -> ListOut:
    return list_out(lists.find_list(store_of(request), viewer.org, list_id))


@router.get("/lists/{list_id}/rows", operation_id="list_list_rows", tags=["lists"])
def rows(
    request: Request, viewer: ApiViewer, list_id: PathId, limit: Limit = 50, offset: Offset = 0
) -> PageOut[ListRowOut]:
    """The list's rows in the order added, each with who among us knows them, and for a person
    the colleague to ask for an introduction (POST /intros with `introducer_email`)."""
    view = list_rows.show_list(store_of(request), viewer.org, list_id, viewer.member)
    return page_out(request, window(list(view.rows), limit, offset), list_row_out)


@router.post("/lists/{list_id}/items", operation_id="add_to_list", tags=["lists"])
def add(request: Request, viewer: ApiViewer, list_id: PathId, items: ListItemsIn) -> AddedOut:
    """Add persons (by email or id) and accounts (by name, domain or id), yours or as an admin:
    all of them, or none when one is unknown. One already there is listed under `already`."""
    report = lists.add_to_list(
        store_of(request),
        viewer.org,
        list_id,
        emails=items.emails,
        person_ids=items.person_ids,
        accounts=items.accounts,
        account_ids=items.account_ids,
        added_by=viewer.member,
    )
    return added_out(report)


@router.post("/lists/{list_id}/remove", operation_id="remove_from_list", tags=["lists"])
def remove(request: Request, viewer: ApiViewer, list_id: PathId, items: ListItemsIn) -> RemovedOut:
    """Take persons and accounts off a list (its owner or an admin); they are named as when
    adding. What is not on the list is listed under `absent`."""
    report = lists.remove_from_list(
        store_of(request),
        viewer.org,
        list_id,
        emails=items.emails,
        person_ids=items.person_ids,
        accounts=items.accounts,
        account_ids=items.account_ids,
        removed_by=viewer.member,
    )
    return removed_out(report)


@router.get(
    "/lists/{list_id}/export.csv",
    operation_id="export_list",
    tags=["lists"],
    response_class=Response,
    responses={200: {"content": {CSV: {}}, "description": "The list's rows as CSV."}},
)
def export(request: Request, viewer: ApiViewer, list_id: PathId) -> Response:
    """The rows with who knows them (strongest colleague, strength, last contact, …) as CSV;
    a cell that starts like a spreadsheet formula is prefixed with a quote."""
    return list_csv_response(store_of(request), viewer, list_id)


@router.post("/lists/{list_id}/archive", operation_id="archive_list", tags=["lists"])
def archive(request: Request, viewer: ApiViewer, list_id: PathId) -> ListOut:
    """Archive a list (its owner or an admin): it stays readable, never deleted."""
    return list_out(lists.archive_list(store_of(request), viewer.org, list_id, viewer.member))
