"""Pages: get introduced (draft from a person's page), edit and send a request, answer one asked
of you, track them all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from tiegraph.errors import DeliveryError, InvalidInputError
from tiegraph.services.directory import profiles
from tiegraph.services.intros import answers as intro_answers
from tiegraph.services.intros import delivery as intro_delivery
from tiegraph.services.intros import requests as intro
from tiegraph.services.intros.smtp_settings import get_smtp
from tiegraph.web.intros import eml_response, start_sending
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
    flash(request, "Your draft: add a note of your own, change anything, then send it.")
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
        "is_introducer": found.introducer_id == viewer.member.id,
        "smtp": get_smtp(store, viewer.org) is not None,
        "mailto": intro_delivery.mailto_link(found) if is_requester else "",
        "handed": request.query_params.get("handed") == "1" and found.status == "draft",
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
    subject: Annotated[str, Form(max_length=1000)] = "",
    body: Annotated[str, Form(max_length=100_000)] = "",
    note: Annotated[str | None, Form(max_length=10_000)] = None,
    action: Annotated[str, Form(pattern="^(save|smtp|client|confirm)$")] = "save",
) -> RedirectResponse:
    """Save the draft's edits, then, as asked, send it by SMTP, hand it to the mail client, or
    record that the requester sent it from their client."""
    store = store_of(request)
    found = intro.get_intro(store, viewer.org, intro_id, viewer.member)
    back = f"/intros/{intro_id}"
    try:
        if action == "confirm":
            intro.confirm_sent(store, viewer.org, intro_id, viewer.member)
            flash(request, f"Requested: {found.introducer_name} has your mail.")
            return _to(back)
        _save(request, viewer, found, subject, body.replace("\r\n", "\n"), note)
        if action == "smtp":
            start_sending(request, viewer, intro_id)
        elif action == "client":
            intro_delivery.send_by_client(store, viewer.org, intro_id, viewer.member)
            return _to(f"{back}?handed=1")
        else:
            flash(request, "Draft saved.")
    except Refusal as exc:
        flash(request, str(exc), "error")
    return _to(back)


def _save(
    request: Request,
    viewer: Viewer,
    found: intro.IntroRequest,
    subject: str,
    body: str,
    note: str | None,
) -> None:
    changed = {
        "subject": subject if subject != found.subject else None,
        "body": body if body != found.body else None,
        "note": note if note is not None and note.strip() != found.note else None,
    }
    if any(v is not None for v in changed.values()):
        intro.edit_intro(store_of(request), viewer.org, found.id, viewer.member, **changed)


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
        marked = intro_answers.mark_intro(
            store_of(request), viewer.org, intro_id, status, viewer.member
        )
        flash(request, f"Request {marked.id}: {marked.status}.")
    except Refusal as exc:
        flash(request, str(exc), "error")
    return _to(back if back in ("/intros", "/") else f"/intros/{intro_id}")


@router.post("/intros/{intro_id}/answer")
def answer(
    request: Request,
    viewer: PageViewer,
    intro_id: PathId,
    answer: Annotated[str, Form(pattern="^(accept|decline)$")],
    reason: Annotated[str, Form(max_length=2000)] = "",
    back: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    """The introducer's answer in one click: accept ("I'll introduce you") or decline."""
    try:
        answered = intro_answers.answer_intro(
            store_of(request),
            viewer.org,
            intro_id,
            viewer.member,
            accept=answer == "accept",
            reason=reason,
        )
        r = answered.request
        said = (
            f"You will introduce {r.requester_name} to {r.person_name}: write to them both now."
            if r.status == "introduced"
            else "Declined."
        )
        flash(request, f"{said} {r.requester_name.split(' ')[0]} is told {answered.told}.")
    except Refusal as exc:
        flash(request, str(exc), "error")
    return _to(back if back in ("/intros", "/") else f"/intros/{intro_id}")
