"""API: imports of address books, the caller's sharing settings and API tokens."""

from __future__ import annotations

from fastapi import APIRouter, File, Request, UploadFile

from tiegraph.services.contacts import jobs as import_jobs
from tiegraph.services.org import auth
from tiegraph.services.org.members import set_member_sharing
from tiegraph.web.pagination import Limit, Offset, PageOut, PathId, page_out, window
from tiegraph.web.schemas.account import NewTokenOut, SharingIn, TokenIn, TokenOut, token_out
from tiegraph.web.schemas.common import MemberOut, member_out
from tiegraph.web.schemas.contacts import ImportOut, import_out
from tiegraph.web.security import ApiViewer, store_of
from tiegraph.web.uploads import start_import

router = APIRouter()


@router.post("/imports", operation_id="start_import", tags=["imports"], status_code=202)
async def create_import(
    request: Request, viewer: ApiViewer, files: list[UploadFile] = File(...)
) -> ImportOut:
    """Upload address-book exports; they are imported in the background (poll the import)."""
    return import_out(await start_import(request, viewer, files))


@router.get("/imports", operation_id="list_imports", tags=["imports"])
def imports(
    request: Request, viewer: ApiViewer, limit: Limit = 20, offset: Offset = 0
) -> PageOut[ImportOut]:
    page = import_jobs.list_jobs(
        store_of(request), viewer.org, viewer.member, limit=limit, offset=offset
    )
    return page_out(request, page, import_out)


@router.get("/imports/{job_id}", operation_id="get_import", tags=["imports"])
def import_status(request: Request, viewer: ApiViewer, job_id: PathId) -> ImportOut:
    """An import's status, progress and, once done, its per-source report."""
    return import_out(import_jobs.get_job(store_of(request), viewer.org, viewer.member, job_id))


@router.get("/settings/sharing", operation_id="get_sharing", tags=["settings"])
def sharing(viewer: ApiViewer) -> MemberOut:
    return member_out(viewer.member)


@router.put("/settings/sharing", operation_id="set_sharing", tags=["settings"])
def set_sharing(request: Request, viewer: ApiViewer, sharing: SharingIn) -> MemberOut:
    """Turn contact sync or activity sharing on or off."""
    updated = set_member_sharing(
        store_of(request),
        viewer.org,
        viewer.member,
        contact_sync=sharing.contact_sync,
        activity_sharing=sharing.activity_sharing,
    )
    return member_out(updated)


@router.get("/tokens", operation_id="list_tokens", tags=["settings"])
def tokens(
    request: Request, viewer: ApiViewer, limit: Limit = 50, offset: Offset = 0
) -> PageOut[TokenOut]:
    found = auth.list_tokens(store_of(request), viewer.org, viewer.member)
    return page_out(request, window(found, limit, offset), token_out)


@router.post("/tokens", operation_id="create_token", tags=["settings"], status_code=201)
def create_token(request: Request, viewer: ApiViewer, token: TokenIn) -> NewTokenOut:
    """A new API token; the answer is the only time it is shown."""
    created, clear = auth.create_token(store_of(request), viewer.org, viewer.member, token.name)
    return NewTokenOut(**token_out(created).model_dump(), token=clear)


@router.delete("/tokens/{token_id}", operation_id="revoke_token", tags=["settings"])
def revoke_token(request: Request, viewer: ApiViewer, token_id: PathId) -> TokenOut:
    """Revoke an API token (kept, marked revoked)."""
    return token_out(auth.revoke_token(store_of(request), viewer.org, viewer.member, token_id))
