"""API: intro requests (draft, edit, send, confirm, accept, decline, mark, list) and their
settings: template and SMTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tiegraph.services.intros import answers as intro_answers
from tiegraph.services.intros import delivery as intro_delivery
from tiegraph.services.intros import requests as intro
from tiegraph.services.intros import smtp_settings
from tiegraph.services.intros import template as intro_template
from tiegraph.web.intros import EML, eml_response, save_smtp, start_sending
from tiegraph.web.pagination import Limit, Offset, PageOut, PathId, page_out, window
from tiegraph.web.schemas.common import Done
from tiegraph.web.schemas.intros import (
    AnsweredOut,
    DeclineIn,
    IntroEditIn,
    IntroIn,
    IntroOut,
    MarkIn,
    SendIn,
    SentOut,
    SmtpIn,
    SmtpOut,
    TemplateIn,
    TemplateOut,
    intro_out,
    smtp_out,
    template_out,
)
from tiegraph.web.security import ApiViewer, require_admin, store_of

router = APIRouter()


@router.get("/intros", operation_id="list_intros", tags=["intros"])
def intros(
    request: Request,
    viewer: ApiViewer,
    status: Annotated[str | None, Query(pattern="^(draft|requested|introduced|declined)$")] = None,
    role: Annotated[str, Query(pattern="^(all|requester|introducer)$")] = "all",
    limit: Limit = 50,
    offset: Offset = 0,
) -> PageOut[IntroOut]:
    """Your intro requests, newest first: those you asked for and those asked of you."""
    found = intro.list_intros(store_of(request), viewer.org, viewer.member, status=status)
    if role != "all":
        found = [r for r in found if getattr(r, f"{role}_id") == viewer.member.id]
    return page_out(request, window(found, limit, offset), intro_out)


@router.post("/intros", operation_id="draft_intro", tags=["intros"], status_code=201)
def draft(request: Request, viewer: ApiViewer, wanted: IntroIn) -> IntroOut:
    """Draft a request to a colleague for an introduction to a directory person, from the
    organization's template (or your own subject and body); edit it, then send it."""
    created = intro.draft_intro(
        store_of(request),
        viewer.org,
        viewer.member,
        via=wanted.introducer_email,
        to=wanted.person_email,
        note=wanted.note,
        subject=wanted.subject,
        body=wanted.body,
    )
    return intro_out(created)


@router.get("/intros/{intro_id}", operation_id="get_intro", tags=["intros"])
def get_intro(request: Request, viewer: ApiViewer, intro_id: PathId) -> IntroOut:
    return intro_out(intro.get_intro(store_of(request), viewer.org, intro_id, viewer.member))


@router.patch("/intros/{intro_id}", operation_id="edit_intro", tags=["intros"])
def edit(request: Request, viewer: ApiViewer, intro_id: PathId, changes: IntroEditIn) -> IntroOut:
    """Change a draft's subject, body or note (its requester, before it is sent); a new note
    replaces the old one in the body."""
    edited = intro.edit_intro(
        store_of(request),
        viewer.org,
        intro_id,
        viewer.member,
        subject=changes.subject,
        body=changes.body,
        note=changes.note,
    )
    return intro_out(edited)


@router.post("/intros/{intro_id}/send", operation_id="send_intro", tags=["intros"])
def send(request: Request, viewer: ApiViewer, intro_id: PathId, how: SendIn) -> SentOut:
    """Send a draft by SMTP: a job sends it, the request `sending` meanwhile (read it again
    with GET /intros/ID); `requested` once the server took it, or a draft again with
    `sending_error` saying why. Or hand it to your mail client (a mailto: link; the .eml is at
    GET /intros/ID/eml): it stays a draft until you confirm you sent it."""
    store = store_of(request)
    if how.delivery == "smtp":
        queued, message_id = start_sending(request, viewer, intro_id)
        return SentOut(intro=intro_out(queued), message_id=message_id, mailto="")
    sent = intro_delivery.send_by_client(store, viewer.org, intro_id, viewer.member)
    return SentOut(intro=intro_out(sent.request), message_id=sent.message_id, mailto=sent.mailto)


@router.get(
    "/intros/{intro_id}/eml",
    operation_id="get_intro_eml",
    tags=["intros"],
    response_class=Response,
    responses={200: {"content": {EML: {}}, "description": "The request as an email draft."}},
)
def eml(request: Request, viewer: ApiViewer, intro_id: PathId) -> Response:
    """The request as an .eml draft for a mail client (the requester's From, unsent)."""
    return eml_response(store_of(request), viewer, intro_id)


@router.post("/intros/{intro_id}/confirm", operation_id="confirm_intro_sent", tags=["intros"])
def confirm(request: Request, viewer: ApiViewer, intro_id: PathId) -> IntroOut:
    """You sent the draft from your own mail client: it is `requested` from now."""
    confirmed = intro.confirm_sent(store_of(request), viewer.org, intro_id, viewer.member)
    return intro_out(confirmed)


@router.post("/intros/{intro_id}/accept", operation_id="accept_intro", tags=["intros"])
def accept(request: Request, viewer: ApiViewer, intro_id: PathId) -> AnsweredOut:
    """As the introducer: "I'll introduce you". The request becomes `introduced`, and the
    requester is told (by mail when an SMTP server is configured, and on their My day)."""
    answered = intro_answers.answer_intro(
        store_of(request), viewer.org, intro_id, viewer.member, accept=True
    )
    return AnsweredOut(intro=intro_out(answered.request), requester_told=answered.told)


@router.post("/intros/{intro_id}/decline", operation_id="decline_intro", tags=["intros"])
def decline(request: Request, viewer: ApiViewer, intro_id: PathId, why: DeclineIn) -> AnsweredOut:
    """As the introducer: decline, with an optional reason; the requester is told."""
    answered = intro_answers.answer_intro(
        store_of(request), viewer.org, intro_id, viewer.member, accept=False, reason=why.note
    )
    return AnsweredOut(intro=intro_out(answered.request), requester_told=answered.told)


@router.post("/intros/{intro_id}/mark", operation_id="mark_intro", tags=["intros"])
def mark(request: Request, viewer: ApiViewer, intro_id: PathId, outcome: MarkIn) -> IntroOut:
    """Record what became of a sent request: introduced or declined (either side may; the
    requester is not mailed). The introducer answers with /accept or /decline."""
    marked = intro_answers.mark_intro(
        store_of(request), viewer.org, intro_id, outcome.status, viewer.member
    )
    return intro_out(marked)


@router.get("/settings/intro-template", operation_id="get_intro_template", tags=["settings"])
def get_template(request: Request, viewer: ApiViewer) -> TemplateOut:
    """The organization's intro request template and its placeholders."""
    return template_out(intro_template.get_template(store_of(request), viewer.org))


@router.put("/settings/intro-template", operation_id="set_intro_template", tags=["settings"])
def put_template(request: Request, viewer: ApiViewer, template: TemplateIn) -> TemplateOut:
    """Change the template (admins); `reset` brings back the default."""
    require_admin(viewer)
    chosen = intro_template.set_template(
        store_of(request),
        viewer.org,
        subject=template.subject,
        body=template.body,
        reset=template.reset,
    )
    return template_out(chosen)


@router.get("/settings/smtp", operation_id="get_smtp", tags=["settings"])
def get_smtp(request: Request, viewer: ApiViewer) -> SmtpOut:
    """The SMTP server intro requests are sent through (admins)."""
    require_admin(viewer)
    return smtp_out(smtp_settings.get_smtp(store_of(request), viewer.org))


@router.put("/settings/smtp", operation_id="set_smtp", tags=["settings"])
def put_smtp(request: Request, viewer: ApiViewer, smtp: SmtpIn) -> SmtpOut:
    """Set the SMTP server (admins); the password stays in the server's environment."""
    require_admin(viewer)
    saved = save_smtp(store_of(request), viewer, **smtp.model_dump())
    return smtp_out(saved)


@router.delete("/settings/smtp", operation_id="clear_smtp", tags=["settings"])
def delete_smtp(request: Request, viewer: ApiViewer) -> Done:
    """Forget the SMTP server (admins): requests then go through members' mail clients."""
    require_admin(viewer)
    smtp_settings.clear_smtp(store_of(request), viewer.org)
    return Done()
