"""Pages: a person's profile with the who-knows-whom tile and list, a contact, accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.services import custom_properties, profiles, who_knows
from tiegraph.services.contact_details import get_contact
from tiegraph.web.pagination import PathId
from tiegraph.web.security import PageViewer, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/persons/{person_id}")
def person_page(request: Request, viewer: PageViewer, person_id: PathId) -> Response:
    store = store_of(request)
    profile = profiles.get_person(store, viewer.org, person_id, viewer=viewer.member)
    knowers = who_knows.knowers_of_person(
        store, viewer.org, person_id, viewer=viewer.member, limit=0
    )
    context = {
        "profile": profile,
        "tile": knowers[: who_knows.TILE],
        "knower_count": len(knowers),
    }
    return render(request, "person.html", context)


@router.get("/persons/{person_id}/who-knows")
def person_knowers_page(request: Request, viewer: PageViewer, person_id: PathId) -> Response:
    store = store_of(request)
    profile = profiles.get_person(store, viewer.org, person_id, viewer=viewer.member)
    knowers = who_knows.knowers_of_person(
        store, viewer.org, person_id, viewer=viewer.member, limit=0
    )
    return render(request, "who_knows.html", {"profile": profile, "knowers": knowers})


@router.get("/contacts/{contact_id}")
def contact_page(request: Request, viewer: PageViewer, contact_id: PathId) -> Response:
    store = store_of(request)
    details = get_contact(store, viewer.org, viewer.member, contact_id)
    props = custom_properties.list_properties(store, viewer.org)
    return render(request, "contact.html", {"contact": details, "props": props})


@router.get("/accounts")
def accounts_page(
    request: Request,
    viewer: PageViewer,
    q: Annotated[str, Query(max_length=200)] = "",
    targets: bool = False,
    offset: Offset = 0,
) -> Response:
    page = profiles.search_accounts(
        store_of(request), viewer.org, query=q, targets_only=targets, offset=offset
    )
    return render(request, "accounts.html", {"page": page, "q": q, "targets": targets})


@router.get("/accounts/{company_id}")
def account_page(
    request: Request, viewer: PageViewer, company_id: PathId, offset: Offset = 0
) -> Response:
    store = store_of(request)
    account = profiles.get_account(store, viewer.org, company_id)
    people = profiles.search_persons(store, viewer.org, company_id=company_id, offset=offset)
    return render(request, "account.html", {"account": account, "people": people})


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
