"""Pages: get introduced (draft from a person's page), edit and send a request, track them all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import DeliveryError, InvalidInputError
from tiegraph.services.directory import profiles
from tiegraph.services.intros import delivery as intro_delivery
from tiegraph.services.intros import requests as intro
from tiegraph.services.intros.smtp_settings import get_smtp
from tiegraph.web.intros import eml_response
from tiegraph.web.pagination import PathId
from tiegraph.web.security import PageViewer, Viewer, store_of
from tiegraph.web.templating import flash, render

router = APIRouter()
Refusal = (InvalidInputError, DeliveryError)  # shown on the page; anything else is an error page


def _to(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


@router.post("/persons/{person_id}/intros")
def get_introduced(
    request: Request,
    viewer: PageViewer,
    person_id: PathId,
    introducer: Annotated[str, Form(min_length=1, max_length=320)],
) -> RedirectResponse:
    """Draft a request to `introducer` for an introduction to this person; then edit it."""
    store = store_of(request)
    profile = profiles.get_person(store, viewer.org, person_id, viewer=viewer.member)
    if not profile.emails:
        flash(request, "Without an email address, no one can be introduced to them.", "error")
        return _to(f"/persons/{person_id}")
    try:
        drafted = intro.draft_intro(
            store, viewer.org, viewer.member, via=introducer, to=profile.emails[0]
        )
    except Refusal as exc:
        flash(request, str(exc), "error")
        return _to(f"/persons/{person_id}")
    flash(request, "Drafted from the template: edit it, then send it.")
    return _to(f"/intros/{drafted.id}")


@router.get("/intros")
def intros_page(
    request: Request,
    viewer: PageViewer,
    status: Annotated[str, Query(pattern="^(|draft|requested|introduced|declined)$")] = "",
) -> Response:
    found = intro.list_intros(store_of(request), viewer.org, viewer.member, status=status or None)
    mine = [r for r in found if r.requester_id == viewer.member.id]
    asked = [r for r in found if r.introducer_id == viewer.member.id]
    context = {"mine": mine, "asked": asked, "status": status, "statuses": intro.STATUSES}
    return render(request, "intros.html", context)


def _page(request: Request, viewer: Viewer, intro_id: int) -> Response:
    store = store_of(request)
    found = intro.get_intro(store, viewer.org, intro_id, viewer.member)
    is_requester = found.requester_id == viewer.member.id
    context = {
        "r": found,
        "is_requester": is_requester,
        "smtp": get_smtp(store, viewer.org) is not None,
        "mailto": intro_delivery.mailto_link(found) if is_requester else "",
    }
    return render(request, "intro.html", context)


@router.get("/intros/{intro_id}")
def intro_page(request: Request, viewer: PageViewer, intro_id: PathId) -> Response:
    return _page(request, viewer, intro_id)


@router.post("/intros/{intro_id}")
def save_or_send(
    request: Request,
    viewer: PageViewer,
    intro_id: PathId,
    subject: Annotated[str, Form(max_length=1000)],
    body: Annotated[str, Form(max_length=100_000)],
    action: Annotated[str, Form(pattern="^(save|smtp|client)$")] = "save",
) -> RedirectResponse:
    """Save the draft's edits, then, as asked, send it by SMTP or hand it to the mail client."""
    store = store_of(request)
    found = intro.get_intro(store, viewer.org, intro_id, viewer.member)
    body = body.replace("\r\n", "\n")
    try:
        if (subject, body) != (found.subject, found.body):
            intro.edit_intro(store, viewer.org, intro_id, viewer.member, subject=subject, body=body)
        if action == "smtp":
            intro_delivery.send_by_smtp(store, viewer.org, intro_id, viewer.member)
            flash(request, f"Sent to {found.introducer_name}, you in copy: now requested.")
        elif action == "client":
            intro_delivery.send_by_client(store, viewer.org, intro_id, viewer.member)
            flash(request, "Now requested: open it in your mail client below, and send it.")
        else:
            flash(request, "Draft saved.")
    except Refusal as exc:
        flash(request, str(exc), "error")
    return _to(f"/intros/{intro_id}")


@router.get("/intros/{intro_id}/eml")
def eml(request: Request, viewer: PageViewer, intro_id: PathId) -> Response:
    """The request as an .eml file a mail client opens as a draft."""
    return eml_response(store_of(request), viewer, intro_id)


@router.post("/intros/{intro_id}/mark")
def mark(
    request: Request,
    viewer: PageViewer,
    intro_id: PathId,
    status: Annotated[str, Form(pattern="^(introduced|declined)$")],
    back: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    """Record what became of a sent request (its requester or its introducer)."""
    try:
        marked = intro.mark_intro(store_of(request), viewer.org, intro_id, status, viewer.member)
        flash(request, f"Request {marked.id}: {marked.status}.")
    except Refusal as exc:
        flash(request, str(exc), "error")
    return _to(back if back in ("/intros", "/") else f"/intros/{intro_id}")
