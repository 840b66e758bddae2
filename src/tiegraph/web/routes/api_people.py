"""API: the signed-in member, colleagues, directory persons, who knows whom, and accounts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request

from tiegraph.services.contacts import archive
from tiegraph.services.directory import profiles
from tiegraph.services.insights import who_knows
from tiegraph.services.org.members import leave_member, list_members, member_by_id
from tiegraph.web.pagination import Limit, Offset, PageOut, PathId, page_out, window
from tiegraph.web.schemas.common import (
    Done,
    Email,
    MemberOut,
    PersonSummaryOut,
    member_out,
    person_summary_out,
)
from tiegraph.web.schemas.insights import WhoKnowsOut, who_knows_out
from tiegraph.web.schemas.people import (
    AccountFlags,
    AccountOut,
    PersonOut,
    account_out,
    person_out,
)
from tiegraph.web.security import ApiViewer, require_admin, store_of

router = APIRouter()
Search = Annotated[str, Query(max_length=200, description="Text to look for.")]


@router.get("/me", operation_id="get_me", tags=["members"])
def me(viewer: ApiViewer) -> MemberOut:
    """The member the token belongs to."""
    return member_out(viewer.member)


@router.get("/members", operation_id="list_members", tags=["members"])
def members(
    request: Request, viewer: ApiViewer, limit: Limit = 50, offset: Offset = 0
) -> PageOut[MemberOut]:
    """The organization's members (colleagues)."""
    found = list_members(store_of(request), viewer.org)
    return page_out(request, window(found, limit, offset), member_out)


@router.post("/members/{member_id}/leave", operation_id="mark_member_left", tags=["members"])
def member_leave(request: Request, viewer: ApiViewer, member_id: PathId) -> Done:
    """Mark a colleague as having left (admins): never an introducer or knower again, their
    ties kept but never shown, their sign-in and sync stopped. Leaving twice is a no-op."""
    require_admin(viewer)
    store = store_of(request)
    leave_member(store, viewer.org, member_by_id(store, viewer.org, member_id))
    return Done()


@router.get("/persons", operation_id="search_persons", tags=["persons"])
def persons(
    request: Request, viewer: ApiViewer, q: Search = "", limit: Limit = 50, offset: Offset = 0
) -> PageOut[PersonSummaryOut]:
    """Directory persons whose name, title or email holds `q`."""
    page = profiles.search_persons(
        store_of(request), viewer.org, query=q, limit=limit, offset=offset, viewer=viewer.member
    )
    return page_out(request, page, person_summary_out)


@router.get("/persons/{person_id}", operation_id="get_person", tags=["persons"])
def person(request: Request, viewer: ApiViewer, person_id: PathId) -> PersonOut:
    """A directory person: details, history, and where the caller's own contact came from."""
    return person_out(
        profiles.get_person(store_of(request), viewer.org, person_id, viewer=viewer.member)
    )


@router.get("/persons/{person_id}/who-knows", tags=["who knows"], operation_id="who_knows_person")
def person_knowers(
    request: Request, viewer: ApiViewer, person_id: PathId, limit: Limit = 50, offset: Offset = 0
) -> WhoKnowsOut:
    """Colleagues who know this person, strongest first (the full list; the tile is the top 5)."""
    store = store_of(request)
    found = profiles.get_person(store, viewer.org, person_id, viewer=viewer.member).summary
    knowers = who_knows.knowers_of_person(
        store, viewer.org, person_id, viewer=viewer.member, limit=0
    )
    answer = who_knows.PersonKnowers(
        found.email, found.name, datetime.now(UTC).date(), tuple(knowers)
    )
    return who_knows_out(request, answer, limit, offset)


@router.get("/who-knows", tags=["who knows"], operation_id="who_knows")
def who_knows_email(
    request: Request,
    viewer: ApiViewer,
    email: Annotated[Email, Query(description="The person's email address.")],
    limit: Limit = who_knows.TILE,
    offset: Offset = 0,
) -> WhoKnowsOut:
    """Who among us knows the person with this email, strongest first, with reasons."""
    answer = who_knows.who_knows(
        store_of(request), viewer.org, [email], limit=0, viewer=viewer.member
    )[0]
    return who_knows_out(request, answer, limit, offset)


@router.post("/persons/{person_id}/archive", operation_id="archive_person", tags=["persons"])
def archive_person(request: Request, viewer: ApiViewer, person_id: PathId) -> Done:
    """Archive a directory person (admins); nothing is deleted."""
    archive.set_person_archived(
        store_of(request), viewer.org, person_id, archived=True, viewer=viewer.member
    )
    return Done()


@router.post("/persons/{person_id}/restore", operation_id="restore_person", tags=["persons"])
def restore_person(request: Request, viewer: ApiViewer, person_id: PathId) -> Done:
    """Restore an archived directory person (admins)."""
    archive.set_person_archived(
        store_of(request), viewer.org, person_id, archived=False, viewer=viewer.member
    )
    return Done()


@router.get("/accounts", operation_id="search_accounts", tags=["accounts"])
def accounts(
    request: Request,
    viewer: ApiViewer,
    q: Search = "",
    targets: bool = False,
    sort: Annotated[str, Query(pattern="^(name|coverage)$")] = "name",
    covered: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[AccountOut]:
    """Accounts (companies) with their coverage, optionally targets only or covered only,
    by name or by coverage (people known strongly, then at all)."""
    page = profiles.search_accounts(
        store_of(request),
        viewer.org,
        query=q,
        targets_only=targets,
        sort=sort,
        covered=covered,
        limit=limit,
        offset=offset,
        viewer=viewer.member,
    )
    return page_out(request, page, account_out)


@router.get("/accounts/{company_id}", operation_id="get_account", tags=["accounts"])
def account(request: Request, viewer: ApiViewer, company_id: PathId) -> AccountOut:
    return account_out(
        profiles.get_account(store_of(request), viewer.org, company_id, viewer.member)
    )


@router.get("/accounts/{company_id}/people", operation_id="list_account_people", tags=["accounts"])
def account_people(
    request: Request, viewer: ApiViewer, company_id: PathId, limit: Limit = 50, offset: Offset = 0
) -> PageOut[PersonSummaryOut]:
    """The account's people: directory persons whose current employer it is."""
    store = store_of(request)
    profiles.get_account(store, viewer.org, company_id, viewer.member)
    page = profiles.search_persons(
        store,
        viewer.org,
        company_id=company_id,
        limit=limit,
        offset=offset,
        viewer=viewer.member,
    )
    return page_out(request, page, person_summary_out)


@router.patch("/accounts/{company_id}", operation_id="flag_account", tags=["accounts"])
def account_flags(
    request: Request, viewer: ApiViewer, company_id: PathId, flags: AccountFlags
) -> AccountOut:
    """Flag an account as a target or a reference customer."""
    return account_out(
        profiles.set_account_flags(
            store_of(request),
            viewer.org,
            company_id,
            is_target=flags.is_target,
            is_reference_customer=flags.is_reference_customer,
        )
    )
