"""Pages: upload address books, follow the import, its report; private network; possible matches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import TiegraphError
from tiegraph.services.contacts import jobs as import_jobs
from tiegraph.services.contacts import matches as matching
from tiegraph.services.contacts import network
from tiegraph.web.pagination import PathId
from tiegraph.web.security import PageViewer, store_of
from tiegraph.web.templating import flash, render
from tiegraph.web.uploads import MAX_FILES, SUFFIXES, start_import

router = APIRouter()


def _import_context(request: Request, viewer: Any) -> dict[str, Any]:
    return {
        "jobs": import_jobs.list_jobs(store_of(request), viewer.org, viewer.member).items,
        "limit": request.app.state.settings.upload_limit_text,
        "suffixes": ", ".join(SUFFIXES),
        "max_files": MAX_FILES,
        "error": "",
    }


@router.get("/import")
def import_page(request: Request, viewer: PageViewer) -> Response:
    return render(request, "import.html", _import_context(request, viewer))


@router.post("/import")
async def upload(
    request: Request, viewer: PageViewer, files: Annotated[list[UploadFile], File()]
) -> Response:
    try:
        job = await start_import(request, viewer, files)
    except TiegraphError as exc:
        context = _import_context(request, viewer) | {"error": str(exc)}
        return render(request, "import.html", context, status=422)
    return RedirectResponse(f"/import/{job.id}", status_code=303)


@router.get("/import/{job_id}")
def job_page(request: Request, viewer: PageViewer, job_id: PathId) -> Response:
    job = import_jobs.get_job(store_of(request), viewer.org, viewer.member, job_id)
    return render(request, "import_job.html", {"job": job})


@router.get("/import/{job_id}/status")
def job_status(request: Request, viewer: PageViewer, job_id: PathId) -> dict[str, Any]:
    """What the progress bar polls (the page's own session; the API has /api/v1/imports/ID)."""
    job = import_jobs.get_job(store_of(request), viewer.org, viewer.member, job_id)
    return {
        "status": job.status,
        "done": job.progress_done,
        "total": job.progress_total,
        "finished": job.finished,
    }


@router.get("/network")
def network_page(request: Request, viewer: PageViewer) -> Response:
    contacts = network.list_contacts(store_of(request), viewer.org, viewer.member, status="private")
    return render(request, "network.html", {"contacts": contacts})


@router.post("/network/{contact_id}/publish")
def publish(request: Request, viewer: PageViewer, contact_id: PathId) -> RedirectResponse:
    person_id = network.publish_contact(store_of(request), viewer.org, viewer.member, contact_id)
    flash(request, "Added to the directory.")
    return RedirectResponse(f"/persons/{person_id}", status_code=303)


@router.get("/matches")
def matches_page(request: Request, viewer: PageViewer) -> Response:
    found = matching.list_possible_matches(store_of(request), viewer.org, viewer.member)
    return render(request, "matches.html", {"matches": found})


@router.post("/matches/{match_id}")
def decide(
    request: Request,
    viewer: PageViewer,
    match_id: PathId,
    decision: Annotated[str, Form(pattern="^(confirm|reject)$")],
) -> RedirectResponse:
    decided = matching.decide_possible_match(
        store_of(request), viewer.org, viewer.member, match_id, confirm=decision == "confirm"
    )
    flash(request, f"{decided.contact_name} ≈ {decided.person_name}: {decided.status}.")
    return RedirectResponse("/matches", status_code=303)
