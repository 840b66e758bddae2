"""API: closest connections, company connections, intro paths and nurture, as the caller may see."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Query, Request

from tiegraph.services.insights import closest, connections, nurture, paths
from tiegraph.services.org.members import get_member
from tiegraph.services.paging import MAX_LIMIT
from tiegraph.web.pagination import Limit, Offset, PageOut, PathId, page_out, window
from tiegraph.web.schemas.common import Email, IsoDay
from tiegraph.web.schemas.insights import (
    AccountTieOut,
    ConnectionOut,
    IntroPathsOut,
    NurtureItemOut,
    WhoKnowsOut,
    account_tie_out,
    connection_out,
    intro_path_out,
    nurture_item_out,
    who_knows_out,
)
from tiegraph.web.security import ApiViewer, store_of

router = APIRouter()
EmailQuery = Annotated[Email, Query(description="The person's email address.")]
Kind = Literal[
    "personal",
    "employer",
    "former-employer",
    "colleague-former-employer",
    "reference-customer",
    "school",
]
assert get_args(Kind) == connections.KINDS


@router.get("/closest", operation_id="closest_to_person", tags=["insights"])
def closest_to_person(
    request: Request, viewer: ApiViewer, email: EmailQuery, limit: Limit = 5, offset: Offset = 0
) -> WhoKnowsOut:
    """The members with the strongest ties to a directory person (the who-knows tile's first),
    in the one who-knows shape."""
    answer = closest.closest_to_person(
        store_of(request), viewer.org, email, viewer=viewer.member, limit=0
    )
    return who_knows_out(request, answer, limit, offset)


@router.get("/accounts/{company_id}/closest", operation_id="closest_to_account", tags=["insights"])
def closest_to_account(
    request: Request, viewer: ApiViewer, company_id: PathId, limit: Limit = 20, offset: Offset = 0
) -> PageOut[AccountTieOut]:
    """The account's people with the strongest ties to us (the top 200), each with the member
    holding that tie."""
    found = closest.closest_to_account(
        store_of(request), viewer.org, company_id, viewer=viewer.member, limit=MAX_LIMIT
    )
    return page_out(request, window(list(found.ties), limit, offset), account_tie_out)


@router.get(
    "/accounts/{company_id}/connections", operation_id="company_connections", tags=["insights"]
)
def company_connections(
    request: Request,
    viewer: ApiViewer,
    company_id: PathId,
    kind: Annotated[list[Kind], Query(description="Only these kinds (repeatable).")] = [],  # noqa: B006
    min_score: Annotated[int, Query(ge=0, le=100, description="The least score.")] = 0,
    title: Annotated[str, Query(max_length=200)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[ConnectionOut]:
    """Everyone here connected to the company, personally or likely, strongest and surest first."""
    found = connections.company_connections(
        store_of(request),
        viewer.org,
        company_id,
        viewer=viewer.member,
        kinds=tuple(kind),
        min_strength=min_score,
        title=title.strip(),
    )
    return page_out(request, window(list(found.connections), limit, offset), connection_out)


@router.get("/paths", operation_id="intro_paths", tags=["insights"])
def intro_paths(
    request: Request, viewer: ApiViewer, email: EmailQuery, limit: Limit = 10, offset: Offset = 0
) -> IntroPathsOut:
    """Ways in to a directory person through colleagues, strongest first, with conversation
    starters; `in_common` is what you and the person share."""
    found = paths.intro_paths(
        store_of(request),
        viewer.org,
        email,
        requester=viewer.member,
        viewer=viewer.member,
        limit=0,
    )
    return IntroPathsOut(
        person_email=found.target_email,
        person_name=found.target_name,
        company=found.target_company,
        in_common=list(found.starters),
        paths=page_out(request, window(list(found.paths), limit, offset), intro_path_out),
    )


@router.get("/nurture", operation_id="list_nurture", tags=["insights"])
def nurture_list(
    request: Request,
    viewer: ApiViewer,
    member_email: Annotated[
        Email | None, Query(description="A colleague's email (default: you).")
    ] = None,
    part: Annotated[str, Query(pattern="^(all|contacts|connections)$")] = "all",
    as_of: Annotated[
        IsoDay | None, Query(description="The day to score as of (YYYY-MM-DD).")
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> PageOut[NurtureItemOut]:
    """Contacts worth turning into connections (warming, one-sided), then connections cooling
    off; a colleague's only while they share their activity."""
    store = store_of(request)
    target = get_member(store, viewer.org, member_email) if member_email else viewer.member
    found = nurture.nurture(store, viewer.org, target, viewer=viewer.member, as_of=as_of, limit=0)
    items = [
        *(found.contacts if part in ("all", "contacts") else ()),
        *(found.connections if part in ("all", "connections") else ()),
    ]
    return page_out(request, window(items, limit, offset), nurture_item_out)
