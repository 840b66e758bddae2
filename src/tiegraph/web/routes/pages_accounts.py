"""Pages: accounts, and an account's people, closest connections, company connections, flags."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.services import lists
from tiegraph.services.directory import profiles
from tiegraph.services.directory.accounts import get_account
from tiegraph.services.insights import closest, connections
from tiegraph.web.pagination import PathId
from tiegraph.web.security import PageViewer, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
CONNECTIONS_SHOWN = 25  # rows of the company connections' table per page
KIND_NAMES = {
    "personal": "Personal",
    "employer": "Works there",
    "former-employer": "Worked there",
    "colleague-former-employer": "Former colleagues there",
    "reference-customer": "Reference customer",
    "school": "Schoolmates there",
}


@router.get("/accounts")
def accounts_page(
    request: Request,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=200)] = "",
    targets: bool = False,
    covered: bool = False,
    sort: Annotated[str, Query(pattern="^(name|coverage)$")] = "name",
    offset: Offset = 0,
) -> Response:
    page = profiles.search_accounts(
        store_of(request),
        viewer.org,
        query=q,
        targets_only=targets,
        sort=sort,
        covered=covered,
        offset=offset,
        viewer=viewer.member,
    )
    context = {"page": page, "q": q, "targets": targets, "covered": covered, "sort": sort}
    return render(request, "accounts.html", context)


@router.get("/find-account")
def find_account(
    request: Request, viewer: PageViewer, q: Annotated[str, Query(min_length=1, max_length=320)]
) -> RedirectResponse:
    """An account's page by its name or domain (rows that name companies link here)."""
    found = get_account(store_of(request), viewer.org, q)
    return RedirectResponse(f"/accounts/{found.id}", status_code=303)


@router.get("/accounts/{company_id}")
def account_page(
    request: Request,
    viewer: PageViewer,
    company_id: PathId,
    offset: Offset = 0,
    kind: Annotated[list[str], Query(max_length=len(KIND_NAMES))] = [],  # noqa: B006
    min_strength: Annotated[int, Query(ge=0, le=100)] = 0,
    title: Annotated[str, Query(max_length=200)] = "",
    connections_offset: Offset = 0,
) -> Response:
    store = store_of(request)
    account = profiles.get_account(store, viewer.org, company_id, viewer.member)
    people = profiles.search_persons(
        store, viewer.org, company_id=company_id, offset=offset, viewer=viewer.member
    )
    found = get_account(store, viewer.org, company_id)  # for both panels below: found once
    nearest = closest.closest_to_account(store, viewer.org, found, viewer=viewer.member)
    connected = connections.company_connections(
        store,
        viewer.org,
        found,
        viewer=viewer.member,
        kinds=tuple(k for k in kind if k),
        min_strength=min_strength,
        title=title.strip(),
        worded=False,  # the page shows whom a connection runs through, not their ties' reasons
    )
    rows = connected.connections
    context = {
        "account": account,
        "people": people,
        "closest": nearest.ties,
        "connections": rows[connections_offset : connections_offset + CONNECTIONS_SHOWN],
        "connections_total": len(rows),
        "connections_pages": _pages(request, connections_offset, len(rows)),
        "connections_offset": connections_offset,
        "kinds": KIND_NAMES,
        "chosen": {"kind": set(kind), "min_strength": min_strength, "title": title},
        "lists": lists.lists_to_change(store, viewer.org, viewer.member),
    }
    return render(request, "account.html", context)


def _pages(request: Request, offset: int, total: int) -> dict[str, str | None]:
    """Links to the connections' previous and next pages, the filters kept (`kind` repeats)."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "connections_offset"]

    def link(to: int) -> str:
        return "?" + urlencode([*kept, ("connections_offset", str(to))] if to else kept)

    later = offset + CONNECTIONS_SHOWN
    return {
        "previous": link(max(offset - CONNECTIONS_SHOWN, 0)) if offset > 0 else None,
        "next": link(later) if later < total else None,
    }


@router.post("/accounts/{company_id}/flags")
def account_flags(
    request: Request,
    viewer: PageViewer,
    company_id: PathId,
    is_target: Annotated[bool, Form()] = False,
    is_reference_customer: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    profiles.set_account_flags(
        store_of(request),
        viewer.org,
        company_id,
        is_target=is_target,
        is_reference_customer=is_reference_customer,
    )
    flash(request, "Account flags saved.")
    return RedirectResponse(f"/accounts/{company_id}", status_code=303)
